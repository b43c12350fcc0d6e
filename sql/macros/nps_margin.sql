-- 95 % margin of error of NPS: 1.96 · 100 · sqrt(((p + d) − (p − d)²) / n), p and d the shares.
create or replace macro nps_margin(promoters, detractors, n) as
    case when n > 0 then 1.96 * 100.0 * sqrt(
        ((promoters + detractors) / n - power((promoters - detractors) / n, 2)) / n
    ) end;
