-- How a ticket turned out for its customer, worst highest: 5 reopened, 4 still open, 3 resolved but not at first
-- contact, 2 resolved with its replies or reopens not recorded, 1 resolved at first contact. An NPS answer that
-- followed several tickets takes the worst of them (ticket_experience_name names it).
create or replace macro ticket_outcome_rank(reopens, is_resolved, is_fcr) as
    case
        when reopens > 0 then 5
        when not is_resolved then 4
        when is_fcr = false then 3
        when is_fcr is null then 2
        else 1
    end;
