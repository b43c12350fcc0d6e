-- A share in percent: hits among n (CSAT top-2-box, CES 5–7, FCR, churn).
create or replace macro share_pct(hits, n) as
    case when n > 0 then 100.0 * hits / n end;
