-- The last day of the calendar week or month that starts on period_start.
create or replace macro trend_period_end(period_start, grain) as
    case
        when grain = 'week' then period_start + 6
        else last_day(period_start)
    end;
