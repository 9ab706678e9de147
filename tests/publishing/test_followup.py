"""After publishing: stop, report, and settling an unknown outcome from CleverTap's campaign
list, asked for or, after an app server died during a create, by itself."""

import contextlib
import dataclasses
import datetime
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from campaigns import clevertap, publishing
from campaigns.models import (
    ApiCall,
    AttemptState,
    AuditAction,
    AuditEvent,
    CallOutcome,
    Campaign,
    PublishAttempt,
    Status,
)
from campaigns.publishing import attempts, confirm, followup, records
from devtools.bench import scratch
from sandbox import faults, limits
from sandbox import services as sandbox_services
from sandbox.models import SandboxCampaign
from tests.drafts import PUSH_BODY, confirmed, draft, fresh, later
from tests.processes import in_threads, worker_environment, worker_run
from tests.sandbox_records import (
    creates_received,
    received,
    sandbox_campaigns,
)

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]


# After publishing


def test_a_scheduled_campaign_is_stopped_and_reported_on(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )

    followup.campaign_stop(campaign=campaign, user=publisher)
    attempt.refresh_from_db()
    assert attempt.stopped_at is not None and attempt.clevertap_status == "stopped"
    assert SandboxCampaign.objects.get(pk=attempt.clevertap_id).status == "stopped"
    assert fresh(campaign).status == Status.STOPPED
    assert [r.body for r in received("targets/stop.json")] == [{"id": attempt.clevertap_id}]

    # Stopped before it ran: CleverTap has no report, and its list says "stopped".
    reported = followup.campaign_report(campaign=campaign, user=publisher)
    assert reported.not_yet == followup.NO_REPORT_YET.format(status="stopped")
    assert reported.attempt.report is None
    assert [r.body for r in received("targets/result.json")] == [{"id": attempt.clevertap_id}]


def test_a_report_of_a_stopped_running_campaign_is_kept(sandbox, people, monkeypatch):
    monkeypatch.setattr(sandbox_services, "CAMPAIGN_RUN_SECONDS", 3600)
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    followup.campaign_stop(campaign=campaign, user=publisher)

    reported = followup.campaign_report(campaign=campaign, user=publisher)

    assert reported.not_yet == ""
    assert reported.attempt.report["id"] == attempt.clevertap_id
    assert reported.attempt.report["campaign_status"] == "stopped"


def test_no_report_yet_of_a_scheduled_campaign_says_its_listed_status(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later(days=40)})
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )

    reported = followup.campaign_report(campaign=campaign, user=publisher)

    # CleverTap's fail is no error of ours: the list's status (its scheduled day is 40 days
    # out, inside the range asked for) says where the campaign stands.
    assert reported.not_yet == followup.NO_REPORT_YET.format(status="pending")
    assert fresh_attempt(attempt).clevertap_status == "pending"
    assert fresh_attempt(attempt).report is None
    assert ApiCall.objects.get(operation="result").outcome == CallOutcome.FAILED
    assert ApiCall.objects.get(operation="list").outcome == CallOutcome.SUCCEEDED


def test_no_report_yet_says_what_clevertap_said_when_the_list_cannot_be_read(
    sandbox, people, monkeypatch
):
    publisher = people["publisher"]
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )

    def unreadable(**_):
        raise clevertap.CleverTapError(message="down", kind=clevertap.KIND_SERVER, retry_safe=True)

    monkeypatch.setattr(clevertap, "campaign_list", unreadable)
    reported = followup.campaign_report(campaign=campaign, user=publisher)

    said = sandbox_services.ERROR_NOT_COMPLETED.format(state=sandbox_services.STATE_SCHEDULED)
    assert reported.not_yet == followup.NO_REPORT_YET_UNLISTED.format(said=said)


def test_a_report_refused_for_the_credentials_is_an_error(sandbox, people, monkeypatch):
    publisher = people["publisher"]
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    account = clevertap.account_current()
    wrong = dataclasses.replace(account, passcode="not-the-sandbox-passcode")
    monkeypatch.setattr(clevertap.calls, "account_current", lambda: wrong)

    with pytest.raises(publishing.PublishingError) as failed:
        followup.campaign_report(campaign=campaign, user=publisher)

    assert str(failed.value).startswith("No report: ")


def fresh_attempt(attempt: PublishAttempt) -> PublishAttempt:
    return PublishAttempt.objects.get(pk=attempt.pk)


def test_stopping_needs_the_publish_permission(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )

    with pytest.raises(PermissionDenied):
        followup.campaign_stop(campaign=campaign, user=people["composer"])

    assert received("targets/stop.json") == []
    assert fresh(campaign).status == Status.PUBLISHED


def _lost_answer(attempt: PublishAttempt) -> None:
    """As if CleverTap's answer to the create had been lost on the way back."""
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        state=AttemptState.UNKNOWN, clevertap_id=None, response=None
    )
    attempt.campaign.__class__.objects.filter(pk=attempt.campaign_id).update(status=Status.DRAFT)


def test_checking_the_campaign_list_resolves_an_unknown_publish_that_went_through(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    created_id = attempt.clevertap_id
    _lost_answer(attempt)
    with pytest.raises(confirm.AlreadyPublishing) as refused:
        attempts.campaign_publish(
            campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
        )
    assert str(refused.value) == confirm.ALREADY_UNKNOWN

    found = followup.publish_attempt_check(attempt=attempt, user=publisher)

    attempt.refresh_from_db()
    assert found == followup.CHECK_FOUND.format(
        name=PUSH_BODY["name"], clevertap_id=created_id, status="running"
    )
    assert (attempt.state, attempt.clevertap_id) == (AttemptState.SUCCEEDED, created_id)
    assert fresh(campaign).status == Status.PUBLISHED
    assert len(received("targets/list.json")) == 1
    assert len(creates_received()) == 1


def test_checking_the_campaign_list_frees_the_draft_when_nothing_was_created(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    _lost_answer(attempt)
    SandboxCampaign.objects.all().delete()

    message = followup.publish_attempt_check(attempt=attempt, user=publisher)

    attempt.refresh_from_db()
    assert message.startswith(f"No campaign named “{PUSH_BODY['name']}” was created")
    assert (attempt.state, attempt.live) == (AttemptState.FAILED, False)
    again = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    assert again.state == AttemptState.SUCCEEDED
    assert again.idempotency_key == f"{campaign.pk}:{campaign.version}:1"


# A publish whose app server died before CleverTap's answer was stored

# Short client bounds, in this process and in the server's: a create lasts at most
# `records.call_seconds_longest()` = 1 x (2 x 1 + 2 x 1 + 2 x 3) = 10 s.
SHORT_CLIENT = {
    "CLEVERTAP_CONNECT_TIMEOUT": 1.0,
    "CLEVERTAP_READ_TIMEOUT": 3.0,
    "CLEVERTAP_LIMIT_WAIT_SECONDS": 1.0,
    "CLEVERTAP_MAX_ATTEMPTS": 1,
    "CLEVERTAP_RETRY_MAX_DELAY": 0.5,
}
# The sandbox holds the create this long: the server is killed while it waits for the answer.
CREATE_LATENCY_MS = 2000


@pytest.fixture
def short_client(settings):
    for name, value in SHORT_CLIENT.items():
        setattr(settings, name, value)
    assert records.call_seconds_longest() == 10.0
    return settings


@pytest.fixture
def app_server(tmp_path):
    """The app served by `runserver` in its own process, on the test database and the sandbox,
    publishing at once with the short client bounds; killed at the end if still running."""
    port = scratch.free_port()
    log = tmp_path / "server.log"
    environment = {
        **worker_environment(),
        **{name: str(value) for name, value in SHORT_CLIENT.items()},
        "PUBLISH_UNDO_SECONDS": "0",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        try:
            httpx.get(f"{base_url}/health/", timeout=1)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    yield process, base_url
    if process.poll() is None:
        process.kill()
        process.wait()


def until(condition, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"Not so after {seconds}s"
        time.sleep(0.02)


def test_a_server_killed_during_a_create_leaves_a_publish_the_next_look_settles_from_the_list(
    sandbox, people, client, short_client, app_server
):
    process, base_url = app_server
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    client.force_login(publisher)
    browser = httpx.Client(
        base_url=base_url, cookies={"sessionid": client.cookies["sessionid"].value}
    )
    confirmation = browser.get(reverse("campaigns:publish", args=[campaign.pk])).text
    form = {
        name: re.search(rf'name="{name}" value="([^"]+)"', confirmation).group(1)
        for name in ("csrfmiddlewaretoken", "confirmation_token")
    }
    faults.faults_configure(latency_ms=CREATE_LATENCY_MS)
    publishing = threading.Thread(
        target=lambda: _post_ignoring_its_end(
            browser, reverse("campaigns:publish", args=[campaign.pk]), form
        )
    )
    publishing.start()
    until(lambda: limits.in_flight.count > 0)  # the sandbox holds the create

    process.kill()
    process.wait()
    publishing.join()

    attempt = PublishAttempt.objects.get()
    assert attempt.state == AttemptState.SENT
    # While the create may still be running, a look leaves it alone: nothing asked, no button.
    page = client.get(reverse("campaigns:published", args=[campaign.pk])).content.decode()
    assert "Check CleverTap's campaign list" not in page
    assert received("targets/list.json") == []
    until(lambda: len(creates_received()) == 1)  # the sandbox went on and created it
    until(lambda: records.stale(attempt.updated_at), seconds=records.call_seconds_longest() + 5)

    page = client.get(reverse("campaigns:published", args=[campaign.pk]))

    attempt.refresh_from_db()
    [created] = sandbox_campaigns()
    found = followup.CHECK_FOUND.format(
        name=PUSH_BODY["name"], clevertap_id=created.pk, status=created.status
    )
    assert [str(m) for m in page.context["messages"]] == [
        followup.ORPHAN_SETTLED.format(version=attempt.version, found=found)
    ]
    assert (attempt.state, attempt.clevertap_id) == (AttemptState.SUCCEEDED, created.pk)
    assert fresh(campaign).status == Status.PUBLISHED
    assert len(received("targets/list.json")) == 1
    assert len(creates_received()) == 1
    assert followup.attempts_orphaned_settle() == []


def _post_ignoring_its_end(browser: httpx.Client, url: str, form: dict[str, str]) -> None:
    """Publish through the server; it is killed before it answers."""
    with contextlib.suppress(httpx.TransportError):
        browser.post(url, data=form, timeout=30)


def _interrupted(attempt: PublishAttempt, *, state: str, seconds_ago: float) -> None:
    """As if the server publishing it had died `seconds_ago`, with no answer stored."""
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        state=state,
        clevertap_id=None,
        response=None,
        finished_at=None,
        updated_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )
    Campaign.objects.filter(pk=attempt.campaign_id).update(status=Status.DRAFT)


def test_a_worker_settles_an_interrupted_create_that_never_arrived_and_frees_the_draft(
    sandbox, people, short_client
):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    SandboxCampaign.objects.all().delete()
    _interrupted(attempt, state=AttemptState.SENT, seconds_ago=5)
    worker_run()
    assert PublishAttempt.objects.get(pk=attempt.pk).state == AttemptState.SENT
    assert received("targets/list.json") == []

    _interrupted(attempt, state=AttemptState.SENT, seconds_ago=11)
    worker_run()

    attempt.refresh_from_db()
    assert (attempt.state, attempt.live) == (AttemptState.FAILED, False)
    assert attempt.error.startswith(f"No campaign named “{PUSH_BODY['name']}” was created")
    assert len(received("targets/list.json")) == 1
    assert len(creates_received()) == 1
    again = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    assert again.state == AttemptState.SUCCEEDED


def test_a_publish_recorded_by_a_server_that_died_before_sending_is_settled_too(
    sandbox, people, short_client
):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    SandboxCampaign.objects.all().delete()
    _interrupted(attempt, state=AttemptState.PENDING, seconds_ago=11)

    [settled] = followup.attempts_orphaned_settle(campaign=campaign)

    attempt.refresh_from_db()
    assert settled == followup.ORPHAN_SETTLED.format(version=attempt.version, found=attempt.error)
    assert (attempt.state, attempt.live) == (AttemptState.FAILED, False)


def test_a_publish_waiting_out_its_undo_window_is_not_settled(sandbox, people, short_client):
    short_client.PUBLISH_UNDO_SECONDS = 30
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    _interrupted(attempt, state=AttemptState.PENDING, seconds_ago=3600)

    assert followup.attempts_orphaned_settle() == []
    assert received("targets/list.json") == []


def test_two_looks_at_once_settle_an_interrupted_create_once(sandbox, people, short_client):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    _interrupted(attempt, state=AttemptState.SENT, seconds_ago=11)

    outcomes = in_threads(2, lambda i: followup.attempts_orphaned_settle())

    assert sorted(len(settled) for settled in outcomes) == [0, 1]
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUCCEEDED
    assert AuditEvent.objects.filter(action=AuditAction.PUBLISHED).count() == 2


def test_the_longest_a_call_can_last_comes_from_the_clients_settings(settings):
    settings.CLEVERTAP_MAX_ATTEMPTS = 3
    settings.CLEVERTAP_LIMIT_WAIT_SECONDS = 30
    settings.CLEVERTAP_CONNECT_TIMEOUT = 5
    settings.CLEVERTAP_READ_TIMEOUT = 30
    settings.CLEVERTAP_RETRY_MAX_DELAY = 5

    # Each try: two slot waits, pool + connect, write + read; two backoffs between the three.
    assert records.call_seconds_longest() == 3 * (60 + 10 + 60) + 2 * 5
