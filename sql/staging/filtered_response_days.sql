-- one row per answer day, segment, region, channel and touchpoint inside the global filters: the stored day counts (response_day_counts)
-- The same filter as filtered_responses, on the answers' day counts: a day is inside the window
-- exactly when its answers are.
create or replace macro filtered_response_days(
    date_from := null, date_to := null, segments := null, channels := null, regions := null
) as table
select *
from main.response_day_counts
where (date_from is null or day >= date_from::date)
  and (date_to is null or day <= date_to::date)
  and (segments is null or list_contains(segments, segment))
  and (channels is null or list_contains(channels, channel))
  and (regions is null or list_contains(regions, region));
