-- one row per journey touchpoint and commented survey answer of a customer whose journey passed through it,
-- for touchpoints passed by at least min_n customers
create or replace macro journey_touchpoint_comments(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10
) as table
with

responses as (
    select *
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where customer_id is not null
      and nullif(trim(comment), '') is not null
),

passed as (
    select touchpoint, customer_id
    from journey_touchpoint_customers(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
),

sized as (
    select
        *,
        count(*) over (partition by touchpoint) as touchpoint_customers,
    from passed
),

final as (
    select
        sized.touchpoint,
        responses.response_id,
        responses.customer_id,
        responses.responded_at,
        responses.channel,
        responses.segment,
        responses.touchpoint as answered_about,
        -- an answer about this very touchpoint speaks to it most directly
        responses.touchpoint is not distinct from sized.touchpoint as about_this_touchpoint,
        responses.nps,
        responses.nps_class,
        trim(responses.comment) as comment,
        sized.touchpoint_customers,
    from sized
    inner join responses on responses.customer_id = sized.customer_id
    -- comments of a small group could identify who wrote them: they never leave the store
    where not suppressed_below(sized.touchpoint_customers, min_n)
)

select * from final;
