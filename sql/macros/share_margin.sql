-- 95 % margin of error of a share in percent (normal approximation): 1.96 · 100 · sqrt(p(1 − p) / n).
create or replace macro share_margin(hits, n) as
    case when n > 0 then 1.96 * 100.0 * sqrt((hits / n) * (1 - hits / n) / n) end;
