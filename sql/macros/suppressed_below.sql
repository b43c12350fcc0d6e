-- A group below the minimum n is suppressed: its figures are never shown as numbers.
create or replace macro suppressed_below(n, min_n) as
    coalesce(n, 0) < min_n;
