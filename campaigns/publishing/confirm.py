"""The confirmation step: what a publisher is shown before publishing, and the signed token that
binds the publish to exactly that (the campaign, its version, its body's hash, the publisher, and
for an identity send the recipient check shown)."""

import dataclasses
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.template.defaultfilters import pluralize
from django.utils import timezone

from campaigns import models, payloads, previews, publishing, roles, selectors
from campaigns.forms.base import PayloadError
from campaigns.publishing import estimates, recipients
from campaigns.review import guards

CONFIRMATION_SALT = "campaigns.publishing.confirmation"

# Messages people see.
CONFIRMATION_INVALID = "This confirmation is not valid: open the confirmation page again."
CONFIRMATION_EXPIRED = (
    "This confirmation is more than {minutes} minutes old: nothing was published. Look at the "
    "campaign again and confirm."
)
DRAFT_CHANGED = (
    "The draft changed after you confirmed it (you confirmed version {confirmed}, it is now "
    "version {current}): nothing was published. Look at the new version and confirm again."
)
NOT_PUBLISHABLE = (
    "This campaign is {status}: it cannot be published again. Clone it to publish a copy."
)
HAS_ERRORS = (
    "This draft has {count} problem{plural}: nothing was published. "
    "Fix {them} in the composer first."
)
ALREADY_PUBLISHED = "This campaign is already published (CleverTap campaign {clevertap_id})."
ALREADY_SENDING = (
    "This campaign is already being published ({state}, started by {user} at {time}): it is "
    "not sent twice."
)
ALREADY_UNKNOWN = (
    "An earlier publish of this campaign has an unknown outcome: check CleverTap's campaign list "
    "before publishing again."
)
ALREADY_PARTLY_SENT = (
    "Some batches of the earlier send of this campaign failed: retry them on its publishing page "
    "rather than publishing again."
)


class ConfirmationRefused(publishing.PublishingError):
    pass


class NotPublishable(publishing.PublishingError):
    pass


class AlreadyPublishing(publishing.PublishingError):
    """Another attempt holds this campaign (or this version): `attempt` is that one."""

    def __init__(self, message: str, attempt: models.PublishAttempt | None):
        super().__init__(message)
        self.attempt = attempt


@dataclasses.dataclass
class Confirmation:
    """What the confirmation step shows, and the token that binds publishing to it."""

    campaign: models.Campaign
    endpoint: str
    body: dict[str, Any]
    body_hash: str
    estimate: models.Estimate | None
    estimate_stale: str
    schedule: dict[str, Any] | None
    errors: list[PayloadError]
    requests: previews.Requests | None
    # An identity send's sample of its list, looked up in CleverTap for this page.
    recipients: models.RecipientCheck | None
    token: str
    blocked: str

    @property
    def json_html(self) -> str:
        return previews.highlight_json(previews.body_for_display(self.body))


def publish_confirmation(
    *, campaign: models.Campaign, user, look_up_recipients: bool = False
) -> Confirmation:
    """The endpoint, final body, latest estimate and schedule, with a signed token for them.

    With `look_up_recipients` (the confirmation page), an identity send's recipient check (made
    now, or in the last minutes for the same list) is bound to the token: the page asks for "send
    anyway" when it found none known.
    """
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    campaign = selectors.campaign_with_people(campaign.pk)
    digest = payloads.body_hash(campaign.body)
    estimate = selectors.estimate_latest(campaign=campaign)
    errors = selectors.campaign_errors(campaign)
    checked = (
        recipients.recipient_check_recent(campaign=campaign, user=user, body_hash=digest)
        if look_up_recipients and campaign.api == models.Api.SEND
        else None
    )
    token = signing.TimestampSigner(salt=CONFIRMATION_SALT).sign_object(
        {
            "campaign": campaign.pk,
            "version": campaign.version,
            "body": digest,
            "user": user.pk,
            "recipients": checked.pk if checked else None,
        }
    )
    return Confirmation(
        campaign=campaign,
        endpoint=payloads.endpoint(campaign.api, campaign.channel),
        body=campaign.body,
        body_hash=digest,
        estimate=estimate,
        estimate_stale=(
            estimates.estimate_stale_message(estimate=estimate, campaign=campaign)
            if estimate
            else ""
        ),
        schedule=previews.schedule_preview(
            campaign.body,
            now=timezone.now(),
            account_tz=ZoneInfo(settings.TIME_ZONE),
            audience_timezones=selectors.audience_timezones,
        ),
        errors=errors,
        requests=(
            previews.request_count(campaign.body) if campaign.api == models.Api.SEND else None
        ),
        recipients=checked,
        token=token,
        blocked=blocked(campaign, errors),
    )


def blocked(campaign: models.Campaign, errors: list[PayloadError]) -> str:
    """Why this draft cannot be published now, or "": shown before Publish is pressed."""
    if campaign.status not in models.Campaign.PUBLISHABLE:
        return NOT_PUBLISHABLE.format(status=campaign.get_status_display().lower())
    if errors:
        count = len(errors)
        return HAS_ERRORS.format(
            count=count, plural=pluralize(count), them="it" if count == 1 else "them"
        )
    live = models.PublishAttempt.objects.filter(campaign=campaign, live=True).first()
    if live is not None:
        return already_message(live)
    # Approval of this exact body, and the reach guards.
    return guards.publish_refusal(campaign=campaign)


def confirmed(token: str, *, campaign: models.Campaign, user) -> dict[str, Any]:
    """What the token confirmed: the campaign, version, body hash and publisher it was made for."""
    max_age = settings.PUBLISH_CONFIRMATION_MAX_AGE
    signer = signing.TimestampSigner(salt=CONFIRMATION_SALT)
    try:
        found = signer.unsign_object(token or "", max_age=max_age)
    except signing.SignatureExpired:
        raise ConfirmationRefused(CONFIRMATION_EXPIRED.format(minutes=max_age // 60)) from None
    except signing.BadSignature:
        raise ConfirmationRefused(CONFIRMATION_INVALID) from None
    if (
        not isinstance(found, dict)
        or found.get("campaign") != campaign.pk
        or found.get("user") != user.pk
    ):
        raise ConfirmationRefused(CONFIRMATION_INVALID)
    return found


def recipients_shown(
    token: str, *, campaign: models.Campaign, user
) -> models.RecipientCheck | None:
    """The recipient check the confirmation page showed with this token, if it is valid.

    An invalid or expired token gives None: publishing refuses it, with its own message.
    """
    try:
        found = confirmed(token, campaign=campaign, user=user)
    except ConfirmationRefused:
        return None
    if not found.get("recipients"):
        return None
    return models.RecipientCheck.objects.filter(
        pk=found["recipients"], campaign=campaign, body_hash=found.get("body")
    ).first()


def already_message(attempt: models.PublishAttempt) -> str:
    """Why the campaign cannot be published while `attempt` (its live one) stands."""
    if attempt.state == models.AttemptState.SUCCEEDED:
        return ALREADY_PUBLISHED.format(clevertap_id=attempt.clevertap_id or "unknown")
    if attempt.state == models.AttemptState.UNKNOWN:
        return ALREADY_UNKNOWN
    if attempt.state == models.AttemptState.FAILED:
        return ALREADY_PARTLY_SENT
    return ALREADY_SENDING.format(
        state=attempt.get_state_display(),
        user=attempt.user.get_username() if attempt.user_id else "someone",
        time=timezone.localtime(attempt.created_at).strftime("%H:%M:%S"),
    )
