-- one row per support ticket created inside the global filters
create or replace macro filtered_tickets(
    date_from := null, date_to := null, segments := null, channels := null, regions := null
) as table
select *
from ticket_facts
where (date_from is null or created_at >= date_from::date)
  and (date_to is null or created_at < date_to::date + interval 1 day)
  and (segments is null or list_contains(segments, segment))
  and (channels is null or list_contains(channels, channel))
  and (regions is null or list_contains(regions, region));
