-- one row per demo survey response
insert into responses (
    response_id, customer_id, responded_at, survey, channel, touchpoint, segment, region,
    nps, csat, ces, comment, language, import_id, fact_segment, fact_region,
    fact_customer_known, fact_annual_revenue, fact_churned_on, fact_customer_no, next_nps_at,
    nps_moment_rank
)
with

people as (
    select * from demo_people where response_hi > response_lo
),

catalogue as (
    select * from demo_touchpoint_catalogue
),

comments as (
    select * from demo_comments
),

-- stories 2 and 3: when each customer first went through invoicing and first opened a
-- Billing ticket (journeys and tickets are generated first); answers after that score lower
first_invoice as (
    select customer_id, min(occurred_at) as invoiced_at
    from main.journey_events
    where touchpoint = 'Invoice & billing'
    group by customer_id
),

first_billing_ticket as (
    select customer_id, min(created_at) as billing_ticket_at
    from main.tickets
    where category = 'Billing'
    group by customer_id
),

comment_counts as (
    select distinct topic, language, texts_in_topic from comments
),

-- one slot per unit of response_weight: a uniform slot number picks a touchpoint in
-- proportion to its weight with a plain equality join
touchpoint_slots as (
    select
        row_number() over (order by position, copy) - 1 as slot,
        touchpoint,
    from catalogue, unnest(range(response_weight)) as copies(copy)
),

slot_count as (
    select count(*) as slots from touchpoint_slots
),

-- how often each survey asks each question
questions (survey, nps_p, csat_p, ces_p) as (
    values
    ('Relationship NPS', 1.00, 0.25, 0.00),
    ('Website feedback', 0.90, 0.60, 0.50),
    ('In-app feedback', 0.95, 0.50, 0.70),
    ('Post-purchase survey', 0.95, 0.90, 0.40),
    ('Service survey', 0.70, 0.95, 0.90),
    ('Loyalty survey', 0.95, 0.50, 0.00)
),

numbered as (
    select
        people.*,
        unnest(generate_series(people.response_lo, people.response_hi - 1)) as r,
    from people
),

drawn as (
    select
        numbered.*,
        demo_u($seed, r, 'day') as u_day,
        demo_u($seed, r, 'hour') as u_hour,
        demo_u($seed, r, 'minute') as u_minute,
        demo_u($seed, r, 'relationship survey') as u_relationship,
        demo_u($seed, r, 'touchpoint') as u_touchpoint,
        demo_u($seed, r, 'app channel') as u_app_channel,
        demo_u($seed, r, 'channel') as u_channel,
        demo_normal($seed, r, 'experience') as experience_noise,
        demo_normal($seed, r, 'csat') as csat_noise,
        demo_normal($seed, r, 'ces') as ces_noise,
        demo_u($seed, r, 'asks nps') as u_nps,
        demo_u($seed, r, 'asks csat') as u_csat,
        demo_u($seed, r, 'asks ces') as u_ces,
        demo_u($seed, r, 'comments') as u_comment,
        demo_u($seed, r, 'topic') as u_topic,
        demo_u($seed, r, 'text') as u_text,
        demo_u($seed, r, 'anonymous') as u_anonymous,
        demo_u($seed, r, 'segment override') as u_segment_override,
        demo_u($seed, r, 'region override') as u_region_override,
        demo_u($seed, r, 'override value') as u_override_value,
    from numbered
),

placed as (
    select
        drawn.*,
        $start::timestamp + to_seconds(
            floor(demo_seasonal_day(active_from_day, active_to_day, u_day, $peak_day)) * 86400
            -- answers come between 06:00 and 22:00, most of them around 14:00
            + 21600 + 57600 * (u_hour + u_minute) / 2
        ) as responded_at,
        -- about a fifth answer the relationship survey, which asks about no touchpoint
        case when u_relationship >= 0.22 then floor(u_touchpoint * slot_count.slots)::bigint end as slot,
    from drawn, slot_count
),

channelled as (
    select
        placed.*,
        catalogue.touchpoint,
        catalogue.stage,
        catalogue.nps_effect,
        catalogue.ease_effect,
        case
            when catalogue.touchpoint is null and app_affine and u_app_channel < 0.50 then 'app'
            when catalogue.touchpoint is null then case when u_channel < 0.60 then 'email' else 'web' end
            when app_affine and catalogue.has_app and u_app_channel < 0.55 then 'app'
            else case floor(u_channel * catalogue.channel_count)
                when 0 then catalogue.channel_1
                when 1 then catalogue.channel_2
                else catalogue.channel_3
            end
        end as channel,
        month(responded_at) = 12 as in_december,
        responded_at >= $app_release::timestamp as after_app_release,
        coalesce(responded_at >= first_invoice.invoiced_at, false) as after_invoice,
        coalesce(responded_at >= first_billing_ticket.billing_ticket_at, false) as after_billing_ticket,
    from placed
    left join touchpoint_slots on touchpoint_slots.slot = placed.slot
    left join catalogue on catalogue.touchpoint = touchpoint_slots.touchpoint
    left join first_invoice on first_invoice.customer_id = placed.customer_id
    left join first_billing_ticket on first_billing_ticket.customer_id = placed.customer_id
),

experienced as (
    select
        *,
        case
            when touchpoint is null then 'Relationship NPS'
            when channel = 'app' then 'In-app feedback'
            when stage in ('awareness', 'consideration') then 'Website feedback'
            when stage = 'purchase' then 'Post-purchase survey'
            when stage = 'service' then 'Service survey'
            else 'Loyalty survey'
        end as survey,
        -- the latent experience on the 0-10 scale; the stories are the named terms
        8.7
            + case segment when 'SMB' then -0.3 when 'Mid-Market' then 0.1 when 'Enterprise' then 0.3 else 0 end
            + 1.1 * mood
            + coalesce(nps_effect, 0)
            + 1.5 * experience_noise
            - 0.6 * after_invoice::integer
            - 0.8 * after_billing_ticket::integer
            - 0.75 * (channel = 'app' and after_app_release)::integer
            - case
                when in_december and touchpoint = 'Delivery' then 1.2
                when in_december and stage = 'purchase' then 0.4
                else 0
            end
            as experience,
    from channelled
),

scored as (
    select
        experienced.*,
        u_nps < questions.nps_p or (u_csat >= questions.csat_p and u_ces >= questions.ces_p) as asks_nps,
        u_csat < questions.csat_p as asks_csat,
        u_ces < questions.ces_p as asks_ces,
    from experienced
    inner join questions on questions.survey = experienced.survey
),

answered as (
    select
        *,
        -- unhappy customers spread over the whole lower scale, down to 0
        case when asks_nps then demo_score(experience - greatest(0, 6.5 - experience), 0, 10) end as nps,
        case when asks_csat then demo_score(4.1 + 0.42 * (experience - 8.7) + 0.6 * csat_noise, 1, 5) end as csat,
        case
            when asks_ces then demo_score(
                5.2 + 0.35 * (experience - 8.7) + coalesce(ease_effect, 0)
                - 0.8 * (channel = 'app' and after_app_release)::integer + 0.9 * ces_noise,
                1, 7
            )
        end as ces,
    from scored
),

-- negative, neutral or positive, read from the first question answered
felt as (
    select
        *,
        case
            when nps is not null then case when nps <= 6 then 'negative' when nps <= 8 then 'neutral' else 'positive' end
            when csat is not null then case when csat <= 2 then 'negative' when csat = 3 then 'neutral' else 'positive' end
            else case when ces <= 3 then 'negative' when ces = 4 then 'neutral' else 'positive' end
        end as sentiment,
    from answered
),

-- about 40 % comment, unhappy customers more often; the topic follows the stories
topical as (
    select
        *,
        case
            when u_comment >= case sentiment when 'negative' then 0.70 when 'neutral' then 0.30 else 0.40 end then null
            when sentiment = 'neutral' then 'neutral'
            when sentiment = 'negative' then case
                when channel = 'app' and after_app_release and u_topic < 0.85 then 'app_update'
                when touchpoint = 'Invoice & billing' or ((after_invoice or after_billing_ticket) and u_topic < 0.4)
                    then 'billing'
                when touchpoint = 'Delivery' and in_december then 'delivery_christmas'
                when touchpoint = 'Delivery' then 'delivery_late'
                when touchpoint in ('Customer hotline', 'Live chat') then 'support_bad'
                when touchpoint = 'Returns & refunds' then 'returns_bad'
                when touchpoint in ('Cart & checkout', 'Payment') then 'checkout_bad'
                else 'negative'
            end
            else case
                when touchpoint = 'Unboxing & setup' then 'unboxing'
                when touchpoint = 'Delivery' then 'delivery_good'
                when touchpoint in ('Customer hotline', 'Live chat', 'Returns & refunds') then 'support_good'
                when channel = 'app' and not after_app_release and u_topic < 0.5 then 'app_good'
                when touchpoint in ('Store visit', 'Sales consultation') then 'staff_good'
                else 'positive'
            end
        end as topic,
    from felt
),

with_text_number as (
    select
        topical.*,
        floor(u_text * comment_counts.texts_in_topic)::bigint as text_number,
    from topical
    left join comment_counts on comment_counts.topic = topical.topic and comment_counts.language = topical.language
),

final as (
    select
        'R' || lpad(r::varchar, 9, '0') as response_id,
        -- a few answers are anonymous and carry their own segment and region
        case when u_anonymous >= 0.03 then customer_id end as customer_id,
        responded_at,
        survey,
        channel,
        touchpoint,
        case
            when u_anonymous < 0.03 then segment
            when u_segment_override < 0.02
                then demo_pick(['Consumer', 'SMB', 'Mid-Market', 'Enterprise'], [0.40, 0.70, 0.88], u_override_value)
        end as segment,
        case
            when u_anonymous < 0.03 then region
            when u_region_override < 0.04 then demo_pick(
                ['Deutschland Nord', 'Deutschland Süd', 'Deutschland West', 'Deutschland Ost', 'Österreich', 'Schweiz'],
                [0.18, 0.42, 0.68, 0.80, 0.92],
                u_override_value
            )
        end as region,
        nps,
        csat,
        ces,
        comments.text as comment,
        with_text_number.language,
        $import_id as import_id,
    from with_text_number
    left join comments
        on comments.topic = with_text_number.topic
        and comments.language = with_text_number.language
        and comments.text_number = with_text_number.text_number
)

-- stored with what the customer record says, each answer's next one and its place among answers at
-- the same moment (cxdata/layout.py), in date order
select
    facts.*,
    coalesce(facts.segment, customers.segment) as fact_segment,
    coalesce(facts.region, customers.region) as fact_region,
    customers.customer_id is not null as fact_customer_known,
    customers.annual_revenue as fact_annual_revenue,
    customers.churned_on as fact_churned_on,
    customers.customer_no as fact_customer_no,
    case when facts.nps is not null and facts.customer_id is not null then
        lead(facts.responded_at) over (
            partition by facts.customer_id, facts.nps is not null
            order by facts.responded_at, facts.response_id
        )
    end as next_nps_at,
    case when facts.nps is not null and facts.customer_id is not null then
        row_number() over (
            partition by facts.customer_id, facts.responded_at, facts.nps is not null
            order by facts.response_id
        ) - 1
    end as nps_moment_rank,
from final as facts
left join main.customers as customers on customers.customer_id = facts.customer_id
order by facts.responded_at;
