"""Upcoming send times of a CleverTap `when` value, for the composer's schedule preview.

Pure functions: no database, no HTTP. The preview shows what the schedule means, so anything it
cannot read yields no times rather than an error; the schedule form reports what is wrong.

Weekdays are CleverTap's numbers: 1 = Sunday, 2 = Monday ... 7 = Saturday. Wall-clock times are
read in the account timezone (`next_send_times`), or with delivery_timezone "user" in each of the
audience's timezones (`next_runs_in_user_time`); one the clocks skip (spring forward) becomes the
instant they jump to, an ambiguous one (fall back) is its first occurrence.

The package: `reading.py` reads a `when` (its times or recurrence and its rules) and keeps what
the preview shows of it (`shown_key`); `sends.py` walks the sends it makes.
"""

from campaigns.schedule.reading import (
    WEEKDAYS,
    Recurring,
    dnd_week_grid,
    in_user_time,
    parse_date,
    parse_date_time,
    recurrence,
    sends_now,
    shown_key,
    zone_named,
)
from campaigns.schedule.sends import (
    DROPPED_CUTOFF,
    DROPPED_DND,
    DROPPED_PASSED,
    SEARCH_HORIZON,
    Run,
    SendTime,
    ZoneSend,
    next_runs_in_user_time,
    next_send_times,
)

__all__ = [
    "DROPPED_CUTOFF",
    "DROPPED_DND",
    "DROPPED_PASSED",
    "SEARCH_HORIZON",
    "WEEKDAYS",
    "Recurring",
    "Run",
    "SendTime",
    "ZoneSend",
    "dnd_week_grid",
    "in_user_time",
    "next_runs_in_user_time",
    "next_send_times",
    "parse_date",
    "parse_date_time",
    "recurrence",
    "sends_now",
    "shown_key",
    "zone_named",
]
