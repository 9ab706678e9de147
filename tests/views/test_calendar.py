"""The calendar page: every send of a month or week, filtered, as a grid and a plain list."""

import datetime
import html
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Api, Campaign, MessageReport, PublishAttempt, ReportSlice, Status
from tests.drafts import new_draft

pytestmark = pytest.mark.django_db

URL = "/calendar/"
MARCH = {"view": "month", "date": "2030-03-15"}
WEEKLY = {
    "type": "recurring",
    "repeat_type": "week",
    "repeats_every": 1,
    "repeat_on_days_of_week": [2],  # Mondays
    "start_time": "20300304 18:00",
}


def body(name: str, when: object, channel: str = "push") -> dict:
    content = {"title": name, "body": "Hello"}
    if channel == "email":
        content = {"subject": name, "body": "<p>Hello</p>", "sender_name": "Shop"}
    return {"name": name, "target_mode": channel, "where": {}, "when": when, "content": content}


def one_off(day_time: str) -> dict:
    return {"type": "later", "delivery_date_time": [day_time]}


def reported(message_id: str, name: str, started: datetime.datetime, **fields) -> MessageReport:
    week = ReportSlice.objects.get_or_create(
        account_id=settings.SANDBOX_ACCOUNT_ID,
        first_day=datetime.date(2030, 3, 4),
        defaults={"last_day": datetime.date(2030, 3, 10)},
    )[0]
    return MessageReport.objects.create(
        account_id=week.account_id,
        message_id=message_id,
        report_slice=week,
        name=name,
        channel=fields.pop("channel", "push"),
        status="completed",
        started_at=started,
        fetched_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def plan(people):
    """A weekly push draft, a one-off email draft, an approved push, a published push (also in
    CleverTap's reports) and a campaign made in CleverTap."""
    push = new_draft(people["composer"], body("Weekly push", WEEKLY))
    email = new_draft(
        people["composer"], body("March email", one_off("20300312 09:30"), "email"), channel="email"
    )
    approved = new_draft(people["reviewer"], body("Approved push", one_off("20300320 12:00")))
    Campaign.objects.filter(pk=approved.pk).update(status=Status.APPROVED, labels_text=",promo,")
    sent = new_draft(people["composer"], body("Sent push", one_off("20300305 08:00")))
    Campaign.objects.filter(pk=sent.pk).update(status=Status.PUBLISHED)
    PublishAttempt.objects.create(
        campaign=sent,
        version=1,
        idempotency_key=f"{sent.pk}:1",
        api=Api.TARGETS,
        channel="push",
        endpoint="targets/create.json",
        body={},
        body_hash="x",
        user=people["publisher"],
        clevertap_id=4242,
        state="succeeded",
    )
    reported(
        "4242",
        "Sent push as CleverTap lists it",
        datetime.datetime(2030, 3, 5, 8, tzinfo=datetime.UTC),
    )
    reported(
        "9001", "Dashboard flash sale", datetime.datetime(2030, 3, 7, 16, 45, tzinfo=datetime.UTC)
    )
    return {"push": push, "email": email, "approved": approved, "sent": sent}


def text(response) -> str:
    return html.unescape(response.content.decode())


def agenda(response) -> list[tuple[str, str, str]]:
    """The plain list's sends, as (day, time, name) in page order."""
    return [
        (entry.at.date().isoformat(), f"{entry.at:%H:%M}", entry.source.name)
        for day in response.context["agenda"]
        for entry in day.entries
    ]


def test_the_month_shows_every_send_on_its_day_with_a_link_to_its_campaign(as_user, plan):
    response = as_user("composer").get(URL, MARCH)

    assert response.status_code == 200
    assert agenda(response) == [
        ("2030-03-04", "18:00", "Weekly push"),
        ("2030-03-05", "08:00", "Sent push"),
        ("2030-03-07", "16:45", "Dashboard flash sale"),
        ("2030-03-11", "18:00", "Weekly push"),
        ("2030-03-12", "09:30", "March email"),
        ("2030-03-18", "18:00", "Weekly push"),
        ("2030-03-20", "12:00", "Approved push"),
        ("2030-03-25", "18:00", "Weekly push"),
    ]
    page = text(response)
    assert f'href="/drafts/{plan["push"].pk}/"' in page
    assert f'href="/campaigns/{plan["sent"].pk}/published/"' in page
    assert (
        'href="/clevertap/?date_from=2030-03-07&amp;date_to=2030-03-07"'
        in response.content.decode()
    )
    assert "Sent push as CleverTap lists it" not in page  # published from here: shown once
    # Drafts are marked as drafts, in the grid and in the list.
    assert f'cal-kind-draft" href="/drafts/{plan["email"].pk}/"' in page
    assert "Push · Draft · composer · repeats" in page


def test_the_week_shows_only_its_seven_days(as_user, plan):
    response = as_user("reviewer").get(URL, {"view": "week", "date": "2030-03-12"})

    assert [day.day.isoformat() for day in response.context["weeks"][0]] == [
        f"2030-03-{day}" for day in range(11, 18)
    ]
    assert agenda(response) == [
        ("2030-03-11", "18:00", "Weekly push"),
        ("2030-03-12", "09:30", "March email"),
    ]
    assert "week of 11 March 2030" in text(response)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"channel": "email"}, {"March email"}),
        ({"status": "draft"}, {"Weekly push", "March email"}),
        ({"status": "approved"}, {"Approved push"}),
        ({"status": "published"}, {"Sent push"}),
        ({"status": "elsewhere"}, {"Dashboard flash sale"}),
        ({"label": "promo"}, {"Approved push"}),
        ({"channel": "push", "status": "elsewhere"}, {"Dashboard flash sale"}),
    ],
)
def test_filters_narrow_the_sends(as_user, plan, filters, expected):
    response = as_user("composer").get(URL, MARCH | filters)

    assert {name for _, _, name in agenda(response)} == expected


def test_the_owner_filter_shows_that_persons_campaigns_only(as_user, plan, people):
    response = as_user("composer").get(URL, MARCH | {"owner": people["reviewer"].pk})

    assert {name for _, _, name in agenda(response)} == {"Approved push"}


def test_bad_filters_are_named_and_the_month_of_today_shown(as_user, plan):
    response = as_user("composer").get(URL, {"date": "15/03/2030", "status": "bogus"})

    assert response.status_code == 200
    page = text(response)
    assert "Type a day as YYYY-MM-DD" in page
    assert 'value="15/03/2030"' in page  # kept as typed
    today = timezone.localdate()
    assert response.context["shown"][0] == today.replace(day=1)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2030-02-30", "x" * 300])
def test_a_day_out_of_the_calendar_is_named_not_a_server_error(as_user, day):
    response = as_user("composer").get(URL, {"date": day, "view": "week"})

    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert response.context["day"] == timezone.localdate()


def test_without_javascript_the_page_is_a_plain_list_of_links(as_user, plan):
    response = as_user("composer").get(URL, MARCH)
    page = response.content.decode()

    agenda_html = page[page.index('id="calendar-agenda"') : page.index("</section>")]
    links = re.findall(r'<a href="([^"]+)" data-entry="[^"]+">([^<]+)</a>', agenda_html)
    assert [name for _, name in links] == [name for _, _, name in agenda(response)]
    assert "<script" not in page[page.index("<main") : page.index("</main>")]


def test_previous_and_next_keep_the_filters(as_user, plan):
    response = as_user("composer").get(URL, MARCH | {"channel": "email"})

    links = response.context["links"]
    assert "date=2030-02-01" in links["earlier"] and "channel=email" in links["earlier"]
    assert "date=2030-04-01" in links["later"]
    assert "view=week" in links["week"] and "channel=email" in links["week"]


def test_the_page_never_calls_clevertap(as_user, plan, settings):
    settings.SANDBOX_BASE_URL = "http://127.0.0.1:9"  # nothing listens: a call would fail

    response = as_user("composer").get(URL, MARCH)

    assert "Dashboard flash sale" in text(response)


def many_campaigns(owner, count: int) -> None:
    """`count` campaigns: a weekly push, a one-off, a published one in turn."""
    whens = [WEEKLY, one_off("20300314 10:00"), one_off("20300322 07:15")]
    statuses = [Status.DRAFT, Status.APPROVED, Status.PUBLISHED]
    Campaign.objects.bulk_create(
        Campaign(
            name=f"Campaign {n}",
            owner=owner,
            status=statuses[n % 3],
            stored_body=body(f"Campaign {n}", whens[n % 3]),
            labels_text=",bulk,",
        )
        for n in range(count)
    )


def test_a_crowded_day_of_the_month_shows_four_sends_and_links_to_its_week(as_user, people):
    many_campaigns(people["composer"], 15)  # five weekly pushes on each Monday, and more

    response = as_user("composer").get(URL, MARCH | {"channel": "push"})

    page = text(response)
    monday = page[page.index('data-day="2030-03-11"') : page.index('data-day="2030-03-12"')]
    assert monday.count('class="cal-entry ') == 4
    assert 'href="?view=week&date=2030-03-11&channel=push">' in monday.replace("&amp;", "&")
    assert "more<span" in monday
    # The plain list (and the week) show them all.
    assert len(response.context["agenda"][0].entries) > 4


def queries_for(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, MARCH)
    assert response.status_code == 200
    return len(captured), response.context["send_count"]


def test_a_month_of_1000_campaigns_takes_as_many_queries_as_one_of_10(as_user, people):
    client = as_user("composer")
    many_campaigns(people["composer"], 10)
    reported("1", "Dashboard one", datetime.datetime(2030, 3, 6, 9, tzinfo=datetime.UTC))
    queries_for(client)  # the first page of a session also reads what later pages cache
    small, small_sends = queries_for(client)
    many_campaigns(people["composer"], 990)
    for n in range(2, 50):
        reported(str(n), f"Dashboard {n}", datetime.datetime(2030, 3, 6, 9, tzinfo=datetime.UTC))
    large, large_sends = queries_for(client)

    assert small_sends < large_sends  # the large month really shows more
    assert large == small
    assert large <= 12
