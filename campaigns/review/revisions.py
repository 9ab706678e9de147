"""Revisions: every saved version of a draft (who, when, the whole body), and the body a review
compares the draft with (its last approved or published one, else its last one submitted for
review)."""

import dataclasses

from django.utils import timezone

from campaigns import diffs, identities, models, payloads, previews, selectors
from campaigns.models import identity_lists
from campaigns.review import guards


def revision_ensure(*, campaign: models.Campaign) -> models.Revision:
    """The revision of the draft's current version, made from the draft if it has none yet
    (a draft created or imported and never saved since)."""
    revision, _ = models.Revision.objects.get_or_create(
        campaign=campaign,
        version=campaign.version,
        defaults={
            "author_id": campaign.updated_by_id or campaign.owner_id,
            "created_at": campaign.updated_at or timezone.now(),
            "api": campaign.api,
            "channel": campaign.channel,
            "body": campaign.body,
            "body_hash": payloads.body_hash(campaign.body),
        },
    )
    return revision


def revision_record(
    *, campaign: models.Campaign, user, body: dict, version: int, api: str, channel: str
) -> models.Revision:
    """A save as revision `version`; `campaign` is the draft as it was before the save, whose
    version is kept too when it had no revision."""
    if (
        campaign.version == version - 1
        and not models.Revision.objects.filter(campaign=campaign).exists()
    ):
        revision_ensure(campaign=campaign)
    return models.Revision.objects.create(
        campaign=campaign,
        version=version,
        author=user,
        api=api,
        channel=channel,
        body=body,
        body_hash=payloads.body_hash(body),
    )


LIST_CHANGED = (
    "Identity list changed: {before:,} → {after:,} people (list {before_hash} → {after_hash})."
)
NOTHING_TO_COMPARE = "Nothing approved, published or submitted before"
SUBMITTED_BASE = "Submitted version {version}"


@dataclasses.dataclass
class DiffBase:
    """What a draft is compared with: its last approved or published body, else the last one
    submitted for review before the review now under way."""

    label: str
    version: int | None
    body: dict | None


def diff_base(*, campaign: models.Campaign) -> DiffBase:
    approval = models.Approval.objects.filter(campaign=campaign).select_related("reviewer").first()
    published = selectors.attempt_published(campaign=campaign)
    if published is not None and (approval is None or published.created_at >= approval.created_at):
        return DiffBase(f"Published version {published.version}", published.version, published.body)
    if approval is not None:
        revision = (
            models.Revision.objects.filter(campaign=campaign, body_hash=approval.body_hash)
            .order_by("-version")
            .first()
        )
        if revision is not None:
            label = f"Approved version {approval.version} ({guards.name_of(approval.reviewer)})"
            return DiffBase(label, approval.version, revision.body)
    submitted = _submitted_before(campaign)
    if submitted is not None:
        label = SUBMITTED_BASE.format(version=submitted.version)
        return DiffBase(label, submitted.version, submitted.body)
    return DiffBase(NOTHING_TO_COMPARE, None, None)


def _submitted_before(campaign: models.Campaign) -> models.Revision | None:
    """The revision last submitted for review, not counting the submission under review now (a
    resubmission is compared with the submission before it)."""
    versions = (
        models.AuditEvent.objects.filter(campaign=campaign, action=models.AuditAction.SUBMITTED)
        .order_by("-created_at", "-id")
        .values_list("details__version", flat=True)
    )
    current_round = 1 if campaign.status in models.Campaign.REVIEWABLE else 0
    earlier = [v for v in versions[current_round : current_round + 1] if isinstance(v, int)]
    if not earlier:
        return None
    return models.Revision.objects.filter(campaign=campaign, version=earlier[0]).first()


def body_diff(before: dict | None, after: dict) -> diffs.Diff:
    """The side-by-side diff of two bodies as pages show them (long identity lists cut short)."""
    shown_before = previews.body_for_display(before) if before is not None else {}
    return diffs.json_diff(shown_before, previews.body_for_display(after))


def list_change(before: dict | None, after: dict) -> str:
    """How the identity list differs between two bodies, in words ("" when it does not): the
    diff shows a long list cut short, so a change past its first entries is named here."""
    if before is None:
        return ""
    lists = [
        body.get("to") if isinstance(body, dict) and identity_lists.listable(body.get("to")) else {}
        for body in (before, after)
    ]
    hashes = [identity_lists.content_hash(to) if to else "none" for to in lists]
    if hashes[0] == hashes[1]:
        return ""
    return LIST_CHANGED.format(
        before=identities.count(lists[0]),
        after=identities.count(lists[1]),
        before_hash=hashes[0][:12],
        after_hash=hashes[1][:12],
    )


def body_paths(body: dict, *, limit: int = 300) -> list[str]:
    """The paths of a body's keys and items, in order (suggestions for a comment's field)."""
    seen: dict[str, None] = {}
    for row in diffs.json_diff(body, body).rows:
        if row.path:
            seen.setdefault(row.path, None)
    return list(seen)[:limit]
