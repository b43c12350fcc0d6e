-- How many days before an answer its customer's tickets count as having shaped it, for the pairs
-- the store keeps (answer_ticket_pairs): the Service page's lookback.
create or replace macro paired_lookback_days() as 90;
