-- Two-proportion z-test with the pooled share: (p1 − p0) / sqrt(p(1 − p)(1/n1 + 1/n0)).
create or replace macro share_change_z(hits_1, n_1, hits_0, n_0) as
    case when n_1 > 0 and n_0 > 0 then
        (hits_1 / n_1 - hits_0 / n_0)
        / nullif(sqrt(
            ((hits_1 + hits_0) / (n_1 + n_0)) * (1 - (hits_1 + hits_0) / (n_1 + n_0)) * (1.0 / n_1 + 1.0 / n_0)
        ), 0)
    end;
