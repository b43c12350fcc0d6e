-- one row per touchpoint of the demo catalogue
insert into touchpoints (touchpoint, stage, position, moment_of_truth, description, import_id)
select
    touchpoint,
    stage,
    position,
    moment_of_truth,
    description,
    $import_id,
from demo_touchpoint_catalogue;
