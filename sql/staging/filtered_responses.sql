-- one row per survey response inside the global filters (null filter = no restriction)
create or replace macro filtered_responses(
    date_from := null, date_to := null, segments := null, channels := null, regions := null
) as table
select *
from response_facts
where (date_from is null or responded_at >= date_from::date)
  and (date_to is null or responded_at < date_to::date + interval 1 day)
  and (segments is null or list_contains(segments, segment))
  and (channels is null or list_contains(channels, channel))
  and (regions is null or list_contains(regions, region));
