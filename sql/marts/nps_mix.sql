-- one row per split group and NPS class in one week or month: the class's share of the group, suppressed below min_n
create or replace macro nps_mix(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    grain := 'month', split_by := null, chosen_period := null
) as table
with

answers as (
    select *
    from nps_answers(
        date_from := date_from, date_to := date_to,
        segments := segments, channels := channels, regions := regions,
        grain := grain, split_by := split_by
    )
    where period = chosen_period
),

classes as (
    select * from (values (1, 'detractor'), (2, 'passive'), (3, 'promoter')) as classes (class_order, nps_class)
),

groups as (
    select
        split_value,
        count(*) as n,
        count(*) filter (where nps_class = 'promoter') as promoters,
        count(*) filter (where nps_class = 'passive') as passives,
        count(*) filter (where nps_class = 'detractor') as detractors,
        suppressed_below(count(*), min_n) as suppressed,
    from answers
    group by split_value
),

final as (
    select
        groups.split_value,
        classes.class_order,
        classes.nps_class,
        groups.n,
        groups.suppressed,
        case
            when groups.suppressed then null
            when classes.nps_class = 'promoter' then groups.promoters
            when classes.nps_class = 'passive' then groups.passives
            else groups.detractors
        end as answers,
        case
            when groups.suppressed then null
            when classes.nps_class = 'promoter' then share_pct(groups.promoters, groups.n)
            when classes.nps_class = 'passive' then share_pct(groups.passives, groups.n)
            else share_pct(groups.detractors, groups.n)
        end as share,
        case when not groups.suppressed then nps_score(groups.promoters, groups.detractors, groups.n) end as nps,
    from groups
    cross join classes
)

select * from final order by split_value, class_order;
