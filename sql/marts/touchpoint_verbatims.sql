-- one row per commented survey response at a touchpoint whose answers in the filters reach min_n
create or replace macro touchpoint_verbatims(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10
) as table
with

responses as (
    select *
    from filtered_responses(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions
    )
    where touchpoint is not null
),

sized as (
    select
        *,
        count(*) over (partition by touchpoint) as touchpoint_n,
    from responses
),

final as (
    select
        response_id,
        responded_at,
        touchpoint,
        channel,
        segment,
        nps,
        nps_class,
        csat,
        ces,
        trim(comment) as comment,
        touchpoint_n,
    from sized
    -- comments of a small group could identify who wrote them: they never leave the store
    where not suppressed_below(touchpoint_n, min_n)
      and nullif(trim(comment), '') is not null
)

select * from final;
