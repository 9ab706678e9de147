"""The estimate, confirmation, published and undo-window pages through the Django test client,
against the sandbox over real HTTP."""

import datetime
import html
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campaigns import clevertap, services
from campaigns.forms import delivery
from campaigns.models import (
    ApiCall,
    AuditAction,
    AuditEvent,
    PublishAttempt,
    PublishHold,
    Status,
    WorkerHeartbeat,
)
from campaigns.publishing import attempts, confirm, estimates, followup, recipients, sends
from campaigns.views import publishing as publishing_views
from sandbox import faults as sandbox_faults
from sandbox import services as sandbox_services
from tests.drafts import (
    PUSH_BODY,
    approved,
    confirmed,
    draft,
    due_now,
    email_send_body,
    emails,
    fresh,
    identity_send,
    later,
    new_draft,
)
from tests.sandbox_records import (
    ANDROID_USERS,
    IOS_USERS,
    PASSCODE,
    creates_received,
    profiles_create,
    received,
)

pytestmark = pytest.mark.django_db(transaction=True)


# Views


def test_the_estimate_button_answers_the_estimate_fragment(sandbox, people, client):
    client.force_login(people["composer"])
    campaign = draft(people["composer"])

    response = client.post(
        reverse("campaigns:estimate", args=[campaign.pk]), headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="estimate" role="region"')
    assert '<td class="text-end">12</td>' in html
    assert f'id="estimate-total">{ANDROID_USERS + IOS_USERS}<' in html
    assert "<html" not in html


def test_without_javascript_the_estimate_answers_a_whole_page(sandbox, people, client):
    client.force_login(people["composer"])
    campaign = draft(people["composer"])

    response = client.post(reverse("campaigns:estimate", args=[campaign.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'id="estimate"' in html and "Back to the draft" in html


def test_estimate_errors_are_placed_at_their_fields(sandbox, people, client):
    client.force_login(people["composer"])
    campaign = draft(people["composer"], {**PUSH_BODY, "users_limit_overall": 5})

    response = client.post(
        reverse("campaigns:estimate", args=[campaign.pk]), headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#div_id_delivery-users_limit_overall"' in html
    assert delivery.LIMIT_TOO_LOW in html
    assert 'data-field="delivery-users_limit_overall"' in html


def test_the_estimate_region_says_when_the_draft_changed(sandbox, people, client):
    user = people["composer"]
    client.force_login(user)
    campaign = draft(user)
    estimates.campaign_estimate(campaign=campaign, user=user)
    # The audience changed: a change of the message alone keeps the reach (tests/views/test_reach).
    services.campaign_save(
        campaign=campaign,
        user=user,
        body={**campaign.body, "where": {"event_name": "Viewed shoes"}},
        base_version=1,
    )

    response = client.get(
        reverse("campaigns:estimate", args=[campaign.pk]), headers={"HX-Request": "true"}
    )

    assert estimates.ESTIMATE_CHANGED.format(estimated=1, current=2) in response.content.decode()


def test_a_user_without_permissions_cannot_estimate(sandbox, people, client):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="x")
    client.force_login(nobody)
    campaign = draft(people["composer"])

    response = client.post(reverse("campaigns:estimate", args=[campaign.pk]))

    assert response.status_code == 403
    assert received("targets/create.json") == []


def test_the_confirmation_shows_endpoint_body_estimate_and_schedule(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    estimates.campaign_estimate(campaign=campaign, user=publisher)

    response = client.get(reverse("campaigns:publish", args=[campaign.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "POST /1/targets/create.json" in html
    assert 'name="confirmation_token"' in html
    assert f'id="estimate-total">{ANDROID_USERS + IOS_USERS}<' in html
    assert 'id="confirm-send-times"' in html
    assert "Spring sale push" in html and 'id="confirm-json"' in html


def test_the_confirmation_shows_the_schedule_in_user_time(sandbox, people, client):
    client.force_login(people["publisher"])
    when = {"type": "later", "delivery_date_time": [later()], "delivery_timezone": "user"}
    campaign = draft(people["composer"], {**PUSH_BODY, "when": when})

    html = client.get(reverse("campaigns:publish", args=[campaign.pk])).content.decode()

    assert 'id="confirm-send-times"' in html and "local time" in html
    assert "Each timezone" in html


def test_publishing_through_the_page_shows_the_campaign_and_its_api_calls(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"])
    page = client.get(reverse("campaigns:publish", args=[campaign.pk])).content.decode()
    token = page.split('name="confirmation_token" value="')[1].split('"')[0]

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]),
        {"confirmation_token": token},
        follow=True,
    )

    html = response.content.decode()
    attempt = PublishAttempt.objects.get()
    assert response.redirect_chain[-1][0] == reverse("campaigns:published", args=[campaign.pk])
    assert f'id="clevertap-id">{attempt.clevertap_id}<' in html
    assert 'data-operation="create" data-outcome="succeeded"' in html
    assert "targets/create.json" in html
    assert PASSCODE not in html


def test_a_token_with_a_null_character_is_refused_in_words_and_nothing_is_sent(
    sandbox, people, client
):
    client.force_login(people["publisher"])
    campaign = draft(people["composer"])

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": "abc\x00def"}
    )

    assert response.status_code == 409
    assert confirm.CONFIRMATION_INVALID in response.content.decode()
    assert not PublishAttempt.objects.exists()


def test_a_double_submitted_publish_creates_one_campaign_and_says_so(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"])
    token = confirmed(campaign, publisher)
    url = reverse("campaigns:publish", args=[campaign.pk])

    client.post(url, {"confirmation_token": token})
    response = client.post(url, {"confirmation_token": token}, follow=True)

    assert response.status_code == 200
    assert "already published" in response.content.decode()
    assert len(creates_received()) == 1


def test_an_edit_between_confirmation_and_publish_is_explained_on_the_page(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"])
    token = confirmed(campaign, publisher)
    services.campaign_save(
        campaign=campaign,
        user=people["composer"],
        body={**campaign.body, "name": "Edited"},
        base_version=1,
    )

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token}
    )

    assert response.status_code == 409
    assert confirm.DRAFT_CHANGED.format(confirmed=1, current=2) in response.content.decode()
    assert creates_received() == []


def test_publish_and_stop_pages_are_forbidden_without_the_permission(sandbox, people, client):
    client.force_login(people["composer"])
    campaign = draft(people["composer"])

    assert client.get(reverse("campaigns:publish", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("campaigns:publish", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("campaigns:stop", args=[campaign.pk])).status_code == 403
    assert not PublishAttempt.objects.exists()


def test_stop_and_report_from_the_published_page(sandbox, people, client, monkeypatch):
    # Running when stopped, so that CleverTap has a report of what it sent until then.
    monkeypatch.setattr(sandbox_services, "CAMPAIGN_RUN_SECONDS", 3600)
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"])
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )

    client.post(reverse("campaigns:stop", args=[campaign.pk]))
    response = client.post(reverse("campaigns:report", args=[campaign.pk]), follow=True)

    html = response.content.decode()
    assert followup.STOPPED.format(clevertap_id=attempt.clevertap_id) in html
    assert 'id="report-table"' in html
    assert 'data-operation="stop"' in html and 'data-operation="result"' in html


def test_no_report_yet_is_said_with_the_listed_status_not_as_an_error(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )

    response = client.post(reverse("campaigns:report", args=[campaign.pk]), follow=True)

    page = response.content.decode()
    assert html.escape(followup.NO_REPORT_YET.format(status="pending")) in page
    assert "No report: " not in page and 'id="report-table"' not in page


def test_the_passcode_appears_in_no_stored_call_and_no_page(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    estimates.campaign_estimate(campaign=campaign, user=publisher)
    attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    followup.campaign_stop(campaign=campaign, user=publisher)
    followup.campaign_report(campaign=campaign, user=publisher)

    stored = json.dumps(list(ApiCall.objects.values()), default=str)
    # Estimate, create, stop, result (none yet: stopped before it ran) and the list's status.
    assert ApiCall.objects.count() == 5
    assert PASSCODE not in stored
    assert '"X-CleverTap-Passcode": "***"' in stored
    for url in (
        reverse("campaigns:published", args=[campaign.pk]),
        reverse("campaigns:estimate", args=[campaign.pk]),
    ):
        assert PASSCODE not in client.get(url).content.decode()
    assert clevertap.account_current().passcode == PASSCODE  # the calls really used it


def test_without_javascript_a_background_estimate_is_checked_with_a_button(
    sandbox, people, client, monkeypatch
):
    monkeypatch.setattr(sandbox_services, "ASYNC_ESTIMATE_SECONDS", 0)
    client.force_login(people["composer"])
    campaign = draft(people["composer"])

    waiting = client.post(
        reverse("campaigns:estimate", args=[campaign.pk]), {"async_estimate": "1"}
    ).content.decode()
    made = campaign.estimates.get()
    done = client.post(
        reverse("campaigns:estimate_poll", args=[campaign.pk, made.pk])
    ).content.decode()

    assert "Waiting for CleverTap's estimate" in waiting and "Check again" in waiting
    assert "<html" in done
    assert f'id="estimate-total">{ANDROID_USERS + IOS_USERS}<' in done


# The pages of the undo window


def test_publish_through_the_pages_undo_then_publish_again(sandbox, people, client, undo):
    campaign = approved(new_draft(people["composer"]), people)
    client.force_login(people["publisher"])
    confirm = client.get(reverse("campaigns:publish", args=[campaign.pk]))
    token = confirm.context["confirmation"].token

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token}
    )

    attempt = PublishAttempt.objects.get()
    pending_url = reverse("campaigns:publish_pending", args=[campaign.pk, attempt.pk])
    assert response.status_code == 302 and response.url == pending_url
    page = client.get(pending_url).content.decode()
    assert 'id="undo-button"' in page and 'data-state="waiting"' in page
    release_url = reverse("campaigns:publish_release", args=[campaign.pk, attempt.pk])
    poll = client.post(release_url, headers={"HX-Request": "true"})
    assert poll.status_code == 200 and 'id="pending"' in poll.content.decode()

    response = client.post(
        reverse("campaigns:publish_cancel", args=[campaign.pk, attempt.pk]), follow=True
    )
    assert 'data-state="cancelled"' in response.content.decode()
    assert publishing_views.CANCELLED in [str(m) for m in response.context["messages"]]

    token = (
        client.get(reverse("campaigns:publish", args=[campaign.pk])).context["confirmation"].token
    )
    client.post(reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token})
    again = PublishAttempt.objects.exclude(pk=attempt.pk).get()
    due_now(PublishHold.objects.get(attempt=again))
    poll = client.post(
        reverse("campaigns:publish_release", args=[campaign.pk, again.pk]),
        headers={"HX-Request": "true"},
    )
    assert poll.headers["HX-Redirect"] == reverse("campaigns:published", args=[campaign.pk])
    assert len(creates_received()) == 1 and fresh(campaign).status == Status.PUBLISHED


def test_a_publish_cancelled_in_the_undo_window_reads_so_not_failed(sandbox, people, client, undo):
    campaign = approved(new_draft(people["composer"]), people)
    client.force_login(people["publisher"])
    attempt = attempts.campaign_publish(
        campaign=campaign,
        user=people["publisher"],
        confirmation_token=confirmed(campaign, people["publisher"]),
    )
    client.post(reverse("campaigns:publish_cancel", args=[campaign.pk, attempt.pk]))

    page = client.get(reverse("campaigns:published", args=[campaign.pk])).content.decode()

    article = page[page.index(f'id="attempt-{attempt.pk}"') :]
    article = article[: article.index("</article>")]
    assert publishing_views.ATTEMPT_CANCELLED in article
    assert ">Failed<" not in article and "The body sent" not in article
    assert "The body it would have sent" in article
    assert attempts.PUBLISH_CANCELLED.format(user="publisher") in article


def test_the_published_page_says_when_the_worker_sending_stopped_responding(
    sandbox, people, client
):
    profiles_create(emails=emails(1500))
    campaign, attempt = identity_send(people, emails(1500))
    attempt.refresh_from_db()
    client.force_login(people["publisher"])
    url = reverse("campaigns:published", args=[campaign.pk])
    assert html.escape(sends.SEND_NO_WORKER) in client.get(url).content.decode()
    beat = timezone.now() - sends.worker_dead_after() - datetime.timedelta(seconds=1)
    WorkerHeartbeat.objects.create(
        worker_id="gone", host="elsewhere", pid=1, started_at=beat, beat_at=beat
    )
    DBTaskResult.objects.update(status="RUNNING", started_at=beat, worker_ids=["gone"])

    page = client.get(url).content.decode()

    said = sends.SEND_WORKER_DIED.format(
        time=timezone.localtime(beat).strftime("%H:%M:%S"), then=sends.THEN_NO_WORKER
    )
    assert html.escape(said) in page
    assert 'hx-trigger="every 1s"' in page  # and it goes on saying what happens
    assert "Resume sending" in page


# The recipient check of an identity send


def _identity_confirmation(people, client, addresses: list[str]):
    """An approved identity send and its confirmation page, as the publisher sees it."""
    campaign = draft(people["composer"], email_send_body(addresses), api="send", channel="email")
    client.force_login(people["publisher"])
    page = client.get(reverse("campaigns:publish", args=[campaign.pk]))
    return campaign, page


def test_the_confirmation_of_an_unknown_list_asks_to_send_anyway_in_words(sandbox, people, client):
    campaign, page = _identity_confirmation(people, client, emails(40))

    shown = page.content.decode()
    assert "0 of 20 sampled identities are known to CleverTap." in shown
    assert html.escape(recipients.NONE_KNOWN) in shown
    label = recipients.SEND_ANYWAY_LABEL.format(sampled=20)
    assert f'<label class="form-check-label" for="send-anyway">{label}</label>' in shown
    assert page.context["confirmation"].recipients.none_known


def test_publishing_an_unknown_list_without_send_anyway_is_refused(sandbox, people, client):
    campaign, page = _identity_confirmation(people, client, emails(40))
    token = page.context["confirmation"].token

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token}
    )

    refused = recipients.SEND_ANYWAY_MISSING.format(sampled=20)
    shown = response.content.decode()
    assert response.status_code == 409
    assert f'id="publish-refused">{html.escape(refused)}<' in shown
    assert f'id="send-anyway-error">{recipients.SEND_ANYWAY_TICK}<' in shown
    assert 'aria-invalid="true"' in shown
    assert not PublishAttempt.objects.exists()
    [event] = AuditEvent.objects.filter(action=AuditAction.PUBLISH_REFUSED)
    assert event.details["message"] == refused and event.actor == people["publisher"]
    assert fresh(campaign).status != Status.PUBLISHED


def test_an_unknown_list_is_published_with_send_anyway_ticked(sandbox, people, client):
    campaign, page = _identity_confirmation(people, client, emails(40))
    token = page.context["confirmation"].token

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]),
        {"confirmation_token": token, "send_anyway": "on"},
    )

    assert response.status_code == 302
    assert response.url == reverse("campaigns:published", args=[campaign.pk])
    assert PublishAttempt.objects.get().campaign == campaign


def test_a_list_with_some_known_shows_the_count_and_publishes_as_before(sandbox, people, client):
    profiles_create(emails=emails(5))
    campaign, page = _identity_confirmation(people, client, emails(30))
    token = page.context["confirmation"].token

    shown = page.content.decode()
    check = page.context["confirmation"].recipients
    assert (check.sampled, 0 < check.known < 20) == (20, True)
    assert f"{check.known} of 20 sampled identit" in shown
    assert 'name="send_anyway"' not in shown
    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token}
    )
    assert response.status_code == 302 and PublishAttempt.objects.exists()


def test_a_recipient_check_that_failed_is_shown_and_does_not_block(sandbox, people, client):
    campaign = draft(people["composer"], email_send_body(emails(40)), api="send", channel="email")
    client.force_login(people["publisher"])
    sandbox_faults.faults_configure(error_rate=1.0, error_status=503)
    page = client.get(reverse("campaigns:publish", args=[campaign.pk]))

    shown = page.content.decode()
    assert "Could not check the recipients: " + clevertap.MESSAGE_SERVER in shown
    assert 'name="send_anyway"' not in shown
    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]),
        {"confirmation_token": page.context["confirmation"].token},
    )
    assert response.status_code == 302 and PublishAttempt.objects.exists()


def test_the_send_anyway_asked_for_is_the_one_the_confirmation_showed(sandbox, people, client):
    """A list that became known after the page was shown still needs the box it showed."""
    campaign, page = _identity_confirmation(people, client, emails(40))
    token = page.context["confirmation"].token
    profiles_create(emails=emails(40))

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token}
    )

    assert response.status_code == 409 and not PublishAttempt.objects.exists()
    # The page shown again made a new check: the list is known now, no box.
    assert 'name="send_anyway"' not in response.content.decode()
