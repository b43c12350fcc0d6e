-- one row per journey event inside the global filters
create or replace macro filtered_journey_events(
    date_from := null, date_to := null, segments := null, channels := null, regions := null
) as table
select *
from journey_facts
where (date_from is null or occurred_at >= date_from::date)
  and (date_to is null or occurred_at < date_to::date + interval 1 day)
  and (segments is null or list_contains(segments, segment))
  and (channels is null or list_contains(channels, channel))
  and (regions is null or list_contains(regions, region));
