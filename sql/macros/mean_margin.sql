-- 95 % margin of error of a mean (normal approximation): 1.96 · sd / sqrt(n).
create or replace macro mean_margin(sd, n) as
    case when n > 0 then 1.96 * sd / sqrt(n) end;
