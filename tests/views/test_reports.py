"""The CleverTap campaigns page: every campaign of the account in a range of days, from the message
reports the background task stored (tests/test_reports.py reads them from the sandbox)."""

import datetime
import html

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campaigns import clevertap, reports
from campaigns.models import MessageReport, PublishAttempt, ReportSlice
from campaigns.views import forms as view_forms
from campaigns.views import reports as views
from tests.drafts import draft

pytestmark = pytest.mark.django_db

URL = "/clevertap/"
MONDAY = datetime.date(2025, 3, 3)
RANGE = {"date_from": "2025-03-03", "date_to": "2025-03-16"}


def week_read(first_day: datetime.date, *, minutes_ago: int = 1, error: str = "") -> ReportSlice:
    """A week of the sandbox account's reports, read `minutes_ago`."""
    moment = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return ReportSlice.objects.create(
        account_id=settings.SANDBOX_ACCOUNT_ID,
        first_day=first_day,
        last_day=first_day + datetime.timedelta(days=6),
        requested_at=moment,
        attempted_at=moment,
        fetched_at=moment,
        error=error,
    )


def stored(week: ReportSlice, message_id: int, name: str, *, day: int = 0, **fields):
    """A campaign of CleverTap's reports as the task stores it, started `day` days into the week."""
    started = datetime.datetime.combine(
        week.first_day + datetime.timedelta(days=day),
        datetime.time(10, 30),
        tzinfo=timezone.get_default_timezone(),
    )
    labels = fields.pop("labels", [])
    values = {"channel": "push", "status": "completed", "sent": 100, "viewed": 40, "clicked": 7}
    return MessageReport.objects.create(
        account_id=week.account_id,
        message_id=str(message_id),
        report_slice=week,
        name=name,
        started_at=started,
        labels=labels,
        labels_text=f",{','.join(labels)}," if labels else "",
        raw={"message id": message_id, "message_name": name},
        fetched_at=week.fetched_at,
        **(values | fields),
    )


def names(response) -> list[str]:
    return [entry.row.name for entry in response.context["entries"]]


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_page_lists_the_campaigns_that_started_in_the_range_with_their_counts(as_user):
    first, second = week_read(MONDAY), week_read(MONDAY + datetime.timedelta(days=7))
    stored(first, 1741000001, "Spring sale", day=1, sent=1200, viewed=800, clicked=95)
    stored(second, 1741000002, "Welcome series", day=3, channel="email", status="running")
    stored(second, 1741000003, "Too late", day=6)
    outside = week_read(MONDAY + datetime.timedelta(days=14))
    stored(outside, 1741000004, "Next week")

    response = as_user("reviewer").get(URL, RANGE | {"date_to": "2025-03-15"})

    assert response.status_code == 200
    assert names(response) == ["Welcome series", "Spring sale"]
    page = text(response)
    row = page.split('data-message-id="1741000001"')[1].split("</tr>")[0]
    assert "Push" in row and "Completed" in row and "4 Mar 2025, 10:30" in row
    for count in ('"sent">1,200<', '"viewed">800<', '"clicked">95<'):
        assert f"data-count={count}" in row
    assert "Email" in page and "Running" in page
    assert views.START_NOTE.format(date_from="3 Mar 2025") in page


def test_the_page_filters_by_channel_status_and_whole_label(as_user):
    week = week_read(MONDAY)
    stored(week, 1, "Push spring", labels=["spring"])
    stored(week, 2, "Email spring vip", channel="email", labels=["spring", "vip"], day=1)
    stored(week, 3, "Email springtime", channel="email", status="stopped", labels=["springtime"])
    client = as_user("composer")

    assert names(client.get(URL, RANGE | {"channel": "email"})) == [
        "Email spring vip",
        "Email springtime",
    ]
    assert names(client.get(URL, RANGE | {"status": "stopped"})) == ["Email springtime"]
    assert names(client.get(URL, RANGE | {"label": "spring"})) == [
        "Email spring vip",
        "Push spring",
    ]
    assert names(client.get(URL, RANGE | {"label": "vip", "channel": "push"})) == []
    filtered = text(client.get(URL, RANGE | {"label": "vip", "channel": "push"}))
    assert views.NONE_MATCH in filtered


def test_the_filters_offer_what_the_stored_campaigns_hold_and_keep_what_was_asked(as_user):
    week = week_read(MONDAY)
    stored(week, 1, "One", channel="sms", status="scheduled", labels=["spring", "vip"])

    response = as_user("publisher").get(URL, RANGE | {"channel": "whatsapp", "label": "gone"})

    form = response.context["form"]
    assert form.fields["channel"].choices == [
        ("", "All channels"),
        ("sms", "SMS"),
        ("whatsapp", "WhatsApp"),
    ]
    assert form.fields["status"].choices == [("", "Any status"), ("scheduled", "Scheduled")]
    assert [value for value, _ in form.fields["label"].choices] == ["", "spring", "vip", "gone"]
    assert 'value="whatsapp" selected' in response.content.decode()


def published_here(campaign, clevertap_id: int, publisher) -> None:
    """A publish of the draft that CleverTap took, as campaign `clevertap_id`."""
    PublishAttempt.objects.create(
        campaign=campaign,
        version=1,
        idempotency_key=f"{campaign.pk}:1",
        state="succeeded",
        api="targets",
        channel="push",
        endpoint="targets/create.json",
        body_hash="x",
        clevertap_id=clevertap_id,
        user=publisher,
    )


def test_a_campaign_published_here_is_marked_and_links_to_it(as_user, people):
    campaign = draft(people["composer"])
    published_here(campaign, 1741000001, people["publisher"])
    week = week_read(MONDAY)
    stored(week, 1741000001, "Spring sale push")
    stored(week, 1741000002, "Made in the dashboard", day=1)

    page = as_user("reviewer").get(URL, RANGE).content.decode()

    here = page.split('data-message-id="1741000001"')[1].split("</tr>")[0]
    there = page.split('data-message-id="1741000002"')[1].split("</tr>")[0]
    link = reverse("campaigns:published", args=[campaign.pk])
    assert f'<a href="{link}">Spring sale push</a>' in here
    assert views.MADE_HERE in here and views.MADE_IN_CLEVERTAP not in here
    assert views.MADE_IN_CLEVERTAP in there and views.MADE_HERE not in there
    assert "<a " not in there


def test_a_range_not_fetched_yet_offers_to_fetch_it(as_user):
    page = text(as_user("reviewer").get(URL, RANGE))

    assert views.NOT_FETCHED.format(date_from="3 Mar 2025", date_to="16 Mar 2025") in page
    assert f">{views.FETCH_BUTTON}</button>" in page
    assert 'action="/clevertap/fetch/"' in page
    assert 'name="date_from" value="2025-03-03"' in page
    assert "report-table" not in page
    assert "hx-trigger" not in page


def test_the_range_is_the_last_30_days_by_default(as_user):
    response = as_user("reviewer").get(URL)

    today = timezone.localdate()
    assert response.context["asked"]["date_to"] == today
    assert response.context["asked"]["date_from"] == today - datetime.timedelta(days=29)


def test_fetching_queues_one_task_and_the_list_says_it_is_being_fetched(
    as_user, django_capture_on_commit_callbacks
):
    client = as_user("reviewer")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaigns:clevertap_fetch"), RANGE | {"channel": "email"})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?date_from=2025-03-03&date_to=2025-03-16&channel=email"
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == reports.fetch_slices.module_path
    assert ReportSlice.objects.filter(requested_at__isnull=False).count() == 2
    page = text(client.get(response["Location"]))
    assert views.FETCHING.format(count=2, plural="s") in page
    assert 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert views.NO_WORKER in page
    assert views.FETCH_BUTTON not in page

    with django_capture_on_commit_callbacks(execute=True) as queued_again:
        client.post(reverse("campaigns:clevertap_fetch"), RANGE)
    assert not queued_again  # being fetched: not asked twice


def test_a_range_partly_read_says_how_much_is_missing_and_offers_to_fetch_it(as_user):
    week_read(MONDAY)

    page = text(as_user("reviewer").get(URL, RANGE))

    missing = views.PARTLY_FETCHED.format(
        unread=1, weeks=2, verb="has", date_from="3 Mar 2025", date_to="16 Mar 2025"
    )
    assert missing in page
    assert f">{views.FETCH_BUTTON}</button>" in page
    assert "report-table" in page
    assert views.NONE_YET in page
    assert "CleverTap has no campaign" not in page


def test_a_range_read_less_than_a_minute_ago_says_just_now(as_user):
    week_read(MONDAY, minutes_ago=0)
    week_read(MONDAY + datetime.timedelta(days=7), minutes_ago=0)

    assert views.FETCHED_JUST_NOW in text(as_user("reviewer").get(URL, RANGE))


def test_the_list_is_a_fragment_when_htmx_asks(as_user):
    week_read(MONDAY)

    response = as_user("reviewer").get(URL, RANGE, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<section id="reports"')
    assert "<nav" not in page


def test_days_read_recently_are_not_asked_for_again(as_user, django_capture_on_commit_callbacks):
    week_read(MONDAY, minutes_ago=settings.CLEVERTAP_REPORTS_FRESH_MINUTES - 1)
    week_read(MONDAY + datetime.timedelta(days=7))
    client = as_user("reviewer")
    assert views.REFRESH_BUTTON not in text(client.get(URL, RANGE))

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(reverse("campaigns:clevertap_fetch"), RANGE, follow=True)

    assert not queued
    minutes = settings.CLEVERTAP_REPORTS_FRESH_MINUTES
    assert views.UP_TO_DATE.format(minutes=minutes) in text(response)


def test_the_days_are_asked_for_again_once_older_than_the_setting(
    as_user, settings, django_capture_on_commit_callbacks
):
    settings.CLEVERTAP_REPORTS_FRESH_MINUTES = 15
    today = timezone.localdate()
    stale = week_read(reports.slice_first_day(today), minutes_ago=16)
    client = as_user("reviewer")
    asked = {"date_from": today.isoformat(), "date_to": today.isoformat()}
    page = text(client.get(URL, asked))
    assert views.FETCHED_AT.format(ago="16\xa0minutes") in page
    assert f">{views.REFRESH_BUTTON}</button>" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:clevertap_fetch"), asked)

    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs["args"] == [[stale.pk]]


def test_a_failed_read_is_shown_in_words_with_its_days(as_user):
    week_read(MONDAY)
    failed = week_read(MONDAY + datetime.timedelta(days=7), error=clevertap.MESSAGE_AUTH)

    page = text(as_user("reviewer").get(URL, RANGE))

    days = views.PROBLEM_WEEK.format(first="10 Mar 2025", last="16 Mar 2025")
    assert views.FETCH_PROBLEM.format(days=days, error=clevertap.MESSAGE_AUTH) in page
    assert failed.last_day == datetime.date(2025, 3, 16)
    assert f">{views.REFRESH_BUTTON}</button>" in page  # it can be tried again at once


def test_weeks_failed_for_the_same_reason_are_said_once(as_user):
    for week in range(3):
        week_read(MONDAY + datetime.timedelta(days=7 * week), error=clevertap.MESSAGE_SERVER)
    week_read(MONDAY + datetime.timedelta(days=21), error=clevertap.MESSAGE_TIMEOUT)

    page = text(as_user("reviewer").get(URL, {"date_from": "2025-03-03", "date_to": "2025-03-30"}))

    weeks = views.PROBLEM_WEEKS.format(count=3, first="3 Mar 2025", last="23 Mar 2025")
    week = views.PROBLEM_WEEK.format(first="24 Mar 2025", last="30 Mar 2025")
    assert page.count(clevertap.MESSAGE_SERVER) == 1
    assert views.FETCH_PROBLEM.format(days=weeks, error=clevertap.MESSAGE_SERVER) in page
    assert views.FETCH_PROBLEM.format(days=week, error=clevertap.MESSAGE_TIMEOUT) in page


def test_a_range_read_with_no_campaign_says_so(as_user):
    week_read(MONDAY)
    week_read(MONDAY + datetime.timedelta(days=7))

    page = text(as_user("reviewer").get(URL, RANGE))

    assert views.NONE_STARTED.format(date_from="3 Mar 2025", date_to="16 Mar 2025") in page


@pytest.mark.parametrize(
    ("asked", "message"),
    [
        (
            {"date_from": "2025-03-16", "date_to": "2025-03-03"},
            view_forms.REPORT_RANGE_REVERSED.format(date_to="3 Mar 2025"),
        ),
        (
            {"date_from": "2023-01-01", "date_to": "2025-03-03"},
            view_forms.REPORT_RANGE_TOO_LONG.format(days=view_forms.REPORT_DAYS_MAX),
        ),
        ({"date_from": "2025-02-30", "date_to": "2025-03-03"}, "Enter a valid date."),
    ],
)
def test_a_wrong_range_is_said_at_its_field_and_kept(
    as_user, django_capture_on_commit_callbacks, asked, message
):
    client = as_user("reviewer")

    response = client.get(URL, asked)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        posted = client.post(reverse("campaigns:clevertap_fetch"), asked)

    for answer in (response, posted):
        assert answer.status_code == 200
        page = text(answer)
        assert message in page
        assert f'value="{asked["date_from"]}"' in page
        assert "report-table" not in page
    assert not queued
    assert not ReportSlice.objects.exists()


def test_without_a_clevertap_account_the_page_says_so_and_queues_nothing(
    as_user, settings, django_capture_on_commit_callbacks
):
    settings.CLEVERTAP_CONFIGURED = False
    settings.SANDBOX_ENABLED = False
    client = as_user("reviewer")

    with django_capture_on_commit_callbacks(execute=True) as queued:
        posted = client.post(reverse("campaigns:clevertap_fetch"), RANGE)
    for response in (client.get(URL, RANGE), posted):
        assert response.status_code == 200
        assert clevertap.MESSAGE_NOT_CONFIGURED in text(response)
    assert not queued
    assert not ReportSlice.objects.exists()


def test_the_list_is_paginated(as_user):
    week = week_read(MONDAY)
    for n in range(30):
        stored(week, 1000 + n, f"Campaign {n:02}", day=n % 7)

    response = as_user("reviewer").get(URL, RANGE | {"page": "2"})

    assert len(names(response)) == 30 - views.PAGE_SIZE
    assert "page 2 of 2" in text(response)


@pytest.mark.parametrize("count", [10, 100])
def test_the_page_makes_the_same_few_queries_for_10_or_100_campaigns(
    as_user, people, django_assert_num_queries, count
):
    week = week_read(MONDAY)
    campaign = draft(people["composer"])
    for n in range(count):
        stored(week, 1741000000 + n, f"Campaign {n:03}", day=n % 7, labels=[f"label {n % 5}"])
    published_here(campaign, 1741000000, people["publisher"])
    client = as_user("reviewer")
    client.get(URL, RANGE)  # the session is written on the first request
    # Session, user, review badge, permissions (1: `roles.permissions_of`), the three filters'
    # choices, the weeks read, count, page, the campaigns made here.
    with django_assert_num_queries(11):
        response = client.get(URL, RANGE)
    assert len(response.context["entries"]) == min(count, views.PAGE_SIZE)
    with django_assert_num_queries(11):
        client.get(URL, RANGE | {"channel": "push", "label": "label 1", "page": "2"})


def test_names_and_labels_made_in_the_dashboard_are_escaped(as_user):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    short = "<script>alert(1)</script>"  # channel and status hold 40 characters
    stored(week_read(MONDAY), 1, hostile, labels=[hostile], channel=short, status=short)

    page = as_user("reviewer").get(URL, RANGE).content.decode()

    assert "<script>alert" not in page and "<img src=x" not in page
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 2
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
