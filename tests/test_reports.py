"""CleverTap's message reports read by the background task, a week at a time, from the sandbox
over HTTP, and stored (the page that shows them: tests/views/test_reports.py)."""

import datetime
import html

import httpx
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campaigns import clevertap, reports
from campaigns.models import MessageReport, ReportSlice
from campaigns.views import reports as views
from sandbox import faults
from sandbox.models import SandboxCampaign
from tests.drafts import PUSH_BODY, approved, later, new_draft, published
from tests.processes import worker_run
from tests.sandbox_records import received

pytestmark = pytest.mark.django_db(transaction=True)


def fetched(date_from: datetime.date, date_to: datetime.date) -> int:
    """Ask for the range as the page does, then run what was queued as the worker does; how
    many weeks were asked for."""
    asked = reports.reports_fetch_request(
        account_id=settings.SANDBOX_ACCOUNT_ID, date_from=date_from, date_to=date_to
    )
    if asked:
        worker_run()
    return asked


def reads() -> list[tuple[str, str]]:
    """The days of every message report the sandbox was asked for, in order."""
    return [
        (request.body["from"], request.body["to"]) for request in received("message/report.json")
    ]


def created(body: dict) -> SandboxCampaign:
    """A campaign made in CleverTap's dashboard, as far as Campaign Studio knows."""
    return SandboxCampaign.objects.get(pk=clevertap.create(body=body).data["id"])


def week_of(day: datetime.date) -> tuple[str, str]:
    first = reports.slice_first_day(day)
    return first.strftime("%Y%m%d"), (first + datetime.timedelta(days=6)).strftime("%Y%m%d")


def test_the_task_reads_each_week_of_the_range_and_stores_every_campaign(sandbox, people):
    today = timezone.localdate()
    running = created({**PUSH_BODY, "name": "Dashboard push", "labels": ["spring", "vip"]})
    scheduled = created({**PUSH_BODY, "name": "Next week's", "when": later(days=8)})

    weeks = fetched(today, today + datetime.timedelta(days=8))

    assert weeks == 2
    assert reads() == [week_of(today + datetime.timedelta(days=8)), week_of(today)]
    now_row = MessageReport.objects.get(message_id=str(running.pk))
    assert now_row.account_id == settings.SANDBOX_ACCOUNT_ID
    assert (now_row.name, now_row.channel, now_row.labels) == (
        "Dashboard push",
        "push",
        ["spring", "vip"],
    )
    assert now_row.labels_text == ",spring,vip,"
    assert now_row.started_at == running.starts_at.replace(microsecond=0)
    assert now_row.report_slice.first_day == reports.slice_first_day(today)
    raw = now_row.raw
    assert raw["message id"] == running.pk
    assert (now_row.status, now_row.sent, now_row.viewed, now_row.clicked) == (
        raw["status"],
        raw["sent"],
        raw["viewed"],
        raw["clicked"],
    )
    assert now_row.sent > 0
    later_row = MessageReport.objects.get(message_id=str(scheduled.pk))
    assert (later_row.status, later_row.sent) == ("scheduled", 0)
    assert all(
        s.fetched_at and s.attempted_at and not s.error and s.requested_at
        for s in ReportSlice.objects.all()
    )
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


def test_a_range_with_no_campaign_is_read_and_stored_as_such(sandbox, people):
    weeks = fetched(datetime.date(2025, 3, 3), datetime.date(2025, 3, 16))

    assert weeks == 2
    assert reads() == [("20250310", "20250316"), ("20250303", "20250309")]
    assert not MessageReport.objects.exists()
    assert ReportSlice.objects.filter(fetched_at__isnull=False, error="").count() == 2


def test_weeks_read_recently_are_not_read_again_and_are_once_older(sandbox, people, settings):
    settings.CLEVERTAP_REPORTS_FRESH_MINUTES = 15
    today = timezone.localdate()
    campaign = created(PUSH_BODY)
    fetched(today - datetime.timedelta(days=7), today)
    assert len(reads()) == 2

    assert fetched(today - datetime.timedelta(days=7), today) == 0
    assert len(reads()) == 2

    this_week = ReportSlice.objects.get(first_day=reports.slice_first_day(today))
    ReportSlice.objects.filter(pk=this_week.pk).update(
        fetched_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    SandboxCampaign.objects.filter(pk=campaign.pk).update(name="Renamed in the dashboard")

    assert fetched(today - datetime.timedelta(days=7), today) == 1
    assert reads()[2:] == [week_of(today)]
    assert MessageReport.objects.get().name == "Renamed in the dashboard"


def test_a_week_read_by_another_task_meanwhile_is_not_read_again(sandbox, people):
    today = timezone.localdate()
    reports.reports_fetch_request(
        account_id=settings.SANDBOX_ACCOUNT_ID, date_from=today, date_to=today
    )
    [week] = ReportSlice.objects.all()
    assert reports.slice_fetch(report_slice=week) is True

    worker_run()  # the task queued first finds the week read

    assert len(reads()) == 1


def test_a_campaign_gone_from_its_week_is_gone_once_read_again(sandbox, people):
    today = timezone.localdate()
    kept, gone = created(PUSH_BODY), created({**PUSH_BODY, "name": "Deleted"})
    fetched(today, today)
    SandboxCampaign.objects.filter(pk=gone.pk).delete()
    ReportSlice.objects.update(fetched_at=timezone.now() - datetime.timedelta(hours=1))

    fetched(today, today)

    assert list(MessageReport.objects.values_list("message_id", flat=True)) == [str(kept.pk)]


def test_a_failed_read_is_stored_with_its_week_in_words_and_shown(
    sandbox, people, client, settings
):
    today = timezone.localdate()
    created(PUSH_BODY)
    fetched(today, today)
    ReportSlice.objects.update(fetched_at=timezone.now() - datetime.timedelta(hours=1))
    faults.faults_configure(error_rate=1.0, error_status=503)
    settings.CLEVERTAP_MAX_ATTEMPTS = 1

    fetched(today, today)

    [week] = ReportSlice.objects.all()
    assert week.error.startswith(clevertap.MESSAGE_SERVER)
    assert "[HTTP 503]" in week.error
    assert week.attempted_at > week.fetched_at
    assert MessageReport.objects.count() == 1  # what was read before is still shown
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    client.force_login(people["reviewer"])
    page = html.unescape(
        client.get(
            reverse("campaigns:clevertap_campaigns"),
            {"date_from": today.isoformat(), "date_to": today.isoformat()},
        ).content.decode()
    )
    first, last = week.first_day, week.last_day
    days = views.PROBLEM_WEEK.format(
        first=f"{first.day} {first:%b %Y}", last=f"{last.day} {last:%b %Y}"
    )
    assert views.FETCH_PROBLEM.format(days=days, error=week.error) in page


def test_a_campaign_published_here_is_read_back_and_marked(sandbox, people, client):
    attempt = published(approved(new_draft(people["composer"]), people), people["publisher"])
    created({**PUSH_BODY, "name": "Made in the dashboard"})
    today = timezone.localdate()

    fetched(today, today)

    client.force_login(people["reviewer"])
    response = client.get(
        reverse("campaigns:clevertap_campaigns"),
        {"date_from": today.isoformat(), "date_to": today.isoformat()},
    )
    entries = {entry.row.name: entry for entry in response.context["entries"]}
    assert entries[PUSH_BODY["name"]].campaign == attempt.campaign
    assert entries[PUSH_BODY["name"]].row.message_id == str(attempt.clevertap_id)
    assert entries["Made in the dashboard"].campaign is None


def test_rows_are_read_leniently(db, monkeypatch):
    """Shapes the sandbox never sends; CleverTap's field table is not documented."""
    messages = [
        {
            "message id": "1741000001",
            "message_name": "Counts as text",
            "channel": "email",
            "start_date": "5 Mar, 2025 09:05:00",
            "labels": "one label",
            "sent": "12",
            "viewed": None,
            "clicked": True,
        },
        {"message id": 1741000002, "start_date": "2025-03-05", "labels": {"not": "a list"}},
        {"message_name": "No id: cannot be kept"},
    ]
    monkeypatch.setattr(
        clevertap.account,
        "http_transport",
        lambda: httpx.MockTransport(
            lambda request: httpx.Response(200, json={"status": "success", "messages": messages})
        ),
    )
    week = ReportSlice.objects.create(
        account_id=settings.SANDBOX_ACCOUNT_ID,
        first_day=datetime.date(2025, 3, 3),
        last_day=datetime.date(2025, 3, 9),
    )

    assert reports.slice_fetch(report_slice=week) is True

    text_row, odd_row = MessageReport.objects.order_by("message_id")
    assert text_row.started_at == datetime.datetime(
        2025, 3, 5, 9, 5, tzinfo=timezone.get_default_timezone()
    )
    assert (text_row.labels, text_row.sent, text_row.viewed, text_row.clicked) == (
        ["one label"],
        12,
        None,
        None,
    )
    assert (odd_row.message_id, odd_row.started_at, odd_row.labels) == ("1741000002", None, [])
    assert odd_row.raw == messages[1]


def test_a_week_asked_for_another_account_is_not_read_from_this_one(db, monkeypatch):
    monkeypatch.setattr(clevertap, "message_reports", pytest.fail)
    week = ReportSlice.objects.create(
        account_id="ANOTHER-ACCOUNT",
        first_day=datetime.date(2025, 3, 3),
        last_day=datetime.date(2025, 3, 9),
    )

    assert reports.slice_fetch(report_slice=week) is False

    week.refresh_from_db()
    assert (week.error, week.fetched_at) == (reports.ACCOUNT_CHANGED, None)


def test_an_unexpected_failure_is_stored_in_words_and_the_other_weeks_are_read(db, monkeypatch):
    answers = iter([RuntimeError("a bug"), []])

    def message_reports(**days):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(clevertap, "message_reports", message_reports)
    weeks = [
        ReportSlice.objects.create(
            account_id=settings.SANDBOX_ACCOUNT_ID,
            first_day=first,
            last_day=first + datetime.timedelta(days=6),
        )
        for first in (datetime.date(2025, 3, 3), datetime.date(2025, 3, 10))
    ]

    reports.fetch_slices.call([week.pk for week in weeks])

    earlier, latest = (ReportSlice.objects.get(pk=week.pk) for week in weeks)
    assert (latest.error, latest.fetched_at) == (reports.FETCH_FAILED, None)
    assert earlier.error == "" and earlier.fetched_at is not None
