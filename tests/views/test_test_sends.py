"""Test recipients and test sends through the Django test client, against the sandbox over real
HTTP."""

import html

import pytest
from django.urls import reverse

from campaigns import audit, clevertap, models, test_recipients, test_send_payload
from campaigns.models import ApiCall, AuditAction, AuditEvent, TestRecipient
from campaigns.publishing import test_sends
from campaigns.views import test_send_forms
from campaigns.views import test_sends as test_send_views
from tests.drafts import PUSH_BODY, email_send_body, new_draft
from tests.reference_examples import reference_example
from tests.sandbox_records import profiles_create, received

pytestmark = pytest.mark.django_db(transaction=True)

ME = "me@example.com"


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def add(user, value: str = ME, *, kind: str = "Email", label: str = "") -> TestRecipient:
    return test_recipients.recipient_add(user=user, kind=kind, value=value, label=label)


def page_url(campaign) -> str:
    return reverse("campaigns:test_send", args=[campaign.pk])


# The test recipients page


def test_a_person_adds_their_email_and_their_app_identity(as_user, people):
    client = as_user("composer")
    url = reverse("campaigns:test_recipients")

    first = client.post(url, {"kind": "Email", "value": f" {ME} ", "label": "my inbox"})
    second = client.post(url, {"kind": "Identity", "value": "android-0", "label": "my Pixel"})

    assert first.status_code == second.status_code == 302
    listed = text_of(client.get(url))
    assert "my inbox" in listed and ME in listed and "my Pixel" in listed
    assert list(TestRecipient.objects.values_list("kind", "value", "label")) == [
        ("Email", ME, "my inbox"),
        ("Identity", "android-0", "my Pixel"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "Email", "value": "not-an-address"},
            test_recipients.NOT_AN_EMAIL.format(value="not-an-address"),
        ),
        ({"kind": "Email", "value": ""}, test_send_forms.VALUE_REQUIRED),
        ({"kind": "Identity", "value": "a,b"}, test_recipients.NO_SEPARATORS),
        ({"kind": "Email", "value": ME}, test_recipients.ALREADY_LISTED.format(value=ME)),
    ],
)
def test_a_recipient_that_cannot_be_added_is_refused_in_words_with_what_was_typed(
    as_user, people, data, message
):
    add(people["composer"])
    client = as_user("composer")

    response = client.post(reverse("campaigns:test_recipients"), {**data, "label": "my phone"})

    assert response.status_code == 400
    assert message in text_of(response)
    assert 'value="my phone"' in response.content.decode()
    assert TestRecipient.objects.count() == 1


def test_the_list_holds_at_most_its_size(as_user, people):
    for n in range(test_recipients.LIST_MAX):
        add(people["composer"], f"user{n}@example.com")

    response = as_user("composer").post(
        reverse("campaigns:test_recipients"), {"kind": "Email", "value": "one-more@example.com"}
    )

    assert response.status_code == 400
    assert test_recipients.LIST_FULL in text_of(response)


def test_each_person_sees_and_removes_only_their_own(as_user, people):
    mine = add(people["composer"], label="composer's phone")
    theirs = add(people["reviewer"], "reviewer@example.com", label="reviewer's phone")
    client = as_user("composer")

    page = text_of(client.get(reverse("campaigns:test_recipients")))
    refused = client.post(reverse("campaigns:test_recipient_remove", args=[theirs.pk]), follow=True)
    removed = client.post(reverse("campaigns:test_recipient_remove", args=[mine.pk]), follow=True)

    assert "composer's phone" in page and "reviewer's phone" not in page
    assert test_send_views.NOT_IN_LIST in text_of(refused)
    assert test_send_views.REMOVED.format(recipient=mine) in text_of(removed)
    assert list(TestRecipient.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_the_recipients_page_leads_back_to_the_test_send_it_was_opened_from(as_user, people):
    campaign = new_draft(people["composer"])
    back = page_url(campaign)
    client = as_user("composer")

    page = client.get(reverse("campaigns:test_recipients"), {"next": back})
    added = client.post(
        reverse("campaigns:test_recipients"), {"kind": "Email", "value": ME, "next": back}
    )
    elsewhere = client.get(reverse("campaigns:test_recipients"), {"next": "https://evil.test/"})

    assert f'href="{back}"' in page.content.decode()
    assert added["Location"].endswith("?next=" + back.replace("/", "%2F"))
    assert "evil.test" not in elsewhere.content.decode()


# Sending a test


def test_a_push_draft_is_sent_to_the_chosen_test_recipients_through_send_push(
    sandbox, as_user, people
):
    campaign = new_draft(people["composer"])
    phone = add(people["composer"], "android-0", kind="Identity", label="my Pixel")
    inbox = add(people["composer"], ME, label="my inbox")
    add(people["composer"], "not-chosen@example.com")
    profiles_create(emails=[ME])
    client = as_user("composer")

    response = client.post(page_url(campaign), {"recipients": [phone.pk, inbox.pk]}, follow=True)

    assert response.status_code == 200
    sent = received("send/push.json")
    assert len(sent) == 1
    assert sent[0].body["to"] == {"Identity": ["android-0"], "Email": [ME]}
    assert sent[0].body["content"] == PUSH_BODY["content"]
    assert sent[0].status_code == 200
    assert "Test sent to 2 recipients: my Pixel (android-0), my inbox (me@example.com)" in (
        text_of(response)
    )
    event = AuditEvent.objects.get(action=AuditAction.TEST_SENT)
    summary = "Test sent to 2 recipients by composer (version 1, Push)."
    assert audit.event_summary(event) == summary
    assert event.details["labels"] == ["my Pixel", "my inbox"]
    assert ME not in str(event.details)  # the log names labels, never addresses
    assert ApiCall.objects.get(pk=event.details["api_call"]).endpoint == "send/push.json"
    history = text_of(client.get(reverse("campaigns:history", args=[campaign.pk])))
    assert summary in history
    assert summary in text_of(client.get(reverse("campaigns:audit")))


def test_a_send_drafts_test_goes_to_the_test_recipients_only(sandbox, as_user, people):
    campaign = new_draft(
        people["composer"],
        email_send_body(["customer@example.com"]),
        api="send",
        channel="email",
    )
    inbox = add(people["composer"], ME)
    profiles_create(emails=[ME, "customer@example.com"])

    as_user("composer").post(page_url(campaign), {"recipients": [inbox.pk]})

    (sent,) = received("send/email.json")
    assert sent.body["to"] == {"Email": [ME]}
    assert sent.body["content"] == campaign.body["content"]


def test_a_reviewer_may_send_a_test_without_any_approval(sandbox, as_user, people):
    campaign = new_draft(people["composer"])
    profiles_create(emails=["reviewer@example.com"])
    mine = add(people["reviewer"], "reviewer@example.com")

    response = as_user("reviewer").post(page_url(campaign), {"recipients": [mine.pk]})

    assert response.status_code == 302
    assert len(received("send/push.json")) == 1
    assert models.Campaign.objects.get(pk=campaign.pk).status == models.Status.DRAFT


def test_a_draft_with_problems_cannot_be_test_sent_and_says_which(sandbox, as_user, people):
    campaign = new_draft(people["composer"], {**PUSH_BODY, "content": {"body": "No title"}})
    inbox = add(people["composer"])
    client = as_user("composer")

    page = client.get(page_url(campaign))
    posted = client.post(page_url(campaign), {"recipients": [inbox.pk]})

    text = text_of(page)
    assert test_sends.HAS_PROBLEMS.format(count=1, plural="", them="it") in text
    assert f"{reverse('campaigns:composer', args=[campaign.pk])}#id_content-title" in text
    assert "Send test</button>" not in text
    assert posted.status_code == 400
    assert received("send/push.json") == []
    assert not AuditEvent.objects.filter(action__startswith="test_").exists()


@pytest.mark.parametrize(
    ("example", "channel", "label"),
    [
        ("05_targets_webhook.json", "webhook", "Webhook"),
        ("06_targets_app_inbox_simple.json", "notificationinbox", "App inbox"),
    ],
)
def test_webhook_and_app_inbox_drafts_explain_why_they_cannot_be_test_sent(
    sandbox, as_user, people, example, channel, label
):
    campaign = new_draft(people["composer"], reference_example(example).body, channel=channel)
    inbox = add(people["composer"])
    client = as_user("composer")

    page = client.get(page_url(campaign))
    posted = client.post(page_url(campaign), {"recipients": [inbox.pk]})

    reason = test_send_payload.NO_SEND_ENDPOINT.format(channel=label, value=channel)
    assert reason in text_of(page)
    assert "Send test</button>" not in text_of(page)
    assert posted.status_code == 400
    assert reason in text_of(posted)
    assert not ApiCall.objects.exists()


def test_more_than_25_recipients_are_refused(sandbox, as_user, people):
    campaign = new_draft(people["composer"])
    chosen = [add(people["composer"], f"user{n}@example.com").pk for n in range(26)]

    response = as_user("composer").post(page_url(campaign), {"recipients": chosen})

    assert response.status_code == 400
    assert test_send_payload.TOO_MANY in text_of(response)
    assert response.content.decode().count("checked") == 26  # nothing chosen is lost
    assert not ApiCall.objects.exists()


def test_no_recipient_chosen_and_someone_elses_recipient_are_refused(sandbox, as_user, people):
    campaign = new_draft(people["composer"])
    add(people["composer"])
    theirs = add(people["reviewer"], "reviewer@example.com")
    client = as_user("composer")

    none = client.post(page_url(campaign), {})
    other = client.post(page_url(campaign), {"recipients": [theirs.pk]})
    bad = client.post(page_url(campaign), {"recipients": ["x"]})

    assert none.status_code == other.status_code == bad.status_code == 400
    assert test_send_payload.NONE_CHOSEN in text_of(none)
    assert test_send_forms.CHOSEN_GONE in text_of(other)
    assert test_send_forms.CHOSEN_GONE in text_of(bad)
    assert not ApiCall.objects.exists()


def test_a_person_without_test_recipients_is_shown_where_to_add_them(sandbox, as_user, people):
    campaign = new_draft(people["composer"])

    page = as_user("composer").get(page_url(campaign))

    assert "You have no test recipients yet." in text_of(page)
    assert reverse("campaigns:test_recipients") in page.content.decode()


def test_cleverTaps_refusal_is_said_in_words_and_recorded(sandbox, as_user, people):
    campaign = new_draft(people["composer"])
    stranger = add(people["composer"], "nobody-knows-me@example.com", label="old phone")

    response = as_user("composer").post(page_url(campaign), {"recipients": [stranger.pk]})

    assert response.status_code == 200
    text = text_of(response)
    assert "The test was not sent:" in text and "Invalid recipients" in text
    # What to do about it, in words.
    assert " ".join(test_sends.UNKNOWN_RECIPIENTS.split()) in " ".join(text.split())
    event = AuditEvent.objects.get(action=AuditAction.TEST_SEND_FAILED)
    assert audit.event_summary(event).startswith(
        "Test to 1 recipient by composer (version 1, Push) not sent: "
    )
    assert "checked" in response.content.decode()


def test_a_busy_limiter_is_said_in_words_and_nothing_is_sent(sandbox, as_user, people, settings):
    campaign = new_draft(people["composer"])
    inbox = add(people["composer"])
    profiles_create(emails=[ME])
    settings.CLEVERTAP_LIMIT_WAIT_SECONDS = 0.05
    account = clevertap.account_current().account_id
    size = settings.CLEVERTAP_MAX_IN_FLIGHT
    for _ in range(size):
        assert models.ApiSlot.objects.claim(
            account_id=account, pool=models.ApiSlotPool.IN_FLIGHT, size=size, busy_seconds=60
        )

    response = as_user("composer").post(page_url(campaign), {"recipients": [inbox.pk]})

    assert test_sends.FAILED.format(error=clevertap.MESSAGE_LOCAL_BUSY) in text_of(response)
    assert received("send/push.json") == []
    assert AuditEvent.objects.filter(action=AuditAction.TEST_SEND_FAILED).count() == 1


def test_the_composer_links_to_the_test_send(as_user, people):
    campaign = new_draft(people["composer"])

    page = as_user("composer").get(reverse("campaigns:composer", args=[campaign.pk]))

    assert f'href="{page_url(campaign)}"' in page.content.decode()
    assert reverse("campaigns:test_recipients") in page.content.decode()  # the user menu


def test_personalization_is_said_to_be_sent_as_typed_in_a_test(as_user, people):
    tagged = new_draft(
        people["composer"],
        {**PUSH_BODY, "content": {"title": 'Hi {{Profile.Name | default: "there"}}', "body": "x"}},
    )
    plain = new_draft(people["composer"])
    client = as_user("composer")

    tagged_page = text_of(client.get(page_url(tagged)))
    assert test_send_payload.SENT_LITERALLY in tagged_page
    assert test_send_payload.SENT_LITERALLY not in text_of(client.get(page_url(plain)))
    # In words, pointing to where the tags can be seen filled in; no endpoint placeholder.
    assert "<channel>" not in tagged_page and "Preview as a person" in tagged_page


def test_the_page_shows_the_request_a_test_sends(as_user, people):
    campaign = new_draft(people["composer"])
    add(people["composer"], label="my inbox")
    add(people["reviewer"], "reviewer@example.com")

    text = text_of(as_user("composer").get(page_url(campaign)))

    shown = text[text.index('id="test-request"') :]
    assert "The request a test sends" in shown
    for value in ("Test: Spring sale push", test_send_payload.TEST_TAG_GROUP, ME, "Up to 40% off"):
        assert f'"{value}"' in shown
    assert "reviewer@example.com" not in text and '"where"' not in shown


@pytest.mark.parametrize(
    ("example", "channel"),
    [
        ("01_targets_webpush.json", "webpush"),
        ("03_targets_email.json", "email"),
        ("18_targets_sms_plain.json", "sms"),
        ("10_targets_whatsapp_standard.json", "whatsapp"),
        ("11_targets_push_ios_carousel.json", "push"),
    ],
)
def test_every_channel_with_a_send_endpoint_is_test_sent_and_the_sandbox_takes_it(
    sandbox, as_user, people, example, channel
):
    campaign = new_draft(people["composer"], reference_example(example).body, channel=channel)
    inbox = add(people["composer"])
    profiles_create(emails=[ME])

    response = as_user("composer").post(page_url(campaign), {"recipients": [inbox.pk]})

    assert response.status_code == 302, text_of(response)
    (sent,) = received(f"send/{channel}.json")
    assert (sent.status_code, sent.body["to"]) == (200, {"Email": [ME]})
    assert AuditEvent.objects.filter(action=AuditAction.TEST_SENT).count() == 1


def test_the_test_page_and_the_history_name_a_draft_s_tests_alike(as_user, people):
    campaign = new_draft(people["composer"])
    client = as_user("composer")
    heading = ">Test sends</h2>"

    assert heading in text_of(client.get(page_url(campaign)))
    assert heading in text_of(client.get(reverse("campaigns:history", args=[campaign.pk])))
