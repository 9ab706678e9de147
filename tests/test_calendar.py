"""The calendar's pure module: which sends land on which days, in the account timezone."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from campaigns import calendar, schedule

# 2026-03-01 is a Sunday; Kolkata is UTC+05:30 all year.
KOLKATA = ZoneInfo("Asia/Kolkata")
WEEKLY_PUSH = {
    "type": "recurring",
    "repeat_type": "week",
    "repeats_every": 1,
    "repeat_on_days_of_week": [2, 5],  # Monday and Thursday
    "start_time": "20260302 18:00",
}


def source(key: str = "d1", *, when: object = None, kind: str = calendar.KIND_DRAFT, **extra):
    return calendar.Source(
        key=key,
        name=extra.pop("name", key),
        kind=kind,
        channel="Push",
        status="Draft",
        url=f"/drafts/{key}/",
        when=when,
        **extra,
    )


def days_of(sources, first=date(2026, 3, 1), last=date(2026, 3, 31)):
    return calendar.calendar_days(sources, first_day=first, last_day=last, account_tz=KOLKATA)


def sends(days) -> list[tuple[date, time, str]]:
    return [(day.day, entry.at.time(), entry.source.key) for day in days for entry in day.entries]


def test_a_one_off_send_lands_on_its_day_at_its_time():
    one_off = source("email", when={"type": "later", "delivery_date_time": ["20260310 09:30"]})

    days = days_of([one_off])

    assert sends(days) == [(date(2026, 3, 10), time(9, 30), "email")]
    assert len(days) == 31
    assert days[9].entries[0].at.tzinfo == KOLKATA


def test_a_weekly_recurring_push_runs_on_its_weekdays_in_the_account_timezone():
    days = days_of(
        [source("push", when=WEEKLY_PUSH)], first=date(2026, 3, 1), last=date(2026, 3, 14)
    )

    assert sends(days) == [
        (date(2026, 3, 2), time(18, 0), "push"),
        (date(2026, 3, 5), time(18, 0), "push"),
        (date(2026, 3, 9), time(18, 0), "push"),
        (date(2026, 3, 12), time(18, 0), "push"),
    ]
    assert all(entry.recurring for day in days for entry in day.entries)


def test_the_calendar_agrees_with_the_composers_next_sends():
    now = datetime(2026, 3, 1, tzinfo=KOLKATA)
    preview = schedule.next_send_times(WEEKLY_PUSH, now=now, account_tz=KOLKATA, count=9)

    days = days_of([source("push", when=WEEKLY_PUSH)])

    assert [entry.at for day in days for entry in day.entries] == [send.at for send in preview]


def test_sends_are_read_in_the_account_timezone_not_utc():
    # 00:30 in Kolkata on 11 March is 19:00 UTC on 10 March: it belongs to the 11th.
    one_off = source("late", when={"type": "later", "delivery_date_time": ["20260311 00:30"]})

    days = days_of([one_off])

    assert sends(days) == [(date(2026, 3, 11), time(0, 30), "late")]
    assert days[10].entries[0].at.astimezone(UTC).day == 10


def test_range_edges_keep_the_first_day_and_the_last_day_and_nothing_beyond():
    when = {
        "type": "later",
        "delivery_date_time": [
            "20260228 23:59",
            "20260301 00:00",
            "20260331 23:59",
            "20260401 00:00",
        ],
    }

    assert sends(days_of([source("edges", when=when)])) == [
        (date(2026, 3, 1), time(0, 0), "edges"),
        (date(2026, 3, 31), time(23, 59), "edges"),
    ]


def test_a_daily_schedule_fills_every_day_of_a_long_range():
    daily = {"type": "recurring", "repeat_type": "day", "repeats_every": 1}
    daily["start_time"] = "20260101 07:00"

    days = days_of([source("daily", when=daily)], first=date(2026, 2, 23), last=date(2026, 4, 5))

    assert [len(day.entries) for day in days] == [1] * 42


def test_a_schedule_ending_before_the_range_places_nothing():
    ended = {**WEEKLY_PUSH, "end_by_date": "20260220", "start_time": "20260201 18:00"}

    assert sends(days_of([source("ended", when=ended)])) == []


def test_an_unreadable_schedule_places_nothing_rather_than_failing():
    broken = {"type": "recurring", "repeat_type": "fortnight"}

    assert sends(days_of([source("broken", when=broken), source("text", when="soon")])) == []


def test_a_campaign_sent_now_lands_at_the_time_it_went_out():
    sent = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)  # 11:30 in Kolkata
    published = source("now", when="now", kind=calendar.KIND_PUBLISHED, sent_at=sent)
    unsent_draft = source("draft-now", when="now")

    assert sends(days_of([published, unsent_draft])) == [(date(2026, 3, 4), time(11, 30), "now")]


def test_a_reported_campaign_published_from_here_is_shown_once_from_the_local_record():
    at = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)
    local = source("local", when="now", kind=calendar.KIND_PUBLISHED, sent_at=at, clevertap_id="7")
    reported = source("r7", kind=calendar.KIND_ELSEWHERE, sent_at=at, clevertap_id="7")
    elsewhere = source("r8", kind=calendar.KIND_ELSEWHERE, sent_at=at, clevertap_id="8")

    assert sorted(key for _, _, key in sends(days_of([local, reported, elsewhere]))) == [
        "local",
        "r8",
    ]


def test_quiet_hours_of_a_campaign_sending_that_day_are_shaded_with_its_name():
    with_dnd = {
        **WEEKLY_PUSH,
        "dnd": {
            "message_state": "delay",
            "dnd_timezone": "account",
            "dnd_info": {"2": ["22:00", "07:00"]},  # Monday night into Tuesday
        },
    }

    days = days_of([source("push", when=with_dnd, name="Weekly push")], last=date(2026, 3, 3))
    monday, tuesday = days[1], days[2]

    assert monday.quiet == (calendar.QuietBand(time(22, 0), time.max, ("Weekly push",)),)
    assert monday.quiet[0].top == 91.667 and monday.quiet[0].height == 8.333
    # Tuesday has no send of it, so nothing of it is shaded there.
    assert tuesday.entries == () and tuesday.quiet == ()


def test_a_send_held_back_by_quiet_hours_is_marked_delayed():
    with_dnd = {
        **WEEKLY_PUSH,
        "dnd": {"message_state": "delay", "dnd_info": {"2": ["17:00", "19:30"]}},
    }

    days = days_of([source("push", when=with_dnd)], last=date(2026, 3, 2))

    (entry,) = days[1].entries
    assert entry.at.time() == time(19, 30) and entry.delayed


def test_month_and_week_ranges_cover_whole_weeks_from_monday():
    assert calendar.month_range(date(2026, 3, 17)) == (date(2026, 2, 23), date(2026, 4, 5))
    assert calendar.week_range(date(2026, 3, 1)) == (date(2026, 2, 23), date(2026, 3, 1))


def test_days_outside_the_month_are_marked_so():
    days = calendar.calendar_days(
        [],
        first_day=date(2026, 2, 23),
        last_day=date(2026, 4, 5),
        account_tz=KOLKATA,
        in_range=(date(2026, 3, 1), date(2026, 3, 31)),
    )

    assert [day.in_range for day in days].count(True) == 31
    assert not days[0].in_range and not days[-1].in_range
