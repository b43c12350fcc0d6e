-- NPS = % promoters (9–10) − % detractors (0–6) among n answers; passives count only in n.
create or replace macro nps_score(promoters, detractors, n) as
    case when n > 0 then 100.0 * (promoters - detractors) / n end;
