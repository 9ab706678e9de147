"""Three drafts for the overlap tests: a weekly push, a one-off email, and a push to the same
segment 2 h after one of the weekly push's sends; all in the next weeks from today."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from campaigns import services

SEGMENT = 3210


def next_monday() -> datetime.date:
    today = timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    return today + datetime.timedelta(days=7 - today.weekday())


def stamp(day: datetime.date, clock: str) -> str:
    return f"{day:%Y%m%d} {clock}"


def overlap_bodies() -> dict[str, dict]:
    monday = next_monday()
    follow_up_day = monday + datetime.timedelta(days=7)
    return {
        "Weekly push": {
            "name": "Weekly push",
            "target_mode": "push",
            "segment": SEGMENT,
            "when": {
                "type": "recurring",
                "repeat_type": "week",
                "repeats_every": 1,
                "repeat_on_days_of_week": [2],  # Mondays
                "start_time": stamp(monday, "18:00"),
            },
            "content": {"title": "This week", "body": "New in store"},
        },
        "Follow-up push": {
            "name": "Follow-up push",
            "target_mode": "push",
            "segment": SEGMENT,
            "when": {"type": "later", "delivery_date_time": [stamp(follow_up_day, "20:00")]},
            "content": {"title": "Still there?", "body": "Last hours"},
        },
        "One-off email": {
            "name": "One-off email",
            "target_mode": "email",
            "segment": SEGMENT,
            "when": {"type": "later", "delivery_date_time": [stamp(follow_up_day, "19:00")]},
            "content": {"subject": "News", "body": "<p>Hello</p>", "sender_name": "Shop"},
        },
    }


def overlap_plan(owner) -> dict:
    return {
        name: services.campaign_create(
            user=owner, api="targets", channel=body["target_mode"], body=body
        )
        for name, body in overlap_bodies().items()
    }
