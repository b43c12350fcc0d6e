-- one row per demo response and rated attribute: an attribute grid some surveys ask
insert into response_ratings (response_id, attribute, rating, scale_min, scale_max, responded_at)
with

responses as (
    select
        response_id,
        -- the response's number, for the random draws
        substr(response_id, 2)::bigint as r,
        nps,
        channel,
        responded_at,
    from main.responses
    where survey in ('Post-purchase survey', 'Service survey', 'In-app feedback')
      and nps is not null
      and demo_u($seed, substr(response_id, 2)::bigint, 'rates attributes') < 0.45
),

-- performance is the typical rating; importance is how strongly a rating moves with NPS,
-- so the attributes spread over an importance-vs-performance chart
attributes (a, attribute, performance, importance, asked_p) as (
    values
    (1, 'Product quality', 4.0, 0.75, 0.90),
    (2, 'Value for money', 3.0, 0.65, 0.90),
    (3, 'Invoice clarity', 2.7, 0.70, 0.80),
    (4, 'Delivery speed', 3.5, 0.30, 0.85),
    (5, 'Ease of ordering', 4.1, 0.50, 0.85),
    (6, 'Staff friendliness', 4.4, 0.12, 0.80),
    (7, 'App usability', 3.4, 0.25, 0.60),
    (8, 'Packaging', 4.2, 0.08, 0.75)
),

asked as (
    select
        responses.*,
        attributes.*,
    from responses
    cross join attributes
    where demo_u($seed, responses.r * 16 + attributes.a, 'asked') < attributes.asked_p
),

final as (
    select
        response_id,
        attribute,
        demo_score(
            performance
            + importance * (nps - 7.5) / 2.2
            + 0.75 * demo_normal($seed, r * 16 + a, 'rating')
            -- story 1: the app release hurts app usability
            - 1.0 * (attribute = 'App usability' and channel = 'app' and responded_at >= $app_release::timestamp)::integer,
            1, 5
        )::double as rating,
        1.0 as scale_min,
        5.0 as scale_max,
        responded_at,
    from asked
)

-- in date order, as the responses (cxdata/layout.py)
select * from final order by responded_at;
