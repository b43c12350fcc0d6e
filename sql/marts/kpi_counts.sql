-- one row per period and headline KPI (nps, csat, ces, fcr, churn_rate, revenue_at_risk): the counts its formula needs
-- The periods: the window, or each week or month of it (grain), and with with_previous also the
-- window previous_from…previous_to, and with with_window the whole window beside its weeks or
-- months. Each period is counted as if it were asked for alone; all of them come from one query
-- rather than one per period (the Overview asks for all three at once).
create or replace macro kpi_counts(
    date_from := null, date_to := null, segments := null, channels := null, regions := null,
    grain := 'window', with_previous := false, previous_from := null, previous_to := null,
    with_window := false
) as table
with

-- an open-ended filter means the whole span of the answers
answer_span as (
    select
        min(day) as first_day,
        max(day) as last_day,
    from main.response_day_counts
),

windows as (
    select
        coalesce(date_from::date, first_day) as first_day,
        coalesce(date_to::date, last_day) as last_day,
        coalesce(previous_from::date, first_day) as previous_first_day,
        coalesce(previous_to::date, last_day) as previous_last_day,
        case grain
            when 'week' then date_trunc('week', coalesce(date_from::date, first_day))::date
            when 'month' then date_trunc('month', coalesce(date_from::date, first_day))::date
        end as calendar_start,
    from answer_span
),

period_starts as (
    select
        unnest(case
            when grain in ('week', 'month') then generate_series(
                calendar_start,
                last_day,
                case when grain = 'week' then interval 7 day else interval 1 month end
            )::date[]
            else [first_day]
        end) as period_start,
        first_day,
        last_day,
    from windows
),

-- the window's periods are numbered 0, 1, … (the previous window is −1, the whole window beside
-- its weeks or months −2); the first and last week or month are cut to the filter, so every day
-- counts in exactly one
periods as (
    select
        row_number() over (order by period_start) - 1 as period_no,
        case when grain in ('week', 'month') then grain else 'window' end as period_kind,
        false as is_previous,
        period_start,
        greatest(period_start, first_day) as stretch_from,
        least(
            case grain
                when 'week' then period_start + 6
                when 'month' then last_day(period_start)
                else last_day
            end,
            last_day
        ) as stretch_to,
    from period_starts
    union all
    select -1, 'previous', true, previous_first_day, previous_first_day, previous_last_day
    from windows
    where with_previous
    union all
    select -2, 'window', false, first_day, first_day, last_day
    from windows
    where with_window and grain in ('week', 'month')
),

-- A row of the window finds its period by arithmetic on its own day (the n-th week or month from
-- the window's first), not by a comparison with every period. The whole window as one period
-- counts every row the filter lets through, even where it is open-ended; weeks and months hold only
-- the days from the first to the last answer. The previous window is read on its own, so that a
-- row in both windows (should they overlap) counts in both. The whole window beside its weeks or
-- months is not read again: its answers are those of its weeks or months (the answers' span is
-- where the window is open-ended), so its counts are their sums, and each answer is also tested
-- as the latest of the whole window (window_end).
response_periods as not materialized (
    select
        period_number(responses.responded_at::date, windows.calendar_start, grain) as period_no,
        -- the last day of the row's period (its stretch_to), from the row's own day
        least(
            case grain
                when 'week' then date_trunc('week', responses.responded_at)::date + 6
                when 'month' then last_day(responses.responded_at::date)
                else windows.last_day
            end,
            windows.last_day
        ) as period_end,
        windows.last_day as window_end,
        responses.customer_no,
        responses.customer_known,
        responses.customer_annual_revenue,
        responses.customer_churned_on,
        responses.responded_at,
        responses.next_nps_at,
        responses.nps_moment_rank,
        responses.nps,
        responses.nps_class,
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    ) as responses, windows
    where grain not in ('week', 'month')
       or responses.responded_at::date between windows.first_day and windows.last_day
    union all
    select
        -1,
        windows.previous_last_day,
        windows.previous_last_day,
        responses.customer_no,
        responses.customer_known,
        responses.customer_annual_revenue,
        responses.customer_churned_on,
        responses.responded_at,
        responses.next_nps_at,
        responses.nps_moment_rank,
        responses.nps,
        responses.nps_class,
    from filtered_responses(
        date_from := previous_from, date_to := previous_to,
        segments := segments, channels := channels, regions := regions
    ) as responses, windows
    where with_previous
),

-- the survey counts add up over days, segments, regions, channels and touchpoints: summed from the
-- stored day counts (sql/schema/010_response_day_counts.sql), each day in its period as an answer would be
day_periods as (
    select
        period_number(days.day, windows.calendar_start, grain) as period_no,
        days.nps_n,
        days.promoters,
        days.detractors,
        days.csat_n,
        days.csat_hits,
        days.ces_n,
        days.ces_hits,
    from filtered_response_days(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    ) as days, windows
    where grain not in ('week', 'month')
       or days.day between windows.first_day and windows.last_day
    union all
    select -1, nps_n, promoters, detractors, csat_n, csat_hits, ces_n, ces_hits
    from filtered_response_days(
        date_from := previous_from, date_to := previous_to,
        segments := segments, channels := channels, regions := regions
    )
    where with_previous
),

survey_period_counts as (
    select
        period_no,
        sum(nps_n)::bigint as nps_n,
        sum(promoters)::bigint as promoters,
        sum(detractors)::bigint as detractors,
        sum(csat_n)::bigint as csat_n,
        sum(csat_hits)::bigint as csat_hits,
        sum(ces_n)::bigint as ces_n,
        sum(ces_hits)::bigint as ces_hits,
    from day_periods
    group by period_no
),

ticket_periods as (
    select
        period_number(tickets.created_at::date, windows.calendar_start, grain) as period_no,
        tickets.is_fcr,
    from filtered_tickets(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    ) as tickets, windows
    where grain not in ('week', 'month')
       or tickets.created_at::date between windows.first_day and windows.last_day
    union all
    select -1, is_fcr
    from filtered_tickets(
        date_from := previous_from, date_to := previous_to,
        segments := segments, channels := channels, regions := regions
    )
    where with_previous
    union all
    select -2, is_fcr
    from filtered_tickets(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where with_window and grain in ('week', 'month')
),

-- Revenue at risk needs each customer's latest answer of a period: the one answered last; of
-- answers at the same moment, the one with the greatest id. Stored with each answer is when its
-- customer answered next in that order (next_nps_at, cxdata/layout.py), so the latest of a period
-- is the answer whose next one falls after the period's last day: a test of the row, made for
-- its own period and for the whole window beside the weeks or months (whose counts are then sums
-- over the weeks or months, as each answer is in exactly one of them). With only dates filtered,
-- a customer's next answer inside the period is inside the filter too; a segment, channel or
-- region filter can leave it out, and then the latest answer is found by grouping
-- (latest_nps_filtered below). Only NPS answers of customers the customers table holds are
-- read: an unknown customer has no revenue.
answer_tests as not materialized (
    select
        period_no,
        nps_class,
        customer_annual_revenue,
        period_end < at_risk_until as at_risk_in_period,
        window_end < at_risk_until as at_risk_in_window,
    from (
        select
            *,
            -- the answer is its customer's latest for every period that ends before the next
            -- answer's day, and revenue already lost to churn is not at risk any more
            least(
                coalesce(next_nps_at::date, 'infinity'::date),
                coalesce(customer_churned_on, 'infinity'::date)
            ) as at_risk_until,
        from response_periods
        where nps is not null and customer_known
    )
),

answer_counts as (
    select
        period_no,
        count(*) filter (where at_risk_in_period) as risk_n,
        count(*) filter (where at_risk_in_period and nps_class = 'detractor') as risk_hits,
        coalesce(sum(customer_annual_revenue) filter (where at_risk_in_period and nps_class = 'detractor'), 0) as risk_amount,
        count(*) filter (where at_risk_in_window) as window_risk_n,
        count(*) filter (where at_risk_in_window and nps_class = 'detractor') as window_risk_hits,
        coalesce(sum(customer_annual_revenue) filter (where at_risk_in_window and nps_class = 'detractor'), 0) as window_risk_amount,
    from answer_tests
    group by period_no
),

survey_counts as (
    select period_no, nps_n, promoters, detractors, csat_n, csat_hits, ces_n, ces_hits
    from survey_period_counts
    union all
    select
        -2,
        sum(nps_n),
        sum(promoters),
        sum(detractors),
        sum(csat_n),
        sum(csat_hits),
        sum(ces_n),
        sum(ces_hits),
    from survey_period_counts
    where period_no >= 0 and with_window and grain in ('week', 'month')
    having count(*) > 0
),

-- under a segment, channel or region filter: the latest answer of each customer the filter lets
-- through, for each period. Only customers the customers table holds are read: an unknown one has
-- no revenue, and a known one is told apart by its number (customer_no), cheaper to read and group
-- by than its text id (sql/schema/015_customer_numbers.sql). Of its answers at one moment, the one
-- with the greatest id has the greatest nps_moment_rank (sql/schema/016_answer_moment_ranks.sql):
-- the tie-break reads that number, not the text id.
-- An answer whose customer answered next after the period (next_nps_at) is the customer's latest
-- of the period among all answers, so among the filtered ones too. Only a customer without such
-- an answer inside the filter needs its answers grouped: one whose latest of the period the filter
-- left out (a few in 100 of the answers, not all of them).
-- Each answer of a week or month is tested for its own period and for the whole window beside
-- them; it is kept once with both tests (not once per period: writing each answer twice cost more
-- than reading the kept rows twice, BENCHMARKS.md, eighth round).
memberships as materialized (
    select
        answers.period_no,
        answers.customer_no,
        answers.responded_at,
        answers.nps_moment_rank,
        answers.nps_class = 'detractor' as is_detractor,
        answers.customer_annual_revenue,
        -- revenue already lost to churn by the period's end is not at risk
        answers.customer_churned_on is null or answers.customer_churned_on > answers.period_end as still_customer,
        coalesce(answers.next_nps_at::date > answers.period_end, true) as latest_of_all,
        with_window and grain in ('week', 'month') and answers.period_no >= 0 as in_window,
        answers.customer_churned_on is null or answers.customer_churned_on > answers.window_end as still_customer_in_window,
        coalesce(answers.next_nps_at::date > answers.window_end, true) as latest_of_all_in_window,
    from response_periods as answers
    where answers.nps is not null and answers.customer_no is not null and answers.customer_known
      and (segments is not null or channels is not null or regions is not null)
),

-- each answer in its period, and an answer of a week or month once more in the whole window
period_answers as not materialized (
    select
        period_no, customer_no, responded_at, nps_moment_rank, is_detractor, customer_annual_revenue,
        still_customer, latest_of_all,
    from memberships
    union all
    select
        -2, customer_no, responded_at, nps_moment_rank, is_detractor, customer_annual_revenue,
        still_customer_in_window, latest_of_all_in_window,
    from memberships
    where in_window
),

latest_of_the_rest as (
    select
        period_no,
        customer_no,
        arg_max(is_detractor, (responded_at, nps_moment_rank)) as is_detractor,
        any_value(customer_annual_revenue) as customer_annual_revenue,
        any_value(still_customer) as still_customer,
    from period_answers
    where not latest_of_all
    group by period_no, customer_no
),

-- of the grouped customers, those whose latest answer of the period is inside the filter after all
found_latest as (
    select period_no, customer_no
    from period_answers
    semi join latest_of_the_rest using (period_no, customer_no)
    where period_answers.latest_of_all
),

latest_nps_filtered as (
    select period_no, is_detractor, customer_annual_revenue, still_customer
    from period_answers
    where latest_of_all
    union all
    select period_no, is_detractor, customer_annual_revenue, still_customer
    from latest_of_the_rest
    anti join found_latest using (period_no, customer_no)
),

-- the filters are constants: only one of the two ways runs
at_risk_counts as (
    select period_no, risk_n, risk_hits, risk_amount
    from answer_counts
    where segments is null and channels is null and regions is null
    union all
    select -2, sum(window_risk_n), sum(window_risk_hits), sum(window_risk_amount)
    from answer_counts
    where period_no >= 0 and with_window and grain in ('week', 'month')
      and segments is null and channels is null and regions is null
    having count(*) > 0
    union all
    select
        period_no,
        count(*),
        count(*) filter (where is_detractor),
        coalesce(sum(customer_annual_revenue) filter (where is_detractor), 0),
    from latest_nps_filtered
    where still_customer
    group by period_no
),

fcr_counts as (
    select
        period_no,
        count(is_fcr) as fcr_n,
        count(*) filter (where is_fcr) as fcr_hits,
    from ticket_periods
    group by period_no
),

-- Churn has no channel: it is filtered by the customer's segment and region only. A customer
-- is active at a period's start (signed up by then, not churned before) and churns in it
-- (churned_on by its end). Only where a customer's two dates fall among the periods' days
-- matters, so a date before the first period's start or after the last period's end is moved to
-- the day just outside, and the customers are counted by their pair of dates: a few thousand
-- pairs are then tested against each period instead of every customer. An open signup date is
-- before every period, an open churn date after every one (the case expressions send a null to
-- the else branch, and cost half of nested greatest, least and coalesce). The customers are read
-- as their stored counts per segment, region and pair of dates (customer_date_counts,
-- sql/schema/018_customer_date_counts.sql): a third as many rows as customers.
churn_range as (
    select
        min(stretch_from) - 1 as day_before,
        max(stretch_to) + 1 as day_after,
    from periods
),

customer_dates as (
    select
        case
            when customers.signup_date > churn_range.day_before then least(customers.signup_date, churn_range.day_after)
            else churn_range.day_before
        end as signed_up,
        case
            when customers.churned_on < churn_range.day_after then greatest(customers.churned_on, churn_range.day_before)
            else churn_range.day_after
        end as churned,
        sum(customers.customers) as customers,
    from main.customer_date_counts as customers, churn_range
    where (segments is null or list_contains(segments, customers.segment))
      and (regions is null or list_contains(regions, customers.region))
    group by all
),

churn_counts as (
    select
        periods.period_no,
        coalesce(sum(customer_dates.customers), 0)::bigint as churn_n,
        coalesce(sum(customer_dates.customers) filter (where customer_dates.churned <= periods.stretch_to), 0)::bigint as churn_hits,
    from periods
    left join customer_dates
        on customer_dates.signed_up <= periods.stretch_from
        and customer_dates.churned >= periods.stretch_from
    group by periods.period_no
),

-- a period without answers, tickets or customers still has its row, with zero counts
counted as materialized (
    select
        periods.period_kind,
        periods.is_previous,
        periods.period_start,
        periods.stretch_from,
        periods.stretch_to,
        coalesce(survey_counts.nps_n, 0) as nps_n,
        coalesce(survey_counts.promoters, 0) as promoters,
        coalesce(survey_counts.detractors, 0) as detractors,
        coalesce(survey_counts.csat_n, 0) as csat_n,
        coalesce(survey_counts.csat_hits, 0) as csat_hits,
        coalesce(survey_counts.ces_n, 0) as ces_n,
        coalesce(survey_counts.ces_hits, 0) as ces_hits,
        coalesce(fcr_counts.fcr_n, 0) as fcr_n,
        coalesce(fcr_counts.fcr_hits, 0) as fcr_hits,
        churn_counts.churn_n,
        churn_counts.churn_hits,
        coalesce(at_risk_counts.risk_n, 0) as risk_n,
        coalesce(at_risk_counts.risk_hits, 0) as risk_hits,
        coalesce(at_risk_counts.risk_amount, 0) as risk_amount,
    from periods
    left join survey_counts on survey_counts.period_no = periods.period_no
    left join fcr_counts on fcr_counts.period_no = periods.period_no
    left join churn_counts on churn_counts.period_no = periods.period_no
    left join at_risk_counts on at_risk_counts.period_no = periods.period_no
),

final as (
    select period_kind, is_previous, period_start, stretch_from, stretch_to, 1 as kpi_order, 'nps' as kpi, nps_n as n, null::bigint as hits, promoters, detractors, null::double as amount
    from counted
    union all
    select period_kind, is_previous, period_start, stretch_from, stretch_to, 2, 'csat', csat_n, csat_hits, null, null, null from counted
    union all
    select period_kind, is_previous, period_start, stretch_from, stretch_to, 3, 'ces', ces_n, ces_hits, null, null, null from counted
    union all
    select period_kind, is_previous, period_start, stretch_from, stretch_to, 4, 'fcr', fcr_n, fcr_hits, null, null, null from counted
    union all
    select period_kind, is_previous, period_start, stretch_from, stretch_to, 5, 'churn_rate', churn_n, churn_hits, null, null, null from counted
    union all
    select period_kind, is_previous, period_start, stretch_from, stretch_to, 6, 'revenue_at_risk', risk_n, risk_hits, null, null, risk_amount::double from counted
)

select * from final;
