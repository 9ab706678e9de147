"""Test sends: a draft's content sent now, through send/<channel>.json, to its sender's own test
recipients (`campaigns.test_recipients`), to see it on a real device before anyone else does.

No approval is needed: a test reaches only the sender's own recipients, at most
`test_send_payload.MAX_RECIPIENTS`. A draft with problems is refused (CleverTap would refuse it
too, or send something nobody approved the look of). The call goes through the app's one
CleverTap client, so it shares the account's limiter and is stored as an API call; the test is
recorded in the audit log, which the draft's history shows.
"""

import secrets
from dataclasses import dataclass, field

from django.template.defaultfilters import pluralize

from campaigns import audit, clevertap, models, publishing, selectors, test_send_payload
from campaigns.forms.base import PayloadError
from campaigns.models import Api
from campaigns.publishing import records

HAS_PROBLEMS = (
    "This draft has {count} problem{plural}, so it cannot be test-sent: fix {them} in the "
    "composer first."
)
NOT_BUILT = (
    "The test's request body has {count} problem{plural} the draft does not have, so it was not "
    "sent:"
)
NOT_YOURS = "Only your own test recipients can be sent a test."
SENT = "Test sent to {count} recipient{plural}: {names}. CleverTap answered: {answer}"
FAILED = "The test was not sent: {error}"
# CleverTap's code 84: no profile of the account has the recipients' identity or email.
CODE_UNKNOWN_RECIPIENTS = 84
UNKNOWN_RECIPIENTS = (
    " CleverTap has no profile with the chosen recipients' email or identity: check them in your "
    "test recipients (the identity is the one your app sets for you). With the sandbox, use a "
    "person of its sample audience: “A random person” under Preview as a person shows one."
)
ANSWER_DEFAULT = "queued."
# What the page shows for WhatsApp's message id, drawn anew for each test.
MESSAGE_ID_SHOWN = "(random)"


class TestSendRefused(publishing.PublishingError):
    """The test cannot be sent as asked: the message says why; `problems` lists the draft's."""

    __test__ = False

    def __init__(self, message: str, problems: list[PayloadError] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class TestSendOutcome:
    """What came of a test that was tried: sent, or failed with CleverTap's error in words."""

    __test__ = False

    sent: bool
    message: str
    body: dict
    api_call: models.ApiCall | None = None
    recipients: list[models.TestRecipient] = field(default_factory=list)


def refusal(campaign: models.Campaign) -> TestSendRefused | None:
    """Why no test of this draft can be sent whoever asks (its channel, its problems), or None."""
    if reason := test_send_payload.cannot_test_send(campaign.channel):
        return TestSendRefused(reason)
    problems = selectors.campaign_errors(campaign)
    if problems:
        return TestSendRefused(_counted(HAS_PROBLEMS, len(problems)), problems)
    return None


def campaign_test_send(
    *, campaign: models.Campaign, user, recipients: list[models.TestRecipient]
) -> TestSendOutcome:
    """Send the draft's saved content to `recipients` (the user's own) now.

    Raises TestSendRefused, before anything is sent, for a channel without a send endpoint, a
    draft with problems, no recipients or too many, or someone else's recipients. A call that
    fails (CleverTap's refusal, the limiter busy, no answer) is an outcome, not an exception: it
    is recorded like a sent test, with its error.
    """
    if any(recipient.user_id != user.pk for recipient in recipients):
        raise TestSendRefused(NOT_YOURS)
    if reason := refusal(campaign):
        raise reason
    if reason := test_send_payload.recipients_refusal(len(recipients)):
        raise TestSendRefused(reason)
    body = body_shown(campaign=campaign, recipients=recipients, message_id=secrets.token_hex(4))
    built_problems = selectors.body_errors(body, api=Api.SEND, channel=campaign.channel)
    if built_problems:
        raise TestSendRefused(_counted(NOT_BUILT, len(built_problems)), built_problems)
    labels = [recipient.label or recipient.get_kind_display() for recipient in recipients]
    try:
        result = records.api_call(
            lambda: clevertap.send(channel=campaign.channel, body=body),
            campaign=campaign,
            user=user,
        )
    except clevertap.CleverTapError as error:
        said = str(error)
        call = _stored_call(campaign, user)
        records.retrying_when_locked(
            lambda: audit.sent_test_record(
                campaign=campaign, user=user, labels=labels, api_call=call, error=said
            )
        )
        message = FAILED.format(error=said)
        if str(error.clevertap_code) == str(CODE_UNKNOWN_RECIPIENTS):
            message += UNKNOWN_RECIPIENTS
        return TestSendOutcome(False, message, body, call, recipients)
    call = _stored_call(campaign, user)
    records.retrying_when_locked(
        lambda: audit.sent_test_record(campaign=campaign, user=user, labels=labels, api_call=call)
    )
    answer = result.data.get("message") if isinstance(result.data, dict) else None
    message = SENT.format(
        count=len(recipients),
        plural=pluralize(len(recipients)),
        names=", ".join(str(recipient) for recipient in recipients),
        answer=_sentence(answer) if isinstance(answer, str) and answer else ANSWER_DEFAULT,
    )
    return TestSendOutcome(True, message, body, call, recipients)


def body_shown(
    *,
    campaign: models.Campaign,
    recipients: list[models.TestRecipient],
    message_id: str = MESSAGE_ID_SHOWN,
) -> dict:
    """The request body a test of this draft sends to `recipients` (the draft must be
    test-sendable: `refusal` is None); the page shows it, the send sends it."""
    return test_send_payload.body_for_test_send(
        campaign.body,
        api=campaign.api,
        channel=campaign.channel,
        to=test_send_payload.recipients_to([(each.kind, each.value) for each in recipients]),
        message_id=message_id,
    )


def sent_tests(*, campaign: models.Campaign, limit: int = 20) -> list[models.AuditEvent]:
    """The draft's latest test sends, newest first, as the audit log holds them, each with its
    `summary` in words."""
    events = audit.audit_list(campaign_id=campaign.pk).filter(
        action__in=(models.AuditAction.TEST_SENT, models.AuditAction.TEST_SEND_FAILED)
    )
    found = list(events[:limit])
    for event in found:
        event.summary = audit.event_summary(event)
    return found


def _stored_call(campaign: models.Campaign, user) -> models.ApiCall | None:
    """The API call `records.api_call` just stored for this test (the user's latest send of
    this draft outside an identity send's batches)."""
    calls = models.ApiCall.objects.filter(
        campaign=campaign, user=user, operation="send", batch__isnull=True
    )
    return calls.order_by("-id").first()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _counted(template: str, count: int) -> str:
    return template.format(
        count=count, plural=pluralize(count), them="it" if count == 1 else "them"
    )
