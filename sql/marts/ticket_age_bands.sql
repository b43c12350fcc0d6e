-- one row per backlog age band, in order: from_days inclusive, to_days exclusive (null = no upper end)
create or replace view ticket_age_bands as
with

bands as (
    select * from (values
        (1, 'Under 1 day', 0.0, 1.0),
        (2, '1–3 days', 1.0, 3.0),
        (3, '3–7 days', 3.0, 7.0),
        (4, '1–4 weeks', 7.0, 28.0),
        (5, 'Over 4 weeks', 28.0, null)
    ) as bands(band_order, age_band, from_days, to_days)
),

final as (
    select * from bands
)

select * from final;
