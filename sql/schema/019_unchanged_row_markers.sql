-- A row an import takes over unchanged is saved without its values (previous_row null): they
-- are the values the import wrote, so undo finds them in the stored row, or where a later import
-- replaced that, in the version the later import saved (cxdata/ingest/load.py, undo_import).
--
-- Why: re-importing a cumulative export (each week's file holds all earlier answers) saved every
-- unchanged answer again as JSON: a million unchanged answers took 3.9 s of a 12 s re-import and
-- grew the store by the JSON of all of them, each time the export was imported again.

alter table import_replaced_rows alter column previous_row drop not null;
