-- The name of the calendar week ("2026-W07", ISO numbering) or month ("2026-02") a day or moment falls in.
create or replace macro trend_period_label(moment, grain) as
    case
        when grain = 'week' then strftime(moment, '%G-W%V')
        else strftime(moment, '%Y-%m')
    end;
