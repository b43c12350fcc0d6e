-- The fact tables carry the segment and region that apply to each row (fact_segment, fact_region)
-- and are rewritten in date order.
--
-- Why: every filtered page query otherwise joins the 2M-row customers table to find a row's
-- segment, and a date window otherwise touches every row group (rows stored in import order
-- leave DuckDB's min/max zone maps nothing to skip). BENCHMARKS.md measures both.
--
-- The four large tables lose their primary keys: the ART index cost about 1 s per million
-- rows inserted and no query uses it. Their keys stay unique because the import keys every
-- row by its id (cxdata/ingest/load.py, which also refuses a load that would duplicate one);
-- cxdata/layout.py keeps fact_segment and fact_region in step with the customers table.

create table responses_006 (
    response_id  varchar not null,
    customer_id  varchar,
    responded_at timestamp not null,
    survey       varchar,
    channel      varchar,
    touchpoint   varchar,
    segment      varchar,
    region       varchar,
    nps          tinyint check (nps between 0 and 10),
    csat         tinyint check (csat between 1 and 5),
    ces          tinyint check (ces between 1 and 7),
    comment      varchar,
    language     varchar,
    import_id    bigint,
    -- a response's own segment and region override its customer's
    fact_segment varchar,
    fact_region  varchar
);

insert into responses_006
select responses.*, coalesce(responses.segment, customers.segment), coalesce(responses.region, customers.region)
from responses
left join customers on customers.customer_id = responses.customer_id
order by responses.responded_at;

drop table responses;
alter table responses_006 rename to responses;

create table response_ratings_006 (
    response_id varchar not null,
    attribute   varchar not null,
    rating      double not null,
    scale_min   double not null,
    scale_max   double not null,
    check (scale_min < scale_max),
    check (rating between scale_min and scale_max)
);

insert into response_ratings_006 select * from response_ratings;
drop table response_ratings;
alter table response_ratings_006 rename to response_ratings;

create table tickets_006 (
    ticket_id         varchar not null,
    customer_id       varchar,
    created_at        timestamp not null,
    first_response_at timestamp,
    resolved_at       timestamp,
    channel           varchar,
    category          varchar,
    priority          varchar check (priority in ('low', 'normal', 'high', 'urgent')),
    status            varchar check (status in ('new', 'open', 'pending', 'hold', 'solved', 'closed')),
    replies           integer check (replies >= 0),
    reopens           integer check (reopens >= 0),
    csat              tinyint check (csat between 1 and 5),
    import_id         bigint,
    fact_segment      varchar,
    fact_region       varchar,
    check (first_response_at is null or first_response_at >= created_at),
    check (resolved_at is null or resolved_at >= created_at)
);

insert into tickets_006
select tickets.*, customers.segment, customers.region
from tickets
left join customers on customers.customer_id = tickets.customer_id
order by tickets.created_at;

drop table tickets;
alter table tickets_006 rename to tickets;

create table journey_events_006 (
    event_id     varchar not null,
    journey_id   varchar not null,
    customer_id  varchar,
    occurred_at  timestamp not null,
    stage        varchar not null check (stage in ('awareness', 'consideration', 'purchase', 'service', 'loyalty')),
    touchpoint   varchar not null,
    channel      varchar,
    emotion      double check (emotion between -1 and 1),
    outcome      varchar check (outcome in ('completed', 'abandoned')),
    import_id    bigint,
    fact_segment varchar,
    fact_region  varchar
);

insert into journey_events_006
select journey_events.*, customers.segment, customers.region
from journey_events
left join customers on customers.customer_id = journey_events.customer_id
order by journey_events.occurred_at;

drop table journey_events;
alter table journey_events_006 rename to journey_events;
