-- z statistic of the change in NPS between two independent periods, each with the
-- NPS variance 100² · ((p + d) − (p − d)²) / n. |z| > 1.96 is significant at 95 %.
create or replace macro nps_change_z(promoters_1, detractors_1, n_1, promoters_0, detractors_0, n_0) as
    case when n_1 > 0 and n_0 > 0 then
        (nps_score(promoters_1, detractors_1, n_1) - nps_score(promoters_0, detractors_0, n_0))
        / nullif(sqrt(
            10000.0 * ((promoters_1 + detractors_1) / n_1 - power((promoters_1 - detractors_1) / n_1, 2)) / n_1
            + 10000.0 * ((promoters_0 + detractors_0) / n_0 - power((promoters_0 - detractors_0) / n_0, 2)) / n_0
        ), 0)
    end;
