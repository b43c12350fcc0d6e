-- The class of an NPS answer (0–10): promoter 9–10, passive 7–8, detractor 0–6; null without an answer.
create or replace macro nps_class(nps) as
    case
        when nps >= 9 then 'promoter'
        when nps >= 7 then 'passive'
        when nps >= 0 then 'detractor'
    end;
