-- The first day of the calendar week (Monday) or month (any other grain) a day or moment falls in:
-- the periods of the NPS trend, whether it counts answers or their day counts.
create or replace macro trend_period_start(moment, grain) as
    case
        when grain = 'week' then date_trunc('week', moment)
        else date_trunc('month', moment)
    end::date;
