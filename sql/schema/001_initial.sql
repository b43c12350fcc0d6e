-- The canonical CX schema. Column names are an interface: other tools read them.
-- No foreign keys: exports arrive in any order (responses before their customers),
-- and DuckDB foreign keys would block the deletes that undo and forget need.

create sequence if not exists import_id_seq start 1;

create table imports (
    import_id     bigint primary key,
    kind          varchar not null check (kind in ('survey', 'tickets', 'journey', 'customers', 'touchpoints', 'demo')),
    file_name     varchar,
    sha256        varchar,
    rows_read     bigint not null default 0 check (rows_read >= 0),
    rows_loaded   bigint not null default 0 check (rows_loaded >= 0),
    rows_rejected bigint not null default 0 check (rows_rejected >= 0),
    started_at    timestamp not null,
    finished_at   timestamp,
    status        varchar not null check (status in ('loaded', 'undone'))
);

create table customers (
    customer_id    varchar primary key,
    segment        varchar,
    region         varchar,
    plan           varchar,
    signup_date    date,
    annual_revenue decimal(14, 2) check (annual_revenue >= 0),
    churned_on     date,
    check (churned_on is null or signup_date is null or churned_on >= signup_date)
);

create table touchpoints (
    touchpoint      varchar primary key,
    stage           varchar not null check (stage in ('awareness', 'consideration', 'purchase', 'service', 'loyalty')),
    position        integer not null,
    moment_of_truth varchar check (moment_of_truth in ('ZMOT', 'FMOT', 'SMOT', 'UMOT')),
    description     varchar
);

create table responses (
    response_id  varchar primary key,
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
    import_id    bigint
);

create table response_ratings (
    response_id varchar not null,
    attribute   varchar not null,
    rating      double not null,
    scale_min   double not null,
    scale_max   double not null,
    primary key (response_id, attribute),
    check (scale_min < scale_max),
    check (rating between scale_min and scale_max)
);

create table tickets (
    ticket_id         varchar primary key,
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
    check (first_response_at is null or first_response_at >= created_at),
    check (resolved_at is null or resolved_at >= created_at)
);

create table journey_events (
    event_id    varchar primary key,
    journey_id  varchar not null,
    customer_id varchar,
    occurred_at timestamp not null,
    stage       varchar not null check (stage in ('awareness', 'consideration', 'purchase', 'service', 'loyalty')),
    touchpoint  varchar not null,
    channel     varchar,
    emotion     double check (emotion between -1 and 1),
    outcome     varchar check (outcome in ('completed', 'abandoned')),
    import_id   bigint
);
