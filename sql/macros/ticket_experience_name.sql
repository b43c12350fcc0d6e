-- The ticket experience of an NPS answer, named by the worst ticket_outcome_rank before it; null (no ticket) stays null.
create or replace macro ticket_experience_name(outcome_rank) as
    case outcome_rank
        when 1 then 'first_contact'
        when 2 then 'unknown'
        when 3 then 'not_first_contact'
        when 4 then 'still_open'
        when 5 then 'reopened'
    end;
