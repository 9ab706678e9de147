"""Overlap warnings: campaigns on one channel that can reach the same people close together.

Pure functions: no database, no HTTP. A `Plan` is a campaign's audience (read from its request
body) and its sends (the calendar's, recurring schedules expanded); `overlaps_of` compares one
plan with the others and says, for each other plan it meets, how many hours apart the nearest
sends are and why the audiences can overlap. Only what the body says is compared: the same
segment, the same event in overlapping date ranges, identity lists sharing people, or both sent
to everyone. An overlap is `certain` when the body alone shows the same people (the same segment,
everyone, identities on both lists); for an event it "may" overlap, and says why it cannot count.
"""

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

# What an audience is, as far as overlaps go.
EVERYONE = "everyone"
SEGMENT = "segment"
EVENT = "event"
IDENTITIES = "identities"
OTHER = "other"  # profile properties alone, or a body not read: never compared

EVENT_NOT_COUNTED = "the overlap cannot be counted here"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclasses.dataclass(frozen=True)
class Audience:
    kind: str
    segment: object = None
    event: str = ""
    first: date | None = None  # the event's date range, both days included; None: open
    last: date | None = None
    identities: frozenset[tuple[str, str]] = frozenset()
    with_properties: bool = False  # an event narrowed by profile properties too


@dataclasses.dataclass(frozen=True)
class Plan:
    key: str
    name: str
    channel: str
    audience: Audience
    sends: tuple[datetime, ...]
    url: str = ""


@dataclasses.dataclass(frozen=True)
class Overlap:
    """`other` sends `hours` after this plan's send `at` (negative: before it)."""

    other: Plan
    at: datetime
    hours: float
    reason: str
    certain: bool

    @property
    def when(self) -> str:
        hours = abs(self.hours)
        amount = "at the same time" if hours < 0.05 else f"{_hours(hours)} h"
        if hours < 0.05:
            return amount
        return f"{amount} {'later' if self.hours > 0 else 'earlier'}"

    @property
    def text(self) -> str:
        name = self.other.name or "an untitled campaign"
        if self.certain:
            return f"Reaches the same people as ‘{name}’ {self.when} ({self.reason})."
        return (
            f"May reach the same people as ‘{name}’ ({self.reason}) {self.when}: "
            f"{EVENT_NOT_COUNTED}."
        )


# Per send (plan key, send time): the other plans sending close to it.
SendOverlaps = dict[tuple[str, datetime], list[Overlap]]


def audience_of(body: object) -> Audience:
    """Who a request body sends to: its segment, its identity list (`to`), or its `where`."""
    if not isinstance(body, dict):
        return Audience(OTHER)
    if body.get("segment") not in (None, ""):
        return Audience(SEGMENT, segment=body["segment"])
    to = body.get("to")
    if isinstance(to, dict) and to:
        identities = frozenset(
            (str(kind), str(value).strip().lower())
            for kind, values in to.items()
            if isinstance(values, list)
            for value in values
            if isinstance(value, str | int) and str(value).strip()
        )
        return Audience(IDENTITIES, identities=identities)
    where = body.get("where")
    if where == {}:
        return Audience(EVERYONE)
    if not isinstance(where, dict):
        return Audience(OTHER)
    event = where.get("event_name")
    properties = bool(where.get("common_profile_properties"))
    if isinstance(event, str) and event.strip():
        return Audience(
            EVENT,
            event=event.strip(),
            first=_day(where.get("from")),
            last=_day(where.get("to")),
            with_properties=properties,
        )
    return Audience(OTHER)


def audiences_overlap(one: Audience, two: Audience) -> tuple[str, bool] | None:
    """Why two audiences can hold the same people, and whether the body shows it for sure;
    None when nothing here says they share anyone."""
    if one.kind != two.kind or one.kind == OTHER:
        return None
    if one.kind == EVERYONE:
        return "both send to everyone", True
    if one.kind == SEGMENT:
        return (f"both use segment {one.segment}", True) if one.segment == two.segment else None
    if one.kind == IDENTITIES:
        shared = len(one.identities & two.identities)
        if not shared:
            return None
        people = "1 identity is" if shared == 1 else f"{shared:,} identities are"
        return f"{people} on both lists", True
    if one.event.casefold() != two.event.casefold():
        return None
    first = max(one.first or date.min, two.first or date.min)
    last = min(one.last or date.max, two.last or date.max)
    if first > last:
        return None
    reason = f"both use event {one.event}"
    if first != date.min or last != date.max:
        reason += f" {_range(first, last)}"
    if one.with_properties or two.with_properties:
        reason += ", narrowed by profile properties"
    return reason, False


def overlaps_of(plan: Plan, others: Iterable[Plan], *, window: timedelta) -> list[Overlap]:
    """The other plans on `plan`'s channel whose audiences can overlap it, each with its nearest
    pair of sends within `window` (the earliest such pair on a tie); nearest first."""
    found = []
    for other in others:
        if other.key == plan.key or other.channel != plan.channel:
            continue
        why = audiences_overlap(plan.audience, other.audience)
        if why is None:
            continue
        pairs = close_sends(plan.sends, other.sends, window=window)
        if not pairs:
            continue
        at, then = min(pairs, key=lambda pair: (abs(pair[1] - pair[0]), pair[0]))
        found.append(_overlap(other, at, then, why))
    return sorted(found, key=lambda overlap: (abs(overlap.hours), overlap.other.name))


def overlaps_by_send(
    plans: Sequence[Plan], *, window: timedelta
) -> dict[tuple[str, datetime], list[Overlap]]:
    """For the calendar: each send (plan key, time) that another plan's send comes within
    `window` of, with those plans (the nearest send of each). Plans are compared only within
    their channel and audience kind, so that a month of many campaigns stays quick."""
    groups: dict[tuple[str, str], list[Plan]] = {}
    for plan in plans:
        if plan.audience.kind != OTHER and plan.sends:
            groups.setdefault((plan.channel, plan.audience.kind), []).append(plan)
    marked: dict[tuple[str, datetime], list[Overlap]] = {}
    for group in groups.values():
        for index, plan in enumerate(group):
            for other in group[index + 1 :]:
                why = audiences_overlap(plan.audience, other.audience)
                if why is None:
                    continue
                for at, then in close_sends(plan.sends, other.sends, window=window):
                    _mark(marked, plan, _overlap(other, at, then, why))
                    _mark(marked, other, _overlap(plan, then, at, why))
    return marked


def close_sends(
    ours: Sequence[datetime], theirs: Sequence[datetime], *, window: timedelta
) -> list[tuple[datetime, datetime]]:
    """Every pair (our send, their send) at most `window` apart."""
    theirs = sorted(theirs)
    pairs = []
    start = 0
    for at in sorted(ours):
        while start < len(theirs) and theirs[start] < at - window:
            start += 1
        index = start
        while index < len(theirs) and theirs[index] <= at + window:
            pairs.append((at, theirs[index]))
            index += 1
    return pairs


def _mark(marked: dict, plan: Plan, overlap: Overlap) -> None:
    found = marked.setdefault((plan.key, overlap.at), [])
    for index, known in enumerate(found):
        if known.other.key == overlap.other.key:
            if abs(overlap.hours) < abs(known.hours):
                found[index] = overlap
            return
    found.append(overlap)


def _overlap(other: Plan, at: datetime, then: datetime, why: tuple[str, bool]) -> Overlap:
    reason, certain = why
    hours = (then - at).total_seconds() / 3600
    return Overlap(other=other, at=at, hours=hours, reason=reason, certain=certain)


def _day(value: object) -> date | None:
    """CleverTap's YYYYMMDD date (an integer or its digits); None when absent or unreadable."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _range(first: date, last: date) -> str:
    if first == date.min:
        return f"until {_date(last)}"
    if last == date.max:
        return f"from {_date(first)}"
    if first == last:
        return f"on {_date(first)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"between {first.day} and {last.day} {MONTHS[last.month - 1]}"
    return f"between {_date(first)} and {_date(last)}"


def _date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _hours(hours: float) -> str:
    rounded = round(hours, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"
