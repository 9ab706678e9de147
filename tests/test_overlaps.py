"""The overlap rules: which audiences can share people, and which sends are close enough."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns import calendar, overlaps

DAY = timedelta(hours=24)
EVENT_NOV = {"where": {"event_name": "Charged", "from": 20301101, "to": 20301130}}


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2030, month, day, hour, tzinfo=UTC)


def plan(name, body, *sends, channel="push") -> overlaps.Plan:
    return overlaps.Plan(
        key=name,
        name=name,
        channel=channel,
        audience=overlaps.audience_of(body),
        sends=tuple(sends),
    )


def found(one, two, window=DAY) -> list[overlaps.Overlap]:
    return overlaps.overlaps_of(one, [one, two], window=window)


def test_the_same_segment_reaches_the_same_people_hours_apart():
    winter = plan("Winter sale", {"segment": 42}, at(11, 15))
    mine = plan("Mine", {"segment": 42}, at(11, 18))
    [overlap] = found(mine, winter)
    assert overlap.certain
    assert overlap.hours == -3
    assert overlap.text == (
        "Reaches the same people as ‘Winter sale’ 3 h earlier (both use segment 42)."
    )
    [back] = found(winter, mine)
    assert "3 h later" in back.text


def test_another_segment_is_not_flagged():
    assert found(plan("A", {"segment": 1}, at(11, 9)), plan("B", {"segment": 2}, at(11, 9))) == []


def test_both_everyone_are_flagged():
    [overlap] = found(plan("A", {"where": {}}, at(11, 9)), plan("B", {"where": {}}, at(11, 9)))
    assert overlap.certain and overlap.reason == "both send to everyone"
    assert "at the same time" in overlap.text


def test_the_same_event_in_overlapping_ranges_may_overlap_and_says_why():
    other = {"where": {"event_name": "Charged", "from": 20301115, "to": 20301220}}
    [overlap] = found(plan("Mine", EVENT_NOV, at(1, 10, 12)), plan("X", other, at(1, 12, 12)))
    assert not overlap.certain
    assert overlap.text == (
        "May reach the same people as ‘X’ (both use event Charged between 15 and 30 Nov) "
        "2 h later: the overlap cannot be counted here."
    )


@pytest.mark.parametrize(
    "other",
    [
        {"where": {"event_name": "Charged", "from": 20301201, "to": 20301220}},
        {"where": {"event_name": "App Launched", "from": 20301101, "to": 20301130}},
    ],
)
def test_the_event_in_ranges_apart_or_another_event_is_not_flagged(other):
    assert found(plan("Mine", EVENT_NOV, at(1, 10, 12)), plan("X", other, at(1, 12, 12))) == []


def test_identity_lists_sharing_people_are_flagged_and_apart_are_not():
    mine = plan("Mine", {"to": {"Email": ["a@x.io", "b@x.io"]}}, at(11, 9))
    shared = plan("Shared", {"to": {"Email": ["B@x.io", "c@x.io"]}}, at(11, 10))
    apart = plan("Apart", {"to": {"Email": ["d@x.io"]}}, at(11, 10))
    [overlap] = overlaps.overlaps_of(mine, [shared, apart], window=DAY)
    assert overlap.other.name == "Shared" and overlap.certain
    assert "1 identity is on both lists" in overlap.text


def test_another_channel_is_not_flagged():
    email = plan("Email", {"segment": 42}, at(11, 9), channel="email")
    assert found(plan("Push", {"segment": 42}, at(11, 9)), email) == []


def test_sends_outside_the_window_are_not_flagged():
    one, two = plan("A", {"segment": 4}, at(11, 9)), plan("B", {"segment": 4}, at(12, 10))
    assert found(one, two) == []
    assert len(found(one, two, window=timedelta(hours=25))) == 1


def test_a_weekly_push_meets_a_one_off_two_hours_after_one_of_its_sends():
    weekly = {
        "type": "recurring",
        "repeat_type": "week",
        "repeats_every": 1,
        "repeat_on_days_of_week": [2],
        "start_time": "20300304 18:00",
    }
    source = calendar.Source(
        key="weekly", name="Weekly", kind="draft", channel="Push", status="", url="", when=weekly
    )
    tz = ZoneInfo("UTC")
    sends = [
        entry.at
        for entry in calendar.source_entries(source, start=at(1, 0), end=at(1, 0, 4), account_tz=tz)
    ]
    assert len(sends) == 4  # the four Mondays of March
    recurring = plan("Weekly", {"segment": 7}, *sends)
    one_off = plan("One-off", {"segment": 7}, at(18, 20))
    [overlap] = found(one_off, recurring)
    assert overlap.hours == -2 and overlap.at == at(18, 20)
    marked = overlaps.overlaps_by_send([recurring, one_off], window=DAY)
    assert set(marked) == {("Weekly", at(18, 18)), ("One-off", at(18, 20))}
    assert "2 h later" in marked[("Weekly", at(18, 18))][0].text


def test_a_body_that_says_nothing_readable_is_never_flagged():
    odd = plan("Odd", {"where": {"common_profile_properties": {"x": 1}}}, at(11, 9))
    assert found(odd, plan("B", {"where": {}}, at(11, 9))) == []
    assert overlaps.audience_of("not a body").kind == overlaps.OTHER
