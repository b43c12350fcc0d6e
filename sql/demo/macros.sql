-- Helpers of the demo generator, temporary: they live only on the generating connection.
-- Every random number is a hash of (seed, row index, purpose), so the same seed and size
-- give the same data on any run and in any thread order; random()/setseed would not.

-- uniform in [0, 1): the top 53 bits of a hash, exactly representable as a double.
-- hash(seed, i, purpose) would not do: DuckDB combines the hashes of several arguments so
-- weakly that two purposes of one row come out almost perfectly correlated. A purpose key
-- hash(seed, purpose) (a constant) xor the row number, hashed once more, is independent
-- across rows, purposes and seeds. `i` must be a non-negative integer.
create or replace temp macro demo_u(seed, i, purpose) as
    (hash(xor(i::ubigint, hash(seed, purpose))) >> 11)::double / 9007199254740992.0;

-- standard normal by Box-Muller; 1 - u keeps the logarithm finite
create or replace temp macro demo_normal(seed, i, purpose) as
    sqrt(-2 * ln(1 - demo_u(seed, i, purpose || ':radius')))
    * cos(2 * pi() * demo_u(seed, i, purpose || ':angle'));

-- the item whose cumulative-probability bracket holds u: thresholds are the upper
-- bounds of all items but the last, e.g. demo_pick(['a', 'b', 'c'], [0.5, 0.8], u)
create or replace temp macro demo_pick(items, thresholds, u) as
    items[1 + len(list_filter(thresholds, lambda bound: bound <= u))];

-- a day offset in [from_day, to_day) with yearly seasonality: a uniform day is warped by
-- a sine so that density peaks (x1.5 against the trough) at day `peak_day`; a warped day
-- that falls out of the window keeps its uniform place instead, so none leaves it.
-- Pass u as a column, not as a demo_u() call: the macro uses it several times.
create or replace temp macro demo_warp(day, peak_day) as
    day - 0.2 * 365.25 / (2 * pi()) * sin(2 * pi() * (day - peak_day) / 365.25);

create or replace temp macro demo_seasonal_day(from_day, to_day, u, peak_day) as
    case
        when demo_warp(from_day + u * (to_day - from_day), peak_day) >= from_day
         and demo_warp(from_day + u * (to_day - from_day), peak_day) < to_day
            then demo_warp(from_day + u * (to_day - from_day), peak_day)
        else from_day + u * (to_day - from_day)
    end;

-- a clamped, rounded score on a scale
create or replace temp macro demo_score(latent, low, high) as
    least(high, greatest(low, round(latent)))::tinyint;
