-- The period a day falls in, counted from the first period's start: the n-th week or month of
-- the calendar, or 0 when the whole window is one period (any other grain).
create or replace macro period_number(day, calendar_start, grain) as
    case grain
        when 'week' then (day - calendar_start) // 7
        when 'month' then date_diff('month', calendar_start, day)
        else 0
    end;
