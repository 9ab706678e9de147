import functools
from datetime import UTC, datetime

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import payloads
from campaigns.forms import schedule as schedule_forms
from campaigns.jsonpath import same_json
from campaigns.models import Api
from tests import payload_checks
from tests.reference_examples import reference_examples

EMAIL = {"subject": "s", "body": "<p>b</p>", "sender_name": "n"}
BASE = {"name": "x", "target_mode": "email", "content": EMAIL, "where": {}, "when": "now"}
TARGETS = [e for e in reference_examples() if e.endpoint == payloads.TARGETS_ENDPOINT]
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FUTURE = "20260311 09:00"
LATER = "20260312 09:00"
PAST = "20260310 11:59"


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch, settings):
    settings.TIME_ZONE = "UTC"
    monkeypatch.setattr(schedule_forms, "current_time", lambda: NOW)


def when(value):
    return BASE | {"when": value}


# These parts are the same for every channel: email stands for them all.
errors = functools.partial(payload_checks.errors, channel="email")
messages_at = functools.partial(payload_checks.messages_at, channel="email")
round_trips = functools.partial(payload_checks.round_trips, channel="email")
extras = functools.partial(payload_checks.extras, channel="email")


def recurring(**more):
    value = {"type": "recurring", "repeat_type": "day", "repeats_every": 1, "start_time": FUTURE}
    return when({k: v for k, v in (value | more).items() if v is not None})


@pytest.mark.parametrize("example", TARGETS, ids=lambda e: e.name)
def test_every_targets_examples_when_is_read_by_the_schedule_form(example):
    target = {"api": Api.TARGETS, "channel": example.channel}
    assert payload_checks.extras_in(example.body, "when", **target) == {}
    assert payload_checks.errors_in(example.body, "when", **target) == []


def test_the_string_now_comes_back_as_the_string():
    rebuilt = payload_checks.through_the_browser(BASE, api=Api.TARGETS, channel="email")
    assert rebuilt["when"] == "now"
    assert extras(BASE) == {} and errors(BASE) == []


def test_an_object_of_type_now_comes_back_as_the_object():
    body = when({"type": "now"})
    assert payload_checks.through_the_browser(body, api=Api.TARGETS, channel="email")["when"] == {
        "type": "now"
    }
    assert extras(body) == {} and errors(body) == []


def test_a_date_time_string_comes_back_as_the_string():
    body = when(FUTURE)
    assert (
        payload_checks.through_the_browser(body, api=Api.TARGETS, channel="email")["when"] == FUTURE
    )
    assert extras(body) == {} and errors(body) == []


def test_a_date_time_string_in_the_past_is_an_error_at_when():
    body = when(PAST)
    assert messages_at(body, "when") == [schedule_forms.DATE_TIME_IN_PAST]
    assert round_trips(body)


def test_the_past_dates_of_the_reference_still_import_and_round_trip():
    [example] = [e for e in TARGETS if e.name.startswith("02_")]
    assert round_trips({k: v for k, v in example.body.items() if k != "estimate_only"})


def test_a_missing_when_is_an_error():
    body = {k: v for k, v in BASE.items() if k != "when"}
    assert messages_at(body, "when") == [schedule_forms.WHEN_REQUIRED]


@pytest.mark.parametrize("value", ["tomorrow", "2026-03-11 09:00", 5, ["now"]])
def test_a_when_that_is_no_schedule_is_kept_and_reported(value):
    body = when(value)
    assert messages_at(body, "when") == [schedule_forms.WHEN_INVALID]
    assert round_trips(body)


def test_an_object_needs_a_type():
    body = when({"delivery_timezone": "user"})
    assert messages_at(body, "when.type") == [schedule_forms.WHEN_TYPE_REQUIRED]
    assert round_trips(body)


def test_an_unknown_type_is_shown_kept_and_reported():
    body = when({"type": "monthly"})
    assert messages_at(body, "when.type") == [
        schedule_forms.WHEN_TYPE_UNKNOWN % {"value": "monthly"}
    ]
    assert round_trips(body) and extras(body) == {}


# Later.


def test_later_with_increasing_future_times_is_valid_and_read():
    body = when({"type": "later", "delivery_date_time": [FUTURE, LATER]})
    assert errors(body) == [] and extras(body) == {} and round_trips(body)


def test_later_needs_a_send_time():
    body = when({"type": "later"})
    assert messages_at(body, "when.delivery_date_time") == [schedule_forms.DELIVERY_TIMES_REQUIRED]


def test_later_times_must_increase():
    body = when({"type": "later", "delivery_date_time": [LATER, FUTURE]})
    assert messages_at(body, "when.delivery_date_time") == [
        schedule_forms.DATE_TIMES_NOT_INCREASING
    ]
    body = when({"type": "later", "delivery_date_time": [FUTURE, FUTURE]})
    assert messages_at(body, "when.delivery_date_time") == [
        schedule_forms.DATE_TIMES_NOT_INCREASING
    ]


def test_later_times_must_be_in_the_future():
    body = when({"type": "later", "delivery_date_time": [PAST, FUTURE]})
    assert messages_at(body, "when.delivery_date_time[0]") == [schedule_forms.DATE_TIME_IN_PAST]


def test_a_send_time_written_otherwise_is_kept_and_reported():
    body = when({"type": "later", "delivery_date_time": [FUTURE, "2026-03-12 09:00"]})
    assert messages_at(body, "when.delivery_date_time[1]") == [schedule_forms.DATE_TIME_NOT_WRITTEN]
    assert round_trips(body)


def test_send_times_kept_aside_still_count():
    body = when({"type": "later", "delivery_date_time": ["2026-03-12 09:00"]})
    assert messages_at(body, "when.delivery_date_time") == []


def test_send_times_belong_to_later_only():
    body = when({"type": "now", "delivery_date_time": [FUTURE]})
    assert messages_at(body, "when.delivery_date_time") == [schedule_forms.ONLY_FOR_LATER]


# Recurring.


@pytest.mark.parametrize(
    "more",
    [
        {},
        {"repeat_type": "week", "repeat_on_days_of_week": [2, 4]},
        {"end_by_date": "20260401"},
        {"end_by_occurrences": 8},
        {"repeats_every": 3, "start_time": "20260310 12:00"},
    ],
)
def test_a_recurring_schedule_is_valid_and_read(more):
    body = recurring(**more)
    assert errors(body) == [] and extras(body) == {} and round_trips(body)


@pytest.mark.parametrize(
    "missing, where, message",
    [
        ("repeat_type", "when.repeat_type", schedule_forms.REPEAT_TYPE_REQUIRED),
        ("repeats_every", "when.repeats_every", schedule_forms.REPEATS_EVERY_REQUIRED),
        ("start_time", "when.start_time", schedule_forms.START_TIME_REQUIRED),
    ],
)
def test_a_recurring_schedule_needs_its_parts(missing, where, message):
    assert messages_at(recurring(**{missing: None}), where) == [message]


def test_repeat_by_month_does_not_exist():
    body = recurring(repeat_type="month")
    assert messages_at(body, "when.repeat_type") == [
        schedule_forms.REPEAT_TYPE_UNKNOWN % {"value": "month"}
    ]


def test_it_repeats_every_one_or_more():
    body = recurring(repeats_every=0)
    assert messages_at(body, "when.repeats_every") == [schedule_forms.REPEATS_EVERY_TOO_LOW]


def test_weekly_needs_days_and_daily_takes_none():
    body = recurring(repeat_type="week")
    assert messages_at(body, "when.repeat_on_days_of_week") == [
        schedule_forms.DAYS_OF_WEEK_REQUIRED
    ]
    body = recurring(repeat_on_days_of_week=[2])
    assert messages_at(body, "when.repeat_on_days_of_week") == [schedule_forms.ONLY_FOR_WEEKLY]


def test_days_of_week_out_of_order_are_kept_and_reported():
    body = recurring(repeat_type="week", repeat_on_days_of_week=[4, 2])
    assert messages_at(body, "when.repeat_on_days_of_week") != []
    assert round_trips(body)


def test_the_start_time_is_not_in_the_past():
    body = recurring(start_time=PAST)
    assert messages_at(body, "when.start_time") == [schedule_forms.START_TIME_IN_PAST]


def test_a_schedule_ends_by_date_or_by_occurrences_not_both():
    body = recurring(end_by_date="20260401", end_by_occurrences=3)
    assert messages_at(body, "when.end_by_occurrences") == [schedule_forms.END_BY_ONE]


def test_the_end_date_is_not_before_the_start():
    body = recurring(end_by_date="20260301")
    assert messages_at(body, "when.end_by_date") == [schedule_forms.END_BY_DATE_BEFORE_START]


def test_it_ends_after_one_or_more_sends():
    body = recurring(end_by_occurrences=0)
    assert messages_at(body, "when.end_by_occurrences") == [
        schedule_forms.END_BY_OCCURRENCES_TOO_LOW
    ]


def test_recurring_parts_belong_to_a_recurring_schedule_only():
    body = when({"type": "now", "repeats_every": 2, "end_by_occurrences": 3})
    assert messages_at(body, "when.repeats_every") == [schedule_forms.ONLY_FOR_RECURRING]
    assert messages_at(body, "when.end_by_occurrences") == [schedule_forms.ONLY_FOR_RECURRING]


# Delivery options.


def test_delivery_timezone_is_user_or_account():
    body = when({"type": "now", "delivery_timezone": "UTC"})
    assert messages_at(body, "when.delivery_timezone") == [
        schedule_forms.TIMEZONE_UNKNOWN % {"value": "UTC"}
    ]
    assert round_trips(body)


def test_wrap_around_is_a_boolean_kept_when_it_is_not():
    body = when({"type": "now", "user_timezone_wrap_around": "yes"})
    assert messages_at(body, "when.user_timezone_wrap_around")
    assert round_trips(body)


def test_the_cutoff_is_a_time_of_day():
    body = when({"type": "now", "campaign_cutoff": "25:00"})
    assert messages_at(body, "when.campaign_cutoff")
    assert errors(when({"type": "now", "campaign_cutoff": "08:00"})) == []


# Do not disturb.


def dnd(**parts):
    value = {
        "message_state": "delay",
        "dnd_timezone": "user",
        "dnd_info": {"2": ["21:00", "06:00"]},
    }
    return when({"type": "now", "dnd": {k: v for k, v in (value | parts).items() if v is not None}})


def test_quiet_hours_crossing_midnight_are_valid_and_read():
    body = dnd(dnd_info={"2": ["21:00", "06:00"], "7": ["23:56", "04:34"], "4": ["09:00", "09:13"]})
    assert errors(body) == [] and extras(body) == {} and round_trips(body)


@pytest.mark.parametrize("state", [1, 0, "hold"])
def test_message_state_is_delay_or_discard_and_an_integer_is_kept_and_explained(state):
    body = dnd(message_state=state)
    assert messages_at(body, "when.dnd.message_state") == [schedule_forms.MESSAGE_STATE_INVALID]
    assert round_trips(body)


def test_quiet_hours_need_their_windows_and_timezone():
    body = dnd(dnd_info=None)
    assert messages_at(body, "when.dnd.dnd_info") == [schedule_forms.DND_INFO_REQUIRED]
    body = dnd(dnd_timezone=None)
    assert messages_at(body, "when.dnd.dnd_timezone") == [schedule_forms.DND_TIMEZONE_REQUIRED]


def test_quiet_hours_kept_aside_still_count():
    body = dnd(dnd_info={"2": ["21:00", "06:00"], "3": "x"})
    assert messages_at(body, "when.dnd.dnd_info") == []
    assert round_trips(body)


def test_a_quiet_window_is_keyed_by_a_weekday_1_to_7():
    body = dnd(dnd_info={"8": ["21:00", "06:00"]})
    assert messages_at(body, 'when.dnd.dnd_info["8"]') == [
        schedule_forms.DND_WEEKDAY_UNKNOWN % {"value": "8"}
    ]
    assert round_trips(body)


def test_a_quiet_window_of_no_length_is_an_error():
    body = dnd(dnd_info={"2": ["09:00", "09:00"]})
    assert messages_at(body, 'when.dnd.dnd_info["2"][1]') == [schedule_forms.WINDOW_EMPTY]


@pytest.mark.parametrize("window", [["9:00", "10:00"], ["09:00"], "09:00-10:00"])
def test_a_quiet_window_that_is_not_a_pair_of_times_is_kept_and_reported(window):
    body = dnd(dnd_info={"2": window})
    assert schedule_forms.WINDOW_NOT_PAIR in messages_at(body, 'when.dnd.dnd_info["2"]')
    assert round_trips(body)


def test_two_windows_for_one_weekday_in_the_form_are_an_error():
    data = QueryDict(mutable=True)
    data.update(
        {
            "schedule-style": schedule_forms.FULL,
            "schedule-type": "now",
            "schedule-dnd_timezone": "user",
            "schedule-dnd_info-TOTAL_FORMS": "2",
        }
    )
    for index in range(2):
        data.update(
            {
                f"schedule-dnd_info-{index}-weekday": "2",
                f"schedule-dnd_info-{index}-start": "21:00",
                f"schedule-dnd_info-{index}-end": "06:00",
            }
        )
    form = schedule_forms.ScheduleForm(data, prefix="schedule")
    assert [(e.where, e.message) for e in form.path_errors()] == [
        ("when.dnd.dnd_info", schedule_forms.DND_WEEKDAY_TWICE.format(day="Monday"))
    ]


# Short and full forms from the composer.


def bound(**fields):
    data = QueryDict(mutable=True)
    data.update({f"schedule-{key}": value for key, value in fields.items()})
    return schedule_forms.ScheduleForm(data, prefix="schedule")


def test_a_new_schedule_is_written_short_while_it_can_be():
    assert bound(type="now").to_json() == {"when": "now"}
    form = bound(**{"type": "later", "delivery_date_time-TOTAL_FORMS": "1"})
    form.data.update({"schedule-delivery_date_time-0-at": "2026-03-11T09:00"})
    assert form.to_json() == {"when": FUTURE}


def test_the_short_form_gives_way_to_an_object_when_more_is_set():
    form = bound(style=schedule_forms.SHORT, type="now", delivery_timezone="user")
    assert form.to_json() == {"when": {"type": "now", "delivery_timezone": "user"}}


def test_the_full_form_stays_an_object():
    assert bound(style=schedule_forms.FULL, type="now").to_json() == {"when": {"type": "now"}}


def test_the_clock_is_the_accounts(monkeypatch, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    # 12:00 UTC is 17:30 in India: 17:00 there has passed, 18:00 has not.
    assert messages_at(when("20260310 17:00"), "when") == [schedule_forms.DATE_TIME_IN_PAST]
    assert messages_at(when("20260310 18:00"), "when") == []


# Round trips of generated schedules.

clock = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02}:{t[1]:02}")
day = st.integers(11, 28).map(lambda d: f"202603{d:02}")
date_time = st.tuples(day, clock).map(" ".join)


@st.composite
def schedules(draw):
    kind = draw(st.sampled_from(["now", "later", "recurring", "now-string", "later-string"]))
    if kind == "now-string":
        return "now"
    if kind == "later-string":
        return draw(date_time)
    value: dict = {"type": kind}
    if kind == "later":
        value["delivery_date_time"] = sorted(
            draw(st.lists(date_time, min_size=1, max_size=3, unique=True))
        )
    if kind == "recurring":
        value |= {"repeats_every": draw(st.integers(1, 9)), "start_time": draw(date_time)}
        if draw(st.booleans()):
            value["repeat_type"] = "day"
        else:
            days = sorted(draw(st.sets(st.integers(1, 7), min_size=1)))
            value |= {"repeat_type": "week", "repeat_on_days_of_week": days}
        end = draw(st.sampled_from(["date", "occurrences", None]))
        if end == "date":
            value["end_by_date"] = "20261231"
        elif end == "occurrences":
            value["end_by_occurrences"] = draw(st.integers(1, 50))
    if draw(st.booleans()):
        value["delivery_timezone"] = draw(st.sampled_from(["user", "account"]))
    if draw(st.booleans()):
        value["user_timezone_wrap_around"] = draw(st.booleans())
    if draw(st.booleans()):
        value["campaign_cutoff"] = draw(clock)
    if draw(st.booleans()):
        windows = draw(
            st.dictionaries(
                st.integers(1, 7).map(str),
                st.tuples(clock, clock).filter(lambda w: w[0] != w[1]).map(list),
                min_size=1,
                max_size=4,
            )
        )
        value["dnd"] = {"dnd_timezone": draw(st.sampled_from(["user", "account"]))} | {
            "dnd_info": windows
        }
        if draw(st.booleans()):
            value["dnd"]["message_state"] = draw(st.sampled_from(["delay", "discard"]))
    return value


@given(schedules())
@settings(max_examples=30, deadline=None)
def test_generated_schedules_round_trip_and_are_read(value):
    body = when(value)
    rebuilt = payload_checks.through_the_browser(body, api=Api.TARGETS, channel="email")
    assert same_json(rebuilt, body)
    assert payload_checks.extras_in(body, "when", channel="email") == {}
    assert payload_checks.errors_in(body, "when", channel="email") == []
