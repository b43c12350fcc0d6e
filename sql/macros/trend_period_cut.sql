-- Whether the date filter cuts the week or month that starts on period_start: it starts before
-- date_from or ends after date_to (open ends cut nothing).
create or replace macro trend_period_cut(period_start, grain, date_from, date_to) as
    (date_from is not null and period_start < date_from::date)
    or (date_to is not null and trend_period_end(period_start, grain) > date_to::date);
