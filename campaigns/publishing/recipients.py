"""The recipient check of an identity send: a random sample of its list looked up in CleverTap's
profiles before anything is sent.

A list CleverTap does not know (another account's customers, e-mail addresses pasted as Identity)
is otherwise found out only when every batch fails ("Invalid recipients", code 84). The check is
made with each estimate of an identity send (the reviewer sees it) and again on the confirmation
page (the publisher sees it; none known asks for a second confirmation in words).

The sample is drawn with a seed taken from the list, so every check of one list looks up the same
identities: the reviewer and the publisher see the same people checked. Lookups go through the
client one at a time, within the account's limiter; the first failure ends the check, which then
says why and blocks nothing.
"""

import datetime
import random
from typing import Any

from django.template.defaultfilters import pluralize
from django.utils import timezone

from campaigns import audit, clevertap, identities, models, payloads
from campaigns.publishing import records

SAMPLE_SIZE = 20
# How long a check of one list stands for it: a reload of the confirmation page, or a publish
# soon after an estimate, does not look the same people up again.
CHECK_KEPT_FOR = datetime.timedelta(minutes=10)
# The `to` key -> the keyword of `clevertap.profile` that looks it up. CleverTap's profile API
# reads by identity, email or objectId only: FBID and GPID entries cannot be checked.
LOOKUP_KEYWORDS = {"Identity": "identity", "Email": "email", "objectId": "object_id"}

# Messages people see.
KNOWN = "{known} of {sampled} sampled identit{ies} {verb} known to CleverTap."
NONE_KNOWN = (
    "CleverTap would most likely refuse every request of this send (“Invalid recipients”). "
    "Before publishing, check that the list holds this account's customers, each under the "
    "right type (e-mail addresses under Email, not Identity)."
)
NOT_CHECKED = (
    "{types} entries are not checked: CleverTap's profile lookup takes only Identity, Email "
    "and objectId."
)
NOTHING_TO_CHECK = (
    "Nothing to check: CleverTap's profile lookup takes only Identity, Email and objectId, and "
    "this list holds only {types}. This does not stop the publish."
)
CHECK_FAILED = "Could not check the recipients: {error} This does not stop the publish."
SEND_ANYWAY_LABEL = (
    "I understand none of the {sampled} sampled people are known to CleverTap; send anyway"
)
SEND_ANYWAY_MISSING = (
    "Not published: none of the {sampled} sampled identities is known to CleverTap. Tick “I "
    "understand … send anyway” to publish all the same, or check the list first."
)
SEND_ANYWAY_TICK = "Tick this box to publish all the same, or go back and check the list."


def recipient_sample(to: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Up to SAMPLE_SIZE (type, identity) pairs drawn at random from the types that can be
    looked up, in list order; the same list always gives the same sample."""
    # An empty entry (an imported body may hold one) names nobody to look up.
    lists = [
        (kind, [value for value in values if value])
        for kind, values in to.items()
        if kind in LOOKUP_KEYWORDS
    ]
    lists = [(kind, values) for kind, values in lists if values]
    total = sum(len(values) for _, values in lists)
    # Positions, not a list of every entry: a list may hold a million identities.
    positions = random.Random(payloads.body_hash(to)).sample(range(total), min(SAMPLE_SIZE, total))
    picked: list[tuple[str, str]] = []
    start = 0
    for position in sorted(positions):
        while position >= start + len(lists[0][1]):
            start += len(lists.pop(0)[1])
        kind, values = lists[0]
        picked.append((kind, values[position - start]))
    return picked


def recipient_check(
    *, campaign: models.Campaign, user, estimate: models.Estimate | None = None
) -> models.RecipientCheck:
    """Look up a sample of the identity send's list in CleverTap and store what was found."""
    to = identities.unique_identities(campaign.body.get("to"))
    check = models.RecipientCheck(
        campaign=campaign,
        estimate=estimate,
        version=campaign.version,
        body_hash=payloads.body_hash(campaign.body),
        not_checked=[kind for kind, values in to.items() if values and kind not in LOOKUP_KEYWORDS],
        user=user,
    )
    sample = recipient_sample(to)
    try:
        check.sample = [_looked_up(kind, value) for kind, value in sample]
    except clevertap.CleverTapError as error:
        check.error = CHECK_FAILED.format(error=str(error))
    check.sampled = len(check.sample)
    check.known = sum(1 for entry in check.sample if entry["known"])
    check.summary = _summary(check)
    check.save()
    return check


def recipient_check_recent(
    *, campaign: models.Campaign, user, body_hash: str
) -> models.RecipientCheck:
    """The check of this exact list made within CHECK_KEPT_FOR that found someone known, or a
    new one (the sample is the same for the same list). A check that found nobody is made again:
    the person may have just put the list right in CleverTap."""
    recent = models.RecipientCheck.objects.filter(
        campaign=campaign,
        body_hash=body_hash,
        error="",
        known__gt=0,
        created_at__gte=timezone.now() - CHECK_KEPT_FOR,
    ).first()
    return recent or recipient_check(campaign=campaign, user=user)


def send_anyway_label(check: models.RecipientCheck) -> str:
    return SEND_ANYWAY_LABEL.format(sampled=check.sampled)


def send_anyway_refusal(*, campaign: models.Campaign, user, check: models.RecipientCheck) -> str:
    """Why a publish of a list none of whose sample is known, without "send anyway", was
    refused; in the audit log, as every refused publish is."""
    message = SEND_ANYWAY_MISSING.format(sampled=check.sampled)
    records.retrying_when_locked(
        lambda: audit.publish_refused_record(campaign=campaign, user=user, message=message)
    )
    return message


def _looked_up(kind: str, value: str) -> dict[str, Any]:
    found = clevertap.profile(**{LOOKUP_KEYWORDS[kind]: value})
    return {"type": kind, "value": value, "known": found is not None}


def _summary(check: models.RecipientCheck) -> str:
    """What the check found, in words (or why it could not check)."""
    if check.error:
        return check.error
    types = " and ".join(check.not_checked)
    if not check.sampled:
        return NOTHING_TO_CHECK.format(types=types) if types else ""
    parts = [
        KNOWN.format(
            known=check.known,
            sampled=check.sampled,
            ies=pluralize(check.sampled, "y,ies"),
            verb="is" if check.known == 1 or check.sampled == 1 else "are",
        )
    ]
    if check.none_known:
        parts.append(NONE_KNOWN)
    if types:
        parts.append(NOT_CHECKED.format(types=types))
    return " ".join(parts)
