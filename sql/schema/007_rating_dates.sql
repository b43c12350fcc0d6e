-- Ratings carry their response's responded_at and are rewritten in its order.
--
-- Why: the importance-vs-performance chart reads the ratings of a date window. Without a date
-- of their own, every query scanned all ratings (15M at 10M responses) and probed each against
-- the window's responses; with it, the window's row groups are read and the rest skipped.
-- cxdata/layout.py keeps responded_at in step with the response (the import writes both together).

create table response_ratings_007 (
    response_id  varchar not null,
    attribute    varchar not null,
    rating       double not null,
    scale_min    double not null,
    scale_max    double not null,
    responded_at timestamp,
    check (scale_min < scale_max),
    check (rating between scale_min and scale_max)
);

insert into response_ratings_007
select ratings.*, responses.responded_at
from response_ratings as ratings
left join responses on responses.response_id = ratings.response_id
order by responses.responded_at;

drop table response_ratings;
alter table response_ratings_007 rename to response_ratings;
