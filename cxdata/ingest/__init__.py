"""Importing real data exports: detect, map, validate, load (all or nothing), undo.

The small public API the page, the CLI and the benchmark use:
    read_preview(path_or_bytes, ...) -> Preview
    propose_mapping(preview, kind, profile=None) -> Mapping
    import_file(store, path, kind, mapping=None, constants=None, dry_run=False, progress=None) -> ImportReport
    undo_import(store, import_id) -> UndoResult
"""

from cxdata.ingest.api import import_file, previous_load, propose_mapping, suggested_kind
from cxdata.ingest.fields import KINDS
from cxdata.ingest.load import UndoResult, undo_import
from cxdata.ingest.mapping import Mapping, RatingScale, load_toml, read_toml
from cxdata.ingest.read import Preview, read_preview
from cxdata.ingest.report import ImportRefused, ImportReport

__all__ = [
    "KINDS", "ImportRefused", "ImportReport", "Mapping", "Preview", "RatingScale", "UndoResult",
    "import_file", "load_toml", "previous_load", "propose_mapping", "read_preview", "read_toml",
    "suggested_kind", "undo_import",
]
