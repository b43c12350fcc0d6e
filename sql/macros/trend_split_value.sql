-- The group a row of the NPS trend falls in when split by segment or channel ("All answers"
-- unsplit); a row without the value is "Not recorded".
create or replace macro trend_split_value(split_by, segment, channel) as
    coalesce(
        case
            when split_by = 'segment' then segment
            when split_by = 'channel' then channel
            else 'All answers'
        end,
        'Not recorded'
    );
