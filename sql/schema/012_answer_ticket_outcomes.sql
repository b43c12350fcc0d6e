-- With each stored answer–ticket pair: the worst outcome among all the answer's tickets, and which
-- of the answer's pairs counts it once (in all, and in each channel, category and priority of its
-- tickets).
--
-- Why: Service's "NPS after tickets" counts answers, not pairs: it grouped the window's 315k pairs
-- by response id twice (the worst outcome per answer and group, then per answer), about 80 ms of
-- CPU of the call's 94 at 10M answers, most of it fetching the response ids, a text column
-- (BENCHMARKS.md, sixth round). An answer's tickets, and so these columns, do not depend on the
-- page's filters, and every pair of an answer is written together (cxdata/summaries.py re-pairs
-- a customer whole), so they are stored with the pairs and counting becomes a test of the row.
-- sql/staging/ticket_answer_matches.sql derives them with the pairs.

alter table answer_ticket_pairs add column answer_outcome_rank integer;
alter table answer_ticket_pairs add column answer_first boolean;
alter table answer_ticket_pairs add column first_of_channel boolean;
alter table answer_ticket_pairs add column first_of_category boolean;
alter table answer_ticket_pairs add column first_of_priority boolean;

-- (a new store runs 011 and this one before its first fill: one mark)
insert into store_pending_fills values ('answer_ticket_pairs') on conflict do nothing;
