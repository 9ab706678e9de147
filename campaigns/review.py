"""Team review: submit, approve, request changes, comment, revisions, the publish guards, the undo
window of a publish, and the audit log.

States: draft -> in review -> approved -> published -> stopped; "request changes" and any change
of the body send a draft back to draft; archived from any state but published.

An approval is bound to the exact request body it approved (its hash, `publishing.body_hash`).
Publishing (`publishing.campaign_publish`) asks `publish_refusal` at the last moment, so what is
published is always a body that enough reviewers approved, whatever the statuses say; a save that
changes the body voids the approvals of the old one, visibly, and the draft returns to draft.

Writes are keyword-only functions that check the permission first (PermissionDenied) and raise
ReviewError with a message for people; reads are plain functions below them.
"""

import dataclasses
import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.template.defaultfilters import pluralize
from django.utils import timezone

from campaigns import (
    diffs,
    jsonpath,
    models,
    payloads,
    publishing,
    roles,
    selectors,
    services,
    tasks,
)
from campaigns.models import AuditAction, Status

COMMENT_PERMISSIONS = (roles.CHANGE_PERMISSION, roles.REVIEW_PERMISSION)
COMMENT_MAX_LENGTH = 5000
# Statuses a reviewer acts on: approving again (a second approval, or after a new estimate) is
# allowed while approved.
REVIEWABLE = (Status.IN_REVIEW, Status.APPROVED)

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
COMMENT_EMPTY = "Write something first."
COMMENT_TOO_LONG = "A comment holds at most {limit} characters."
COMMENT_PATH_INVALID = "“{path}” is not a field path: write it like content.title or devices[0]."
COMMENT_SECTION_UNKNOWN = "This draft has no section “{section}”."
REVISION_CURRENT = "Version {version} is the current version: there is nothing to restore."
RESTORED_NOTE = "Restored from version {version}"

VOIDED_BY_EDIT = "{user} saved version {version}, a different request body."
VOIDED_BY_TARGET = "{user} saved version {version} for another endpoint ({endpoint})."
VOIDED_BY_CHANGES = "{user} asked for changes."
VOIDED_BY_ARCHIVE = "{user} archived the draft."
VOIDED_BY_NEW_APPROVAL = "Replaced by {user}'s new approval of version {version}."

NOT_APPROVED = (
    "Not approved: publishers publish approved drafts. A reviewer must approve version "
    "{version} as it is now."
)
REACH_DRIFTED = (
    "The estimated reach moved from {approved} when it was approved to {now} now ({change}, "
    "more than the {share} allowed): a reviewer must approve it again with the new estimate."
)
NEEDS_SECOND_APPROVAL = (
    "An estimated reach of {reach} is above {threshold}: this draft needs a second approval, "
    "from another reviewer ({count} of 2 so far)."
)
NO_ESTIMATE = (
    "Not estimated: the reach guards (a second approval above {threshold}, a move of more "
    "than {share} since approval) apply once the draft is estimated."
)

PUBLISH_CANCELLED = "Cancelled by {user} within the undo window: nothing was sent."
PUBLISH_NOT_RELEASED = "Not sent when the undo window ended: {reason}"
CANCEL_TOO_LATE = "Too late to undo: the publish was already sent to CleverTap."
CANCEL_ALREADY = "This publish was already cancelled."


class ReviewError(Exception):
    """A refusal with a message for people (`str(error)`)."""


# Helpers


def _name(user) -> str:
    return user.get_username() if user is not None else "Someone"


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


def audit_record(
    *,
    actor,
    action: str,
    campaign: models.Campaign | None = None,
    campaign_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> models.AuditEvent:
    """Write one line of the audit log (never edited afterwards)."""
    return models.AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        campaign_id=campaign.pk if campaign is not None else campaign_id,
        details=details or {},
    )


# Submitting, approving, sending back


def campaign_submit(*, campaign: models.Campaign, user) -> models.Campaign:
    """Ask for a review of the draft as it is (draft -> in review)."""
    roles.require_any(user, roles.CHANGE_PERMISSION)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != Status.DRAFT:
            raise ReviewError(NOT_SUBMITTABLE.format(status=campaign.get_status_display().lower()))
        errors = payloads.body_errors(
            campaign.body,
            api=campaign.api,
            channel=campaign.channel,
            options=selectors.account_options(),
        )
        if errors:
            count = len(errors)
            raise ReviewError(
                SUBMIT_HAS_ERRORS.format(
                    count=count, plural=pluralize(count), them="it" if count == 1 else "them"
                )
            )
        revision_ensure(campaign=campaign)
        _status_set(campaign, Status.IN_REVIEW)
        audit_record(
            actor=user,
            action=AuditAction.SUBMITTED,
            campaign=campaign,
            details={"version": campaign.version, "from": Status.DRAFT, "to": Status.IN_REVIEW},
        )
    return campaign


def campaign_approve(
    *, campaign: models.Campaign, user, shown_version: int | None = None
) -> models.Approval:
    """Approve the exact body of the draft's current version (the one the reviewer was shown).

    With enough approvals (two above the reach threshold) the draft becomes approved; until then
    it stays in review. Approving again replaces the reviewer's own earlier approval (after a new
    estimate, say).
    """
    roles.require_any(user, roles.REVIEW_PERMISSION)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status not in REVIEWABLE:
            raise ReviewError(NOT_IN_REVIEW.format(status=campaign.get_status_display().lower()))
        if shown_version is not None and shown_version != campaign.version:
            raise ReviewError(
                CHANGED_SINCE_SHOWN.format(shown=shown_version, current=campaign.version)
            )
        if settings.REVIEW_FOUR_EYES and user.pk in authors(campaign=campaign):
            raise ReviewError(AUTHOR_CANNOT_APPROVE)
        digest = publishing.body_hash(campaign.body)
        estimate = estimate_for(campaign=campaign, digest=digest)
        revision_ensure(campaign=campaign)
        models.Approval.objects.filter(
            campaign=campaign, reviewer=user, voided_at__isnull=True
        ).update(
            voided_at=timezone.now(),
            voided_reason=VOIDED_BY_NEW_APPROVAL.format(user=_name(user), version=campaign.version),
        )
        approval = models.Approval.objects.create(
            campaign=campaign,
            version=campaign.version,
            body_hash=digest,
            reviewer=user,
            reach=estimate.total if estimate is not None else None,
            estimate=estimate,
        )
        standing = _standing(campaign, digest)
        needed = approvals_needed(reach=_reach(standing, estimate))
        before = campaign.status
        if len({a.reviewer_id for a in standing}) >= needed:
            _status_set(campaign, Status.APPROVED)
        audit_record(
            actor=user,
            action=AuditAction.APPROVED,
            campaign=campaign,
            details={
                "version": campaign.version,
                "body_hash": digest,
                "reach": approval.reach,
                "approvals": len({a.reviewer_id for a in standing}),
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
        raise ReviewError(CHANGES_TEXT_REQUIRED)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status not in REVIEWABLE:
            raise ReviewError(NOT_IN_REVIEW.format(status=campaign.get_status_display().lower()))
        comment = comment_add(campaign=campaign, user=user, text=text, section=section, path=path)
        voided = _approvals_void(campaign, reason=VOIDED_BY_CHANGES.format(user=_name(user)))
        before = campaign.status
        _status_set(campaign, Status.DRAFT)
        audit_record(
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


# Comments


def comment_add(
    *, campaign: models.Campaign, user, text: str, section: str = "", path: str = ""
) -> models.Comment:
    """A comment on the draft, optionally on one of its sections or a field path."""
    roles.require_any(user, *COMMENT_PERMISSIONS)
    text = text.strip()
    section = section.strip()
    path = path.strip()
    if not text:
        raise ReviewError(COMMENT_EMPTY)
    if len(text) > COMMENT_MAX_LENGTH:
        raise ReviewError(COMMENT_TOO_LONG.format(limit=COMMENT_MAX_LENGTH))
    if path and not jsonpath.parse_path(path):
        raise ReviewError(COMMENT_PATH_INVALID.format(path=path))
    if section and section not in dict(section_choices(campaign=campaign)):
        raise ReviewError(COMMENT_SECTION_UNKNOWN.format(section=section))
    return models.Comment.objects.create(
        campaign=campaign,
        author=user,
        version=campaign.version,
        text=text,
        section=section,
        path=path,
    )


def section_choices(*, campaign: models.Campaign) -> list[tuple[str, str]]:
    return [(s.prefix, s.title) for s in payloads.sections(campaign.api, campaign.channel)]


def comment_list(*, campaign: models.Campaign) -> QuerySet[models.Comment]:
    return models.Comment.objects.filter(campaign=campaign).select_related("author")


# Revisions


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
            "body_hash": publishing.body_hash(campaign.body),
        },
    )
    return revision


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

    `campaign` is the draft as it was before the save. The save becomes revision `version`; the
    version before it is kept too when it had no revision. Approvals of any other body (or of
    another endpoint) are voided and the draft returns to draft, in the audit log.
    """
    if (
        campaign.version == version - 1
        and not models.Revision.objects.filter(campaign=campaign).exists()
    ):
        revision_ensure(campaign=campaign)
    digest = publishing.body_hash(body)
    models.Revision.objects.create(
        campaign=campaign,
        version=version,
        author=user,
        api=api,
        channel=channel,
        body=body,
        body_hash=digest,
    )
    moved = (api, channel) != (campaign.api, campaign.channel)
    if moved:
        reason = VOIDED_BY_TARGET.format(
            user=_name(user), version=version, endpoint=payloads.endpoint(api, channel)
        )
    else:
        reason = VOIDED_BY_EDIT.format(user=_name(user), version=version)
    voided = _approvals_void(campaign, reason=reason, keep_hash=None if moved else digest)
    if not voided:
        return
    before = campaign.status
    if before in REVIEWABLE:
        models.Campaign.objects.filter(pk=campaign.pk).update(status=Status.DRAFT)
    audit_record(
        actor=user,
        action=AuditAction.APPROVAL_VOIDED,
        campaign=campaign,
        details={
            "version": version,
            "reason": reason,
            "approvals_voided": voided,
            "from": before,
            "to": Status.DRAFT if before in REVIEWABLE else before,
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
        voided = _approvals_void(campaign, reason=VOIDED_BY_ARCHIVE.format(user=_name(user)))
    audit_record(
        actor=user,
        action=AuditAction.ARCHIVED if archived else AuditAction.UNARCHIVED,
        campaign=campaign,
        details={"from": before, "to": campaign.status, "approvals_voided": voided},
    )


def revision_restore(
    *, revision: models.Revision, user, base_version: int | None = None
) -> models.Campaign:
    """Save an old revision's body as a new version (the history keeps both).

    Raises services.StaleVersion when the draft was saved after `base_version`, and
    services.NotEditable when it can no longer be edited.
    """
    roles.require_any(user, roles.CHANGE_PERMISSION)
    campaign = models.Campaign.objects.select_related("owner", "updated_by").get(
        pk=revision.campaign_id
    )
    if revision.version == campaign.version:
        raise ReviewError(REVISION_CURRENT.format(version=revision.version))
    with transaction.atomic():
        saved = services.campaign_save(
            campaign=campaign,
            user=user,
            body=revision.body,
            base_version=campaign.version if base_version is None else base_version,
            api=revision.api,
            channel=revision.channel,
        )
        note = RESTORED_NOTE.format(version=revision.version)
        models.Revision.objects.filter(campaign=saved, version=saved.version).update(note=note)
        audit_record(
            actor=user,
            action=AuditAction.REVISION_RESTORED,
            campaign=saved,
            details={"restored": revision.version, "version": saved.version},
        )
    return saved


def revision_list(*, campaign: models.Campaign) -> QuerySet[models.Revision]:
    return models.Revision.objects.filter(campaign=campaign).select_related("author").defer("body")


# The guards publishing asks


def authors(*, campaign: models.Campaign) -> set[int]:
    """Everyone who wrote the draft: its owner and whoever saved a revision of it."""
    saved_by = models.Revision.objects.filter(campaign=campaign, author__isnull=False)
    return {campaign.owner_id, *saved_by.values_list("author_id", flat=True).distinct()}


def approvals_needed(*, reach: int | None) -> int:
    threshold = settings.REVIEW_SECOND_APPROVAL_REACH
    return 2 if threshold > 0 and reach is not None and reach > threshold else 1


def estimate_for(*, campaign: models.Campaign, digest: str) -> models.Estimate | None:
    """The latest ready estimate of this exact body."""
    return (
        models.Estimate.objects.filter(
            campaign=campaign, body_hash=digest, state=models.EstimateState.READY
        )
        .order_by("-created_at", "-id")
        .first()
    )


def _standing(campaign: models.Campaign, digest: str) -> list[models.Approval]:
    """The approvals that stand for this body, newest first."""
    return list(
        models.Approval.objects.filter(
            campaign=campaign, body_hash=digest, voided_at__isnull=True
        ).select_related("reviewer", "estimate")
    )


def _reach(approvals: Iterable[models.Approval], estimate: models.Estimate | None) -> int | None:
    """The reach the guards go by: the latest estimate, else the largest one approved."""
    if estimate is not None and estimate.total is not None:
        return estimate.total
    approved = [a.reach for a in approvals if a.reach is not None]
    return max(approved) if approved else None


def _drift(approved: int, now: int) -> float:
    if approved == now:
        return 0.0
    if approved == 0:
        return float("inf")
    return (now - approved) / approved


def _percent(share: float) -> str:
    return "∞" if share == float("inf") else f"{share:+.0%}"


@dataclasses.dataclass
class Guards:
    """Where a draft stands for publishing, as reviewers and publishers see it."""

    body_hash: str
    approvals: list[models.Approval]
    needed: int
    reach: int | None
    estimate: models.Estimate | None
    refusal: str
    notes: list[str]

    @property
    def approved_by(self) -> list[str]:
        return [_name(a.reviewer) for a in self.approvals]


def guards(*, campaign: models.Campaign) -> Guards:
    """The approvals standing for the draft's body, how many it needs, and what refuses it."""
    digest = publishing.body_hash(campaign.body)
    approvals = _standing(campaign, digest)
    estimate = estimate_for(campaign=campaign, digest=digest)
    reach = _reach(approvals, estimate)
    needed = approvals_needed(reach=reach)
    reviewers = len({a.reviewer_id for a in approvals})
    refusal = ""
    if not approvals:
        refusal = NOT_APPROVED.format(version=campaign.version)
    elif (
        approvals[0].reach is not None
        and estimate is not None
        and estimate.total is not None
        and abs(_drift(approvals[0].reach, estimate.total)) > settings.REVIEW_REACH_DRIFT
    ):
        refusal = REACH_DRIFTED.format(
            approved=f"{approvals[0].reach:,}",
            now=f"{estimate.total:,}",
            change=_percent(_drift(approvals[0].reach, estimate.total)),
            share=f"{settings.REVIEW_REACH_DRIFT:.0%}",
        )
    elif reviewers < needed:
        refusal = NEEDS_SECOND_APPROVAL.format(
            reach=f"{reach:,}",
            threshold=f"{settings.REVIEW_SECOND_APPROVAL_REACH:,}",
            count=reviewers,
        )
    notes = []
    if reach is None:
        notes.append(
            NO_ESTIMATE.format(
                threshold=f"{settings.REVIEW_SECOND_APPROVAL_REACH:,}",
                share=f"{settings.REVIEW_REACH_DRIFT:.0%}",
            )
        )
    return Guards(
        body_hash=digest,
        approvals=approvals,
        needed=needed,
        reach=reach,
        estimate=estimate,
        refusal=refusal,
        notes=notes,
    )


def publish_refusal(*, campaign: models.Campaign) -> str:
    """Why the draft's body cannot be published now ("" when it can): no standing approval of
    this exact body, its estimated reach moved too far since, or a second approval is missing."""
    return guards(campaign=campaign).refusal


# The undo window


def publish_recorded(*, attempt: models.PublishAttempt) -> models.PublishHold | None:
    """A publish attempt was recorded (called in its transaction): audit it, and hold it for the
    undo window when there is one. Returns the hold, or None when it is sent at once."""
    seconds = settings.PUBLISH_UNDO_SECONDS
    hold = None
    if seconds > 0:
        hold = models.PublishHold.objects.create(
            attempt=attempt,
            campaign_id=attempt.campaign_id,
            due_at=timezone.now() + datetime.timedelta(seconds=seconds),
        )
        transaction.on_commit(functools.partial(_hold_enqueue, hold_id=hold.pk))
    audit_record(
        actor=attempt.user,
        action=AuditAction.PUBLISH_REQUESTED,
        campaign_id=attempt.campaign_id,
        details={
            "attempt": attempt.pk,
            "idempotency_key": attempt.idempotency_key,
            "version": attempt.version,
            "body_hash": attempt.body_hash,
            "undo_until": hold.due_at.isoformat() if hold else None,
        },
    )
    return hold


def _hold_enqueue(*, hold_id: int) -> None:
    """Queue the release for when the window ends; without a backend that can wait, the pending
    page releases it (it asks every second)."""
    if not tasks.publish_release.get_backend().supports_defer:
        return
    hold = models.PublishHold.objects.get(pk=hold_id)
    result = tasks.publish_release.using(run_after=hold.due_at).enqueue(hold_id)
    models.PublishHold.objects.filter(pk=hold_id).update(task_id=str(result.id))


def publish_held(*, attempt: models.PublishAttempt) -> bool:
    """Whether the attempt waits in its undo window (nothing sent yet)."""
    return models.PublishHold.objects.filter(
        attempt=attempt, released_at__isnull=True, cancelled_at__isnull=True
    ).exists()


def publish_refused_record(*, campaign: models.Campaign, user, message: str) -> None:
    audit_record(
        actor=user,
        action=AuditAction.PUBLISH_REFUSED,
        campaign=campaign,
        details={"version": campaign.version, "message": message},
    )


def publish_sent_record(*, attempt: models.PublishAttempt) -> None:
    audit_record(
        actor=attempt.user,
        action=AuditAction.PUBLISH_SENT,
        campaign_id=attempt.campaign_id,
        details={
            "attempt": attempt.pk,
            "state": attempt.state,
            "clevertap_id": attempt.clevertap_id,
            "error": attempt.error,
        },
    )


def status_change_record(
    *, campaign_id: int, user, action: str, before: str, after: str, **details: Any
) -> None:
    audit_record(
        actor=user,
        action=action,
        campaign_id=campaign_id,
        details={"from": before, "to": after, **details},
    )


def hold_for(*, attempt: models.PublishAttempt) -> models.PublishHold | None:
    return models.PublishHold.objects.filter(attempt=attempt).select_related("cancelled_by").first()


def publish_release(*, hold: models.PublishHold) -> models.PublishAttempt | None:
    """Send a held publish once its window is over (the task, or the pending page, calls this).

    The release claims the hold with one conditional UPDATE, as a cancel does: whichever comes
    first wins, and the other changes nothing. A hold whose approval no longer stands (the draft
    was edited during the window) is cancelled instead: nothing is sent. Returns the attempt, or
    None when there was nothing to do (not due, already released or cancelled).
    """
    hold = models.PublishHold.objects.select_related("attempt", "attempt__user").get(pk=hold.pk)
    now = timezone.now()
    if hold.released_at or hold.cancelled_at or hold.due_at > now:
        return None
    attempt = hold.attempt
    campaign = models.Campaign.objects.get(pk=hold.campaign_id)
    refusal = publish_refusal(campaign=campaign)
    if not refusal and publishing.body_hash(campaign.body) != attempt.body_hash:
        refusal = NOT_APPROVED.format(version=campaign.version)
    if refusal:
        _hold_cancel(hold, user=None, reason=PUBLISH_NOT_RELEASED.format(reason=refusal))
        attempt.refresh_from_db()
        return attempt
    claimed = models.PublishHold.objects.filter(
        pk=hold.pk, released_at__isnull=True, cancelled_at__isnull=True
    ).update(released_at=now)
    if not claimed:
        return None
    publishing.publish_send(attempt=attempt)
    attempt.refresh_from_db()
    return attempt


def publish_cancel(*, hold: models.PublishHold, user) -> models.PublishAttempt:
    """Undo a publish within its window: nothing is sent, and the draft can be published again."""
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    hold = models.PublishHold.objects.select_related("attempt").get(pk=hold.pk)
    if hold.cancelled_at:
        raise ReviewError(CANCEL_ALREADY)
    if not _hold_cancel(hold, user=user, reason=PUBLISH_CANCELLED.format(user=_name(user))):
        hold.refresh_from_db()
        raise ReviewError(CANCEL_ALREADY if hold.cancelled_at else CANCEL_TOO_LATE)
    hold.attempt.refresh_from_db()
    return hold.attempt


def _hold_cancel(hold: models.PublishHold, *, user, reason: str) -> bool:
    """Claim the hold for a cancel; the attempt surely reached nobody, so it stops being live."""
    now = timezone.now()
    with transaction.atomic():
        claimed = models.PublishHold.objects.filter(
            pk=hold.pk, released_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now, cancelled_by=user, cancelled_reason=reason)
        if not claimed:
            return False
        models.PublishAttempt.objects.filter(pk=hold.attempt_id).update(
            state=models.AttemptState.FAILED,
            live=False,
            error=reason,
            finished_at=now,
            updated_at=now,
        )
        models.SendBatch.objects.filter(
            attempt_id=hold.attempt_id, state=models.BatchState.PENDING
        ).update(state=models.BatchState.FAILED, error=reason, finished_at=now)
        audit_record(
            actor=user,
            action=AuditAction.PUBLISH_CANCELLED,
            campaign_id=hold.campaign_id,
            details={"attempt": hold.attempt_id, "reason": reason},
        )
    return True


# Reads for the pages


def review_count() -> int:
    """Drafts waiting for review (the top bar's badge): one COUNT query."""
    return models.Campaign.objects.filter(status=Status.IN_REVIEW).count()


def review_queue() -> QuerySet[models.Campaign]:
    """Drafts in review, longest waiting first, with who asked and when, in one query."""
    asked = models.AuditEvent.objects.filter(
        campaign=OuterRef("pk"), action=AuditAction.SUBMITTED
    ).order_by("-created_at", "-id")
    return (
        models.Campaign.objects.filter(status=Status.IN_REVIEW)
        .select_related("owner")
        .defer("body")
        .annotate(
            asked_at=Subquery(asked.values("created_at")[:1]),
            asked_by=Subquery(asked.values("actor__username")[:1]),
            approvals_standing=Count(
                "approvals", filter=Q(approvals__voided_at__isnull=True), distinct=True
            ),
        )
        .order_by("asked_at", "pk")
    )


@dataclasses.dataclass
class DiffBase:
    """What a draft is compared with: its last approved or published body."""

    label: str
    version: int | None
    body: dict | None


def diff_base(*, campaign: models.Campaign) -> DiffBase:
    approval = models.Approval.objects.filter(campaign=campaign).select_related("reviewer").first()
    published = publishing.attempt_published(campaign=campaign)
    if published is not None and (approval is None or published.created_at >= approval.created_at):
        return DiffBase(f"Published version {published.version}", published.version, published.body)
    if approval is not None:
        revision = (
            models.Revision.objects.filter(campaign=campaign, body_hash=approval.body_hash)
            .order_by("-version")
            .first()
        )
        if revision is not None:
            label = f"Approved version {approval.version} ({_name(approval.reviewer)})"
            return DiffBase(label, approval.version, revision.body)
    return DiffBase("Nothing approved or published yet", None, None)


def body_diff(before: dict | None, after: dict) -> diffs.Diff:
    """The side-by-side diff of two bodies as pages show them (long identity lists cut short)."""
    shown_before = publishing.body_for_display(before) if before is not None else {}
    return diffs.json_diff(shown_before, publishing.body_for_display(after))


def body_paths(body: dict, *, limit: int = 300) -> list[str]:
    """The paths of a body's keys and items, in order (suggestions for a comment's field)."""
    seen: dict[str, None] = {}
    for row in diffs.json_diff(body, body).rows:
        if row.path:
            seen.setdefault(row.path, None)
    return list(seen)[:limit]


def audit_list(
    *, campaign_id: int | None = None, actor_id: int | None = None, action: str = ""
) -> QuerySet[models.AuditEvent]:
    events = models.AuditEvent.objects.select_related("actor", "campaign").order_by(
        "-created_at", "-id"
    )
    if campaign_id is not None:
        events = events.filter(campaign_id=campaign_id)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action=action)
    return events


# Settings changed in the admin


def admin_change_record(*, entry: LogEntry) -> None:
    """One admin change (account settings, users and roles, drafts) as an audit line.

    Only what changed is kept (the admin's change message names the fields), never the values:
    settings may hold addresses or tokens.
    """
    content_type = entry.content_type
    audit_record(
        actor=entry.user,
        action=AuditAction.SETTINGS_CHANGED,
        campaign_id=(
            int(entry.object_id)
            if content_type is not None
            and (content_type.app_label, content_type.model) == ("campaigns", "campaign")
            and str(entry.object_id).isdigit()
            else None
        ),
        details={
            "model": f"{content_type.app_label}.{content_type.model}" if content_type else "",
            "object_id": str(entry.object_id or ""),
            "object": entry.object_repr,
            "change": {1: "added", 2: "changed", 3: "deleted"}.get(entry.action_flag, ""),
            "message": entry.get_change_message(),
        },
    )
