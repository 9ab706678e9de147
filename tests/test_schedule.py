import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import schedule

# 2026-03-01 is a Sunday (CleverTap weekday 1); Kolkata has no DST and is UTC+05:30.
KOLKATA = ZoneInfo("Asia/Kolkata")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 1, 8, 0, tzinfo=KOLKATA)

DAILY = {
    "type": "recurring",
    "repeat_type": "day",
    "repeats_every": 1,
    "start_time": "20260302 09:00",
}
MONDAY_NIGHT_DND = {"2": ["21:00", "06:00"]}


def kolkata(*args: int) -> datetime:
    return datetime(*args, tzinfo=KOLKATA)


def send_times_at(when, *, now=NOW, account_tz=KOLKATA, count=10) -> list[datetime]:
    found = schedule.next_send_times(when, now=now, account_tz=account_tz, count=count)
    return [send_time.at for send_time in found]


def utc(found: list[datetime]) -> list[datetime]:
    """In UTC, because a time in a DST fold never compares equal to one in another zone."""
    return [moment.astimezone(UTC) for moment in found]


def later(*date_times: str, **extra) -> dict:
    return {"type": "later", "delivery_date_time": list(date_times), **extra}


def dnd(dnd_info: dict, message_state: object = "delay") -> dict:
    return {"message_state": message_state, "dnd_timezone": "account", "dnd_info": dnd_info}


# recurring


def test_daily_runs_every_day_at_the_start_time():
    assert send_times_at(DAILY, count=3) == [
        kolkata(2026, 3, 2, 9, 0),
        kolkata(2026, 3, 3, 9, 0),
        kolkata(2026, 3, 4, 9, 0),
    ]


def test_daily_every_two_days_skips_the_days_between():
    when = {**DAILY, "repeats_every": 2}

    assert send_times_at(when, count=4) == [
        kolkata(2026, 3, 2, 9, 0),
        kolkata(2026, 3, 4, 9, 0),
        kolkata(2026, 3, 6, 9, 0),
        kolkata(2026, 3, 8, 9, 0),
    ]


def test_weekly_runs_only_on_chosen_days_of_every_other_week():
    # Starts Wednesday 4 March: that week's Sunday and Monday are before the start, the week of
    # 8 March is skipped, then Sunday, Monday and Thursday every second week.
    when = {
        "type": "recurring",
        "repeat_type": "week",
        "repeats_every": 2,
        "repeat_on_days_of_week": [5, 1, 2],
        "start_time": "20260304 10:30",
    }

    assert send_times_at(when, count=7) == [
        kolkata(2026, 3, 5, 10, 30),
        kolkata(2026, 3, 15, 10, 30),
        kolkata(2026, 3, 16, 10, 30),
        kolkata(2026, 3, 19, 10, 30),
        kolkata(2026, 3, 29, 10, 30),
        kolkata(2026, 3, 30, 10, 30),
        kolkata(2026, 4, 2, 10, 30),
    ]


def test_weekly_weeks_start_on_sunday():
    # Saturday 7 March ends week 0 (1-7 March); Sunday 8 March opens the skipped week 1.
    when = {
        "type": "recurring",
        "repeat_type": "week",
        "repeats_every": 2,
        "repeat_on_days_of_week": [1, 7],
        "start_time": "20260307 10:00",
    }

    assert send_times_at(when, count=3) == [
        kolkata(2026, 3, 7, 10, 0),
        kolkata(2026, 3, 15, 10, 0),
        kolkata(2026, 3, 21, 10, 0),
    ]


def test_end_by_date_includes_the_whole_last_day():
    when = {**DAILY, "start_time": "20260302 23:30", "end_by_date": "20260304"}

    assert send_times_at(when) == [
        kolkata(2026, 3, 2, 23, 30),
        kolkata(2026, 3, 3, 23, 30),
        kolkata(2026, 3, 4, 23, 30),
    ]


def test_end_by_occurrences_stops_after_that_many_runs():
    when = {
        "type": "recurring",
        "repeat_type": "week",
        "repeats_every": 1,
        "repeat_on_days_of_week": [2, 4],
        "start_time": "20260302 09:00",
        "end_by_occurrences": 3,
    }

    assert send_times_at(when) == [
        kolkata(2026, 3, 2, 9, 0),
        kolkata(2026, 3, 4, 9, 0),
        kolkata(2026, 3, 9, 9, 0),
    ]


def test_runs_before_now_are_not_shown_but_use_up_occurrences():
    when = {**DAILY, "start_time": "20260301 09:00", "end_by_occurrences": 4}
    now = kolkata(2026, 3, 3, 12, 0)

    assert send_times_at(when, now=now) == [kolkata(2026, 3, 4, 9, 0)]


def test_daily_schedule_started_long_ago_counts_its_past_occurrences():
    # Every 3 days from 1 January: occurrence 19 is 27 February, occurrence 20 is 2 March.
    when = {**DAILY, "repeats_every": 3, "start_time": "20260101 09:00", "end_by_occurrences": 25}

    assert send_times_at(when) == [
        kolkata(2026, 3, 2, 9, 0),
        kolkata(2026, 3, 5, 9, 0),
        kolkata(2026, 3, 8, 9, 0),
        kolkata(2026, 3, 11, 9, 0),
        kolkata(2026, 3, 14, 9, 0),
    ]


def test_weekly_schedule_started_long_ago_counts_its_past_occurrences():
    # Mondays and Fridays every other week from Wednesday 7 January: 9 Jan, 19/23 Jan,
    # 2/6 Feb, 16/20 Feb are occurrences 0-6; 2/6 March are 7 and 8, 16 March is the 10th run.
    when = {
        "type": "recurring",
        "repeat_type": "week",
        "repeats_every": 2,
        "repeat_on_days_of_week": [2, 6],
        "start_time": "20260107 10:00",
        "end_by_occurrences": 10,
    }

    assert send_times_at(when) == [
        kolkata(2026, 3, 2, 10, 0),
        kolkata(2026, 3, 6, 10, 0),
        kolkata(2026, 3, 16, 10, 0),
    ]


def test_discarded_runs_still_use_up_occurrences():
    when = {**DAILY, "end_by_occurrences": 3, "dnd": dnd({"3": ["08:00", "10:00"]}, "discard")}

    assert send_times_at(when) == [kolkata(2026, 3, 2, 9, 0), kolkata(2026, 3, 4, 9, 0)]


def test_count_limits_the_number_of_send_times():
    assert len(send_times_at(DAILY, count=5)) == 5
    assert send_times_at(DAILY, count=0) == []


def test_schedule_whose_every_run_is_discarded_gives_nothing():
    every_night = {str(day): ["21:00", "06:00"] for day in range(1, 8)}
    when = {**DAILY, "start_time": "20260302 22:00", "dnd": dnd(every_night, "discard")}

    assert send_times_at(when) == []


# now and later


def test_now_string_gives_now():
    assert schedule.next_send_times("now", now=NOW, account_tz=KOLKATA) == [
        schedule.SendTime(at=NOW, scheduled_for=NOW, delayed=False)
    ]


def test_now_is_shown_in_the_account_timezone():
    now = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)

    [send_time] = schedule.next_send_times({"type": "now"}, now=now, account_tz=KOLKATA)

    assert send_time.at == now
    assert send_time.at.tzinfo is KOLKATA
    assert send_time.at.hour == 8


def test_now_object_is_delayed_by_dnd():
    when = {"type": "now", "dnd": dnd({"1": ["07:00", "09:00"]})}

    assert send_times_at(when) == [kolkata(2026, 3, 1, 9, 0)]


def test_date_time_string_is_a_single_send_at_that_time():
    assert send_times_at("20260305 18:00") == [kolkata(2026, 3, 5, 18, 0)]


def test_date_time_string_in_the_past_gives_nothing():
    assert send_times_at("20260301 07:59") == []


def test_later_skips_past_dates_and_keeps_the_rest():
    when = later("20260228 10:00", "20260301 07:59", "20260301 08:00", "20260305 18:00")

    assert send_times_at(when) == [kolkata(2026, 3, 1, 8, 0), kolkata(2026, 3, 5, 18, 0)]


# DND


def test_dnd_delay_moves_a_send_to_the_end_of_its_window():
    when = later("20260302 22:00", dnd=dnd(MONDAY_NIGHT_DND))

    assert schedule.next_send_times(when, now=NOW, account_tz=KOLKATA) == [
        schedule.SendTime(
            at=kolkata(2026, 3, 3, 6, 0), scheduled_for=kolkata(2026, 3, 2, 22, 0), delayed=True
        )
    ]


def test_dnd_delay_covers_the_after_midnight_part_of_the_previous_days_window():
    # Tuesday has no window of its own; Monday's runs until Tuesday 06:00.
    when = later("20260303 02:00", dnd=dnd(MONDAY_NIGHT_DND))

    assert send_times_at(when) == [kolkata(2026, 3, 3, 6, 0)]


def test_dnd_window_includes_its_start_and_excludes_its_end():
    when = later("20260302 21:00", "20260303 06:00", dnd=dnd(MONDAY_NIGHT_DND))

    found = schedule.next_send_times(when, now=NOW, account_tz=KOLKATA)

    assert [(send_time.at, send_time.delayed) for send_time in found] == [
        (kolkata(2026, 3, 3, 6, 0), True),
        (kolkata(2026, 3, 3, 6, 0), False),
    ]


def test_dnd_applies_only_on_its_own_weekday():
    when = later("20260304 09:05", "20260305 09:05", dnd=dnd({"4": ["09:00", "09:13"]}))

    assert send_times_at(when) == [kolkata(2026, 3, 4, 9, 13), kolkata(2026, 3, 5, 9, 5)]


def test_dnd_delay_runs_on_through_an_overlapping_window():
    when = later("20260302 22:00", dnd=dnd({**MONDAY_NIGHT_DND, "3": ["05:00", "08:00"]}))

    assert send_times_at(when) == [kolkata(2026, 3, 3, 8, 0)]


def test_dnd_discard_drops_sends_in_quiet_hours():
    when = {**DAILY, "start_time": "20260302 22:00", "dnd": dnd(MONDAY_NIGHT_DND, "discard")}

    assert send_times_at(when, count=3) == [
        kolkata(2026, 3, 3, 22, 0),
        kolkata(2026, 3, 4, 22, 0),
        kolkata(2026, 3, 5, 22, 0),
    ]


@pytest.mark.parametrize(
    "dnd_without_state",
    [
        {"dnd_timezone": "account", "dnd_info": MONDAY_NIGHT_DND},
        {"message_state": None, "dnd_timezone": "account", "dnd_info": MONDAY_NIGHT_DND},
    ],
    ids=["absent", "null"],
)
def test_dnd_discards_when_message_state_is_not_given(dnd_without_state):
    when = later("20260302 22:00", "20260303 22:00", dnd=dnd_without_state)

    assert send_times_at(when) == [kolkata(2026, 3, 3, 22, 0)]


@pytest.mark.parametrize(
    ("message_state", "expected"),
    [(1, [datetime(2026, 3, 3, 6, 0, tzinfo=KOLKATA)]), (0, [])],
    ids=["1 delays", "0 discards"],
)
def test_integer_message_state_1_delays_and_0_discards(message_state, expected):
    when = later("20260302 22:00", dnd=dnd(MONDAY_NIGHT_DND, message_state))

    assert send_times_at(when) == expected


# campaign cutoff


@pytest.mark.parametrize(
    ("cutoff", "expected"),
    [
        ("05:00", []),
        ("06:00", []),
        ("07:00", [datetime(2026, 3, 3, 6, 0, tzinfo=KOLKATA)]),
    ],
)
def test_cutoff_on_the_next_morning_drops_a_run_delayed_to_or_past_it(cutoff, expected):
    # Monday 22:00 is delayed to Tuesday 06:00; a cutoff earlier than 22:00 falls on Tuesday.
    when = later("20260302 22:00", dnd=dnd(MONDAY_NIGHT_DND), campaign_cutoff=cutoff)

    assert send_times_at(when) == expected


@pytest.mark.parametrize(
    ("cutoff", "expected"),
    [("09:10", []), ("09:30", [datetime(2026, 3, 4, 9, 13, tzinfo=KOLKATA)])],
)
def test_cutoff_later_the_same_day_drops_a_run_delayed_past_it(cutoff, expected):
    when = later("20260304 09:05", dnd=dnd({"4": ["09:00", "09:13"]}), campaign_cutoff=cutoff)

    assert send_times_at(when) == expected


def test_cutoff_never_drops_a_run_sent_on_time():
    when = later("20260305 09:05", campaign_cutoff="09:00", dnd=dnd({"4": ["09:00", "09:13"]}))

    assert send_times_at(when) == [kolkata(2026, 3, 5, 9, 5)]


# daylight saving time


def test_daily_keeps_its_wall_clock_time_across_dst():
    when = {**DAILY, "start_time": "20260328 09:00"}

    assert send_times_at(when, account_tz=BERLIN, count=2) == [
        datetime(2026, 3, 28, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
    ]


def test_time_skipped_by_spring_forward_moves_to_the_first_valid_instant():
    # Berlin jumps from 02:00 CET to 03:00 CEST on 29 March 2026 (01:00 UTC).
    when = {**DAILY, "start_time": "20260328 02:30"}

    found = send_times_at(when, account_tz=BERLIN, count=3)

    assert found == [
        datetime(2026, 3, 28, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
    ]
    assert (found[1].hour, found[1].minute) == (3, 0)


def test_time_repeated_by_fall_back_uses_its_first_occurrence():
    # Berlin goes back from 03:00 CEST to 02:00 CET on 25 October 2026 (01:00 UTC).
    when = {**DAILY, "start_time": "20261024 02:30"}

    found = send_times_at(when, account_tz=BERLIN, count=3)

    assert utc(found) == [
        datetime(2026, 10, 24, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]
    assert found[1].utcoffset() == timedelta(hours=2)


def test_later_times_across_new_york_dst_changes():
    # 8 March 2026 02:15 does not exist (02:00 EST -> 03:00 EDT); 1 November 01:30 happens twice.
    when = later("20260308 02:15", "20261101 01:30")

    assert utc(send_times_at(when, account_tz=NEW_YORK)) == [
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
    ]


# malformed input


def test_the_base_of_the_malformed_cases_is_valid():
    assert send_times_at(DAILY, count=1) == [kolkata(2026, 3, 2, 9, 0)]


MALFORMED = {
    "none": None,
    "number": 42,
    "list": [],
    "unknown word": "later",
    "dashed date": "2026-03-05 18:00",
    "month 13": "20261305 18:00",
    "hour 24": "20260305 24:00",
    "one-digit hour": "20260305 9:00",
    "empty object": {},
    "unknown type": {"type": "sometimes"},
    "later without dates": {"type": "later"},
    "later with one string": {"type": "later", "delivery_date_time": "20260305 18:00"},
    "later with a bad date": later("20260305 18:00", "tomorrow"),
    "no start_time": {key: value for key, value in DAILY.items() if key != "start_time"},
    "bad start_time": {**DAILY, "start_time": "20260302"},
    "no repeats_every": {key: value for key, value in DAILY.items() if key != "repeats_every"},
    "repeats_every 0": {**DAILY, "repeats_every": 0},
    "repeats_every text": {**DAILY, "repeats_every": "2"},
    "repeats_every bool": {**DAILY, "repeats_every": True},
    "repeat by month": {**DAILY, "repeat_type": "month"},
    "weekly without days": {**DAILY, "repeat_type": "week"},
    "weekly with no days": {**DAILY, "repeat_type": "week", "repeat_on_days_of_week": []},
    "weekday 0": {**DAILY, "repeat_type": "week", "repeat_on_days_of_week": [0]},
    "weekday 8": {**DAILY, "repeat_type": "week", "repeat_on_days_of_week": [2, 8]},
    "weekday text": {**DAILY, "repeat_type": "week", "repeat_on_days_of_week": ["2"]},
    "dashed end_by_date": {**DAILY, "end_by_date": "2026-03-10"},
    "end_by_occurrences 0": {**DAILY, "end_by_occurrences": 0},
    "end_by_occurrences text": {**DAILY, "end_by_occurrences": "3"},
    "cutoff 25:00": {**DAILY, "campaign_cutoff": "25:00"},
    "cutoff number": {**DAILY, "campaign_cutoff": 1200},
    "unknown delivery_timezone": {**DAILY, "delivery_timezone": "mars"},
    "wrap_around text": {**DAILY, "user_timezone_wrap_around": "yes"},
    "dnd text": {**DAILY, "dnd": "yes"},
    "dnd without dnd_info": {**DAILY, "dnd": {"message_state": "delay"}},
    "unknown message_state": {**DAILY, "dnd": dnd(MONDAY_NIGHT_DND, "later")},
    "message_state 2": {**DAILY, "dnd": dnd(MONDAY_NIGHT_DND, 2)},
    "message_state bool": {**DAILY, "dnd": dnd(MONDAY_NIGHT_DND, True)},
    "unknown dnd_timezone": {**DAILY, "dnd": {**dnd(MONDAY_NIGHT_DND), "dnd_timezone": "x"}},
    "dnd_info list": {**DAILY, "dnd": dnd([["21:00", "06:00"]])},
    "dnd_info day 8": {**DAILY, "dnd": dnd({"8": ["21:00", "06:00"]})},
    "dnd_info one time": {**DAILY, "dnd": dnd({"2": ["21:00"]})},
    "dnd_info text window": {**DAILY, "dnd": dnd({"2": "21:00-06:00"})},
    "dnd_info bad time": {**DAILY, "dnd": dnd({"2": ["21:00", "6:00"]})},
}


@pytest.mark.parametrize("when", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_when_gives_no_send_times(when):
    assert schedule.next_send_times(when, now=NOW, account_tz=KOLKATA) == []


def test_start_time_near_year_9999_gives_what_fits_in_the_calendar():
    when = {**DAILY, "start_time": "99991230 09:00"}

    assert send_times_at(when) == [kolkata(9999, 12, 30, 9, 0), kolkata(9999, 12, 31, 9, 0)]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=12,
)
PLAUSIBLE = (
    st.sampled_from(
        ["now", "20260305 18:00", "20260229 10:00", "20260305", "21:00", "06:00", "24:00"]
    )
    | st.integers(min_value=-2, max_value=9)
    | st.booleans()
    | JSON
)
CLOCKS = st.sampled_from(["00:00", "05:00", "06:00", "09:00", "21:00", "23:59", "6:00"])
DND = st.fixed_dictionaries(
    {},
    optional={
        "message_state": st.sampled_from(["delay", "discard", 0, 1, 2, True]) | PLAUSIBLE,
        "dnd_timezone": st.sampled_from(["user", "account"]) | PLAUSIBLE,
        "dnd_info": st.dictionaries(
            st.sampled_from(["0", "1", "2", "3", "4", "5", "6", "7", "8", 2]),
            st.lists(CLOCKS, max_size=3) | PLAUSIBLE,
            max_size=7,
        )
        | PLAUSIBLE,
    },
)
WHEN_OBJECTS = st.fixed_dictionaries(
    {"type": st.sampled_from(["now", "later", "recurring"]) | PLAUSIBLE},
    optional={
        "delivery_date_time": st.lists(
            st.sampled_from(["20260301 07:00", "20260305 18:00", "20260308 02:15", "x"]),
            max_size=4,
        )
        | PLAUSIBLE,
        "repeat_type": st.sampled_from(["day", "week"]) | PLAUSIBLE,
        "repeats_every": st.integers(min_value=-1, max_value=10**9) | PLAUSIBLE,
        "start_time": st.sampled_from(["20260302 22:00", "19991231 23:59", "99991231 23:59"])
        | PLAUSIBLE,
        "end_by_date": st.sampled_from(["20260310", "20260230"]) | PLAUSIBLE,
        "end_by_occurrences": st.integers(min_value=-1, max_value=50) | PLAUSIBLE,
        "repeat_on_days_of_week": st.lists(st.integers(min_value=0, max_value=8), max_size=8)
        | PLAUSIBLE,
        "delivery_timezone": st.sampled_from(["user", "account"]) | PLAUSIBLE,
        "user_timezone_wrap_around": PLAUSIBLE,
        "campaign_cutoff": CLOCKS | PLAUSIBLE,
        "dnd": DND | PLAUSIBLE,
    },
)


@settings(deadline=None, max_examples=300)
@given(when=WHEN_OBJECTS | JSON | st.text(max_size=20))
def test_any_json_when_gives_a_list_without_raising(when):
    found = schedule.next_send_times(when, now=NOW, account_tz=BERLIN, count=5)

    assert len(found) <= 5
    for send_time in found:
        assert NOW <= send_time.scheduled_for <= send_time.at
        assert send_time.delayed == (send_time.at != send_time.scheduled_for)


@settings(deadline=None)
@given(dnd_info=DND.map(lambda value: value.get("dnd_info")) | JSON)
def test_dnd_week_grid_never_raises(dnd_info):
    grid = schedule.dnd_week_grid(dnd_info)

    assert sorted(grid) == [1, 2, 3, 4, 5, 6, 7]


# dnd_week_grid


def test_dnd_week_grid_splits_a_window_crossing_midnight():
    grid = schedule.dnd_week_grid({"2": ["21:00", "06:00"], "5": ["09:00", "09:13"]})

    assert grid == {
        1: [],
        2: [(time(21, 0), time.max)],
        3: [(time(0, 0), time(6, 0))],
        4: [],
        5: [(time(9, 0), time(9, 13))],
        6: [],
        7: [],
    }


def test_dnd_week_grid_carries_saturday_night_into_sunday():
    grid = schedule.dnd_week_grid({"7": ["22:00", "07:00"]})

    assert grid[7] == [(time(22, 0), time.max)]
    assert grid[1] == [(time(0, 0), time(7, 0))]


def test_dnd_week_grid_window_ending_at_midnight_has_no_tail():
    grid = schedule.dnd_week_grid({"2": ["21:00", "00:00"]})

    assert grid[2] == [(time(21, 0), time.max)]
    assert grid[3] == []


def test_dnd_week_grid_sorts_a_days_intervals():
    grid = schedule.dnd_week_grid({"2": ["21:00", "06:00"], "3": ["05:00", "08:00"]})

    assert grid[3] == [(time(0, 0), time(6, 0)), (time(5, 0), time(8, 0))]


def test_dnd_week_grid_skips_bad_entries():
    grid = schedule.dnd_week_grid(
        {
            "2": ["21:00", "06:00"],
            "9": ["21:00", "06:00"],
            "4": ["bad", "06:00"],
            "5": "21:00",
            "6": ["10:00", "10:00"],
        }
    )

    assert grid == {1: [], 2: [(time(21, 0), time.max)], 3: [(time(0, 0), time(6, 0))]} | {
        day: [] for day in (4, 5, 6, 7)
    }


@pytest.mark.parametrize("dnd_info", [None, "21:00-06:00", [["21:00", "06:00"]]])
def test_dnd_week_grid_of_something_else_is_empty(dnd_info):
    assert schedule.dnd_week_grid(dnd_info) == {day: [] for day in range(1, 8)}


# parsing


def test_parse_date_time_reads_a_wall_clock_time():
    assert schedule.parse_date_time("20260305 18:05") == datetime(2026, 3, 5, 18, 5)


@pytest.mark.parametrize(
    "value",
    [
        "20260230 10:00",
        "20260305 24:00",
        "20260305 18:60",
        "2026035 18:00",
        "20260305T18:00",
        "20260305 18:00 ",
        "００260305 18:00",
        "20260305",
        "",
        None,
        202603051800,
    ],
)
def test_parse_date_time_rejects_anything_else(value):
    assert schedule.parse_date_time(value) is None


def test_parse_date_reads_a_date():
    assert schedule.parse_date("20260305") == date(2026, 3, 5)


@pytest.mark.parametrize("value", ["20260230", "2026-03-05", "20260305 18:00", "", None, 20260305])
def test_parse_date_rejects_anything_else(value):
    assert schedule.parse_date(value) is None


# delivery in user time: the same wall-clock time in each of the audience's timezones

ZONES = ("Asia/Kolkata", "Europe/London", "America/New_York")
# Monday 2 March 2026, 10:00 local: 10:00 in Kolkata, 15:30 there for London, 20:30 for New York.
IN_USER_TIME = later("20260302 10:00", delivery_timezone="user")


def runs_of(when, *, now=NOW, zones=ZONES, count=10) -> list[schedule.Run]:
    return schedule.next_runs_in_user_time(
        when, now=now, account_tz=KOLKATA, zones=zones, count=count
    )


def sends_of(run: schedule.Run) -> list[tuple[str, datetime | None, str]]:
    return [(send.zone, send.at and send.at.astimezone(UTC), send.dropped) for send in run.sends]


def test_in_user_time_is_delivery_timezone_user():
    assert schedule.in_user_time(IN_USER_TIME)
    assert not schedule.in_user_time(later("20260302 10:00", delivery_timezone="account"))
    assert not schedule.in_user_time(later("20260302 10:00"))
    assert not schedule.in_user_time("20260302 10:00")


def test_a_time_in_user_time_comes_in_each_timezone_in_turn():
    [run] = runs_of(IN_USER_TIME)

    assert run.wall == datetime(2026, 3, 2, 10, 0)
    assert run.sends == (
        schedule.ZoneSend("Asia/Kolkata", kolkata(2026, 3, 2, 10, 0), kolkata(2026, 3, 2, 10, 0)),
        schedule.ZoneSend(
            "Europe/London", kolkata(2026, 3, 2, 15, 30), kolkata(2026, 3, 2, 15, 30)
        ),
        schedule.ZoneSend(
            "America/New_York", kolkata(2026, 3, 2, 20, 30), kolkata(2026, 3, 2, 20, 30)
        ),
    )
    assert all(send.at.tzinfo is KOLKATA for send in run.sends)
    assert run.cutoff_at is None


def test_the_cutoff_stops_a_run_in_user_time_where_its_time_comes_too_late():
    # The run starts at 10:00 in Kolkata; the 18:00 cutoff comes before New York's 10:00.
    [run] = runs_of({**IN_USER_TIME, "campaign_cutoff": "18:00"})

    assert run.cutoff_at == kolkata(2026, 3, 2, 18, 0)
    assert sends_of(run) == [
        ("Asia/Kolkata", datetime(2026, 3, 2, 4, 30, tzinfo=UTC), ""),
        ("Europe/London", datetime(2026, 3, 2, 10, 0, tzinfo=UTC), ""),
        ("America/New_York", None, schedule.DROPPED_CUTOFF),
    ]


def test_a_cutoff_before_the_runs_first_send_ends_it_the_next_day():
    [run] = runs_of({**IN_USER_TIME, "campaign_cutoff": "09:00"})

    assert run.cutoff_at == kolkata(2026, 3, 3, 9, 0)
    assert [send.dropped for send in run.sends] == ["", "", ""]


def test_a_cutoff_that_leaves_only_one_timezone():
    [run] = runs_of({**IN_USER_TIME, "campaign_cutoff": "15:00"})

    assert [send.zone for send in run.sends if send.at] == ["Asia/Kolkata"]


@pytest.mark.parametrize(
    ("wrap", "kolkata_send"),
    [
        (True, ("Asia/Kolkata", datetime(2026, 3, 3, 4, 30, tzinfo=UTC), "")),
        (False, ("Asia/Kolkata", None, schedule.DROPPED_PASSED)),
    ],
    ids=["wrap around: the next day", "no wrap around: dropped"],
)
def test_a_timezone_whose_time_has_passed_follows_user_timezone_wrap_around(wrap, kolkata_send):
    now = kolkata(2026, 3, 2, 12, 0)  # 10:00 has passed in Kolkata, not in London or New York
    [run] = runs_of({**IN_USER_TIME, "user_timezone_wrap_around": wrap}, now=now)

    assert sorted(sends_of(run)) == sorted(
        [
            kolkata_send,
            ("Europe/London", datetime(2026, 3, 2, 10, 0, tzinfo=UTC), ""),
            ("America/New_York", datetime(2026, 3, 2, 15, 0, tzinfo=UTC), ""),
        ]
    )
    assert next(send for send in run.sends if send.zone == "Asia/Kolkata").next_day is wrap


def test_a_run_past_in_every_timezone_is_not_shown():
    assert runs_of(IN_USER_TIME, now=kolkata(2026, 3, 3, 12, 0)) == []


def test_dnd_in_user_time_holds_each_send_in_its_own_quiet_hours():
    quiet = {
        "message_state": "delay",
        "dnd_timezone": "user",
        "dnd_info": {"2": ["09:00", "11:00"]},
    }
    [run] = runs_of({**IN_USER_TIME, "dnd": quiet})

    assert [(send.at.astimezone(UTC), send.delayed) for send in run.sends] == [
        (datetime(2026, 3, 2, 5, 30, tzinfo=UTC), True),  # 11:00 in Kolkata
        (datetime(2026, 3, 2, 11, 0, tzinfo=UTC), True),  # 11:00 in London
        (datetime(2026, 3, 2, 16, 0, tzinfo=UTC), True),  # 11:00 in New York
    ]


def test_dnd_in_account_time_holds_only_the_sends_in_the_accounts_quiet_hours():
    quiet = {"message_state": "discard", "dnd_timezone": "account", "dnd_info": MONDAY_NIGHT_DND}
    [run] = runs_of({**IN_USER_TIME, "dnd": quiet})

    # Monday 21:00-06:00 in Kolkata: New York's 10:00 (20:30 here) is before it, so all are sent.
    assert [send.dropped for send in run.sends] == ["", "", ""]
    night = {**quiet, "dnd_info": {"2": ["20:00", "06:00"]}}
    [run] = runs_of({**IN_USER_TIME, "dnd": night})
    assert [send.dropped for send in run.sends] == ["", "", schedule.DROPPED_DND]


def test_recurring_in_user_time_gives_a_run_a_day_and_never_wraps_around():
    when = {**DAILY, "start_time": "20260302 10:00", "delivery_timezone": "user"}
    when["user_timezone_wrap_around"] = True
    runs = runs_of(when, now=kolkata(2026, 3, 2, 12, 0), count=2)

    assert [run.wall for run in runs] == [datetime(2026, 3, 2, 10, 0), datetime(2026, 3, 3, 10, 0)]
    assert sends_of(runs[0])[0] == ("Asia/Kolkata", None, schedule.DROPPED_PASSED)
    assert [send.dropped for send in runs[1].sends] == ["", "", ""]


def test_now_in_user_time_sends_at_once_everywhere():
    [run] = runs_of({"type": "now", "delivery_timezone": "user"})

    assert run.wall is None
    assert [send.at for send in run.sends] == [NOW, NOW, NOW]


@pytest.mark.parametrize("when", list(MALFORMED.values())[:12], ids=list(MALFORMED)[:12])
def test_malformed_when_in_user_time_gives_no_runs(when):
    if isinstance(when, dict):
        when = {**when, "delivery_timezone": "user"}
    assert runs_of(when) == []


@settings(deadline=None, max_examples=100)
@given(when=WHEN_OBJECTS.map(lambda when: {**when, "delivery_timezone": "user"}))
def test_any_json_when_in_user_time_gives_runs_without_raising(when):
    runs = runs_of(when, count=3)

    assert len(runs) <= 3
    for run in runs:
        assert any(send.at is not None for send in run.sends)
        for send in run.sends:
            assert (send.at is None) == bool(send.dropped)
            if send.at is not None:
                assert NOW <= send.scheduled_for <= send.at


def test_sends_now_and_recurrence_read_the_kind_of_schedule():
    weekly = {
        "type": "recurring",
        "start_time": "20261212 10:00",
        "repeat_type": "week",
        "repeats_every": 2,
        "repeat_on_days_of_week": [2, 7],
    }
    assert schedule.sends_now("now") and schedule.sends_now({"type": "now"})
    assert not schedule.sends_now("20261212 10:00") and not schedule.sends_now("soon")
    assert schedule.recurrence(weekly) == schedule.Recurring(
        start=datetime(2026, 12, 12, 10, 0),
        every=2,
        weekdays=(2, 7),
        end_by_date=None,
        end_by_occurrences=None,
    )
    assert schedule.recurrence("now") is None
    assert schedule.recurrence({**weekly, "repeats_every": 0}) is None


# `shown_key`: schedules that show the same (for the same now and timezones) share a key; the
# composer keeps the drawn schedule under it.
_RECURRING = {
    "type": "recurring",
    "repeat_type": "week",
    "repeats_every": 1,
    "repeat_on_days_of_week": [2],
    "start_time": "20260302 10:00",
}
_LATER = {"type": "later", "delivery_date_time": ["20260302 10:00"]}
_DND = {"message_state": "delay", "dnd_timezone": "user", "dnd_info": {"2": ["21:00", "06:00"]}}
SHOWN_WHENS = [
    "now",
    "20260302 10:00",
    {"type": "now"},
    {"type": "now", "repeats_every": " x1"},
    {"type": "now", "end_by_occurrences": " x2"},
    {"type": "now", "delivery_timezone": "user"},
    {"type": "now", "delivery_timezone": "user", "repeats_every": " x3"},
    {"type": "now", "dnd": _DND},
    {"type": "now", "dnd": {**_DND, "dnd_info": {"2": ["22:00", "06:00"]}}},
    {"type": "now", "dnd": {**_DND, "dnd_info": "broken"}},
    _LATER,
    {**_LATER, "repeats_every": 2},
    {**_LATER, "delivery_date_time": ["20260302 11:00"]},
    {**_LATER, "delivery_timezone": "user"},
    {**_LATER, "delivery_timezone": "user", "user_timezone_wrap_around": True},
    {**_LATER, "campaign_cutoff": "10:30"},
    _RECURRING,
    {**_RECURRING, "repeats_every": 2},
    {**_RECURRING, "delivery_date_time": " x4"},
    {**_RECURRING, "end_by_occurrences": 3},
    {"type": "later"},
    {"type": "later", "delivery_date_time": ["soon"]},
    {"type": "bogus"},
]


def _shown(when) -> dict | None:
    from campaigns import previews

    zones = {"Asia/Kolkata": 3, "America/New_York": 2, "Pacific/Auckland": 1}
    return previews.schedule_preview(
        {"when": when}, now=NOW, account_tz=KOLKATA, audience_timezones=lambda: zones
    )


def test_schedules_with_the_same_shown_key_show_the_same():
    keys = [schedule.shown_key(when) for when in SHOWN_WHENS]
    shown = [_shown(when) for when in SHOWN_WHENS]
    for i, j in itertools.combinations(range(len(SHOWN_WHENS)), 2):
        if keys[i] == keys[j]:
            assert shown[i] == shown[j], (SHOWN_WHENS[i], SHOWN_WHENS[j])
    # Keys never read by the type of schedule share its key; what is read does not.
    assert keys[2] == keys[3] == keys[4] == keys[0]
    assert keys[5] == keys[6] != keys[2]
    assert keys[11] == keys[10] != keys[12]
    assert keys[18] == keys[16] != keys[17]
    assert len({keys[7], keys[8], keys[9], keys[2]}) == 4
    assert len({keys[10], keys[13], keys[14], keys[15], keys[19]}) == 5
    assert keys[20] == keys[22] == keys[21]
