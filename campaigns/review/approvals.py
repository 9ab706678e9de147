"""Submitting, approving and sending back, and what a save or an archive means for the approvals.

An approval is bound to the exact request body it approved (its hash, `payloads.body_hash`); a
save that changes the body voids the approvals of the old one, visibly, and the draft returns to
draft (`campaign_saved`, called by `services.campaign_save` in its transaction).
"""

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from campaigns import audit, models, payloads, review, roles, selectors
from campaigns.models import AuditAction, Status
from campaigns.review import comments, guards, revisions

# Messages people see.
NOT_SUBMITTABLE = "This campaign is {status}: only a draft can be submitted for review."
SUBMIT_HAS_ERRORS = (
    "This draft has {count} problem{plural}: fix {them} in the composer before asking for a review."
)
NOT_IN_REVIEW = (
    "This campaign is {status}: only a draft in review can be approved or sent back. The "
    "composer submits it for review first."
)
CHANGED_SINCE_SHOWN = (
    "The draft changed after you opened it (you saw version {shown}, it is now version "
    "{current}): nothing was approved. Look at the new version first."
)
AUTHOR_CANNOT_APPROVE = (
    "You wrote or edited this draft, so someone else must approve it (four-eyes review)."
)
CHANGES_TEXT_REQUIRED = "Say what should change: the composer sees it beside the draft."

VOIDED_BY_EDIT = "{user} saved version {version}, a different request body."
VOIDED_BY_TARGET = "{user} saved version {version} for another endpoint ({endpoint})."
VOIDED_BY_CHANGES = "{user} asked for changes."
VOIDED_BY_ARCHIVE = "{user} archived the draft."
VOIDED_BY_NEW_APPROVAL = "Replaced by {user}'s new approval of version {version}."


def _locked(campaign: models.Campaign) -> models.Campaign:
    """The draft as it is now, its row locked until the transaction ends (PostgreSQL)."""
    return (
        models.Campaign.objects.select_for_update(of=("self",))
        .select_related("owner", "updated_by")
        .get(pk=campaign.pk)
    )


def _status_set(campaign: models.Campaign, status: str) -> None:
    models.Campaign.objects.filter(pk=campaign.pk).update(status=status, updated_at=timezone.now())
    campaign.status = status


def campaign_submit(*, campaign: models.Campaign, user) -> models.Campaign:
    """Ask for a review of the draft as it is (draft -> in review)."""
    roles.require_any(user, roles.CHANGE_PERMISSION)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != Status.DRAFT:
            raise review.ReviewError(
                NOT_SUBMITTABLE.format(status=campaign.get_status_display().lower())
            )
        errors = selectors.campaign_errors(campaign)
        if errors:
            count = len(errors)
            raise review.ReviewError(
                SUBMIT_HAS_ERRORS.format(
                    count=count, plural=pluralize(count), them="it" if count == 1 else "them"
                )
            )
        revisions.revision_ensure(campaign=campaign)
        _status_set(campaign, Status.IN_REVIEW)
        audit.audit_record(
            actor=user,
            action=AuditAction.SUBMITTED,
            campaign=campaign,
            details={"version": campaign.version, "from": Status.DRAFT, "to": Status.IN_REVIEW},
        )
    return campaign


def campaign_approve(
    *, campaign: models.Campaign, user, shown_version: int | None = None
) -> models.Approval:
    """Approve the exact body of the draft's current version (the one the reviewer was shown),
    unless it has problems (`guards.problems_refusal`).

    With enough approvals (two above the reach threshold) the draft becomes approved; until then
    it stays in review. Approving again replaces the reviewer's own earlier approval (after a new
    estimate, say).
    """
    roles.require_any(user, roles.REVIEW_PERMISSION)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status not in models.Campaign.REVIEWABLE:
            raise review.ReviewError(
                NOT_IN_REVIEW.format(status=campaign.get_status_display().lower())
            )
        if shown_version is not None and shown_version != campaign.version:
            raise review.ReviewError(
                CHANGED_SINCE_SHOWN.format(shown=shown_version, current=campaign.version)
            )
        if settings.REVIEW_FOUR_EYES and user.pk in guards.authors(campaign=campaign):
            raise review.ReviewError(AUTHOR_CANNOT_APPROVE)
        problems = selectors.campaign_errors(campaign)
        if problems:
            raise review.ReviewError(
                guards.problems_refusal(version=campaign.version, problems=problems)
            )
        digest = payloads.body_hash(campaign.body)
        estimate = guards.estimate_for(campaign=campaign, digest=digest)
        revisions.revision_ensure(campaign=campaign)
        models.Approval.objects.filter(
            campaign=campaign, reviewer=user, voided_at__isnull=True
        ).update(
            voided_at=timezone.now(),
            voided_reason=VOIDED_BY_NEW_APPROVAL.format(
                user=guards.name_of(user), version=campaign.version
            ),
        )
        approval = models.Approval.objects.create(
            campaign=campaign,
            version=campaign.version,
            body_hash=digest,
            reviewer=user,
            reach=estimate.total if estimate is not None else None,
            estimate=estimate,
        )
        standing = guards.standing(campaign, digest)
        needed = guards.approvals_needed(reach=guards.reach_of(standing, estimate))
        approvers = len({a.reviewer_id for a in standing})
        before = campaign.status
        if approvers >= needed:
            _status_set(campaign, Status.APPROVED)
        audit.audit_record(
            actor=user,
            action=AuditAction.APPROVED,
            campaign=campaign,
            details={
                "version": campaign.version,
                "body_hash": digest,
                "reach": approval.reach,
                "approvals": approvers,
                "needed": needed,
                "from": before,
                "to": campaign.status,
            },
        )
    return approval


def campaign_request_changes(
    *, campaign: models.Campaign, user, text: str, section: str = "", path: str = ""
) -> models.Comment:
    """Send the draft back to its composer with a comment saying what should change."""
    roles.require_any(user, roles.REVIEW_PERMISSION)
    if not text.strip():
        raise review.ReviewError(CHANGES_TEXT_REQUIRED)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status not in models.Campaign.REVIEWABLE:
            raise review.ReviewError(
                NOT_IN_REVIEW.format(status=campaign.get_status_display().lower())
            )
        comment = comments.comment_add(
            campaign=campaign, user=user, text=text, section=section, path=path
        )
        voided = _approvals_void(
            campaign, reason=VOIDED_BY_CHANGES.format(user=guards.name_of(user))
        )
        before = campaign.status
        _status_set(campaign, Status.DRAFT)
        audit.audit_record(
            actor=user,
            action=AuditAction.CHANGES_REQUESTED,
            campaign=campaign,
            details={
                "version": campaign.version,
                "comment": comment.pk,
                "approvals_voided": voided,
                "from": before,
                "to": Status.DRAFT,
            },
        )
    return comment


def _approvals_void(campaign: models.Campaign, *, reason: str, keep_hash: str | None = None) -> int:
    standing = models.Approval.objects.filter(campaign=campaign, voided_at__isnull=True)
    if keep_hash is not None:
        standing = standing.exclude(body_hash=keep_hash)
    return standing.update(voided_at=timezone.now(), voided_reason=reason)


def campaign_saved(
    *,
    campaign: models.Campaign,
    user,
    body: dict,
    version: int,
    api: str,
    channel: str,
) -> None:
    """What a save means for review (called by `services.campaign_save` in its transaction).

    `campaign` is the draft as it was before the save. The save becomes revision `version`.
    Approvals of any other body (or of another endpoint) are voided and the draft returns to
    draft, in the audit log.
    """
    revision = revisions.revision_record(
        campaign=campaign, user=user, body=body, version=version, api=api, channel=channel
    )
    moved = (api, channel) != (campaign.api, campaign.channel)
    name = guards.name_of(user)
    if moved:
        endpoint = payloads.endpoint(api, channel)
        reason = VOIDED_BY_TARGET.format(user=name, version=version, endpoint=endpoint)
    else:
        reason = VOIDED_BY_EDIT.format(user=name, version=version)
    voided = _approvals_void(
        campaign, reason=reason, keep_hash=None if moved else revision.body_hash
    )
    if not voided:
        return
    before = campaign.status
    if before in models.Campaign.REVIEWABLE:
        models.Campaign.objects.filter(pk=campaign.pk).update(status=Status.DRAFT)
    audit.audit_record(
        actor=user,
        action=AuditAction.APPROVAL_VOIDED,
        campaign=campaign,
        details={
            "version": version,
            "reason": reason,
            "approvals_voided": voided,
            "from": before,
            "to": Status.DRAFT if before in models.Campaign.REVIEWABLE else before,
        },
    )


def campaign_archived_changed(
    *, campaign: models.Campaign, user, before: str, archived: bool
) -> None:
    """Archiving voids the approvals (a restored draft is reviewed again); both are audited.

    Called by `services.campaign_set_archived` once the status is saved.
    """
    voided = 0
    if archived:
        voided = _approvals_void(
            campaign, reason=VOIDED_BY_ARCHIVE.format(user=guards.name_of(user))
        )
    audit.audit_record(
        actor=user,
        action=AuditAction.ARCHIVED if archived else AuditAction.UNARCHIVED,
        campaign=campaign,
        details={"from": before, "to": campaign.status, "approvals_voided": voided},
    )
