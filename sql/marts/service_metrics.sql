-- one row per period (null for the whole range), group of the chosen dimension and service metric
-- One view of service_metric_views (sql/marts/service_metric_views.sql, where the metrics are
-- defined): with grain 'total' each group over the whole range (dimension 'all': all tickets as one
-- group), else each group per period.
create or replace macro service_metrics(
    date_from := null, date_to := null, segments := null, channels := null, regions := null, min_n := 10,
    dimension := 'all', grain := 'total'
) as table
select * exclude (view)
from service_metric_views(
    date_from := date_from, date_to := date_to, segments := segments, channels := channels, regions := regions,
    min_n := min_n, dimension := dimension, grain := grain
)
where view = case when grain = 'total' then 'by_group' else 'by_period' end;
