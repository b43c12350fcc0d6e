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

-- the group whose size decides: all answers at the touchpoint, as counted in touchpoint_answers
shown_touchpoints as (
    select touchpoint, n as touchpoint_n
    from touchpoint_answers(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions, min_n := min_n
    )
    -- comments of a small group could identify who wrote them: they never leave the store
    where not suppressed
),

final as (
    select
        responses.response_id,
        responses.responded_at,
        responses.touchpoint,
        responses.channel,
        responses.segment,
        responses.nps,
        responses.nps_class,
        responses.csat,
        responses.ces,
        trim(responses.comment) as comment,
        shown_touchpoints.touchpoint_n,
    from responses
    inner join shown_touchpoints on shown_touchpoints.touchpoint = responses.touchpoint
    where nullif(trim(responses.comment), '') is not null
)

select * from final;
