"""The guards a publish must pass: a standing approval of the draft's exact body (its hash), a
second approval above a reach threshold, and no move of the estimated reach beyond a share since
approval.

Publishing asks `publish_refusal` at the last moment, so what is published is always a body that
enough reviewers approved, whatever the statuses say.
"""

import dataclasses
from collections.abc import Iterable

from django.conf import settings
from django.template.defaultfilters import pluralize

from campaigns import models, payloads, roles, selectors
from campaigns.review import comments

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
APPROVE_HAS_PROBLEMS = (
    "Version {version} has {count} problem{plural}: a version with problems cannot be approved. "
    "Its composer fixes {them} first; the problems are listed below."
)
NO_ESTIMATE = (
    "Not estimated: the reach guards (a second approval above {threshold}, a move of more "
    "than {share} since approval) apply once the draft is estimated."
)


def problems_refusal(*, version: int, problems: list) -> str:
    """Why a version with these problems (`selectors.campaign_errors`) cannot be approved."""
    count = len(problems)
    return APPROVE_HAS_PROBLEMS.format(
        version=version, count=count, plural=pluralize(count), them="it" if count == 1 else "them"
    )


def name_of(user) -> str:
    return user.get_username() if user is not None else "Someone"


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


def standing(campaign: models.Campaign, digest: str) -> list[models.Approval]:
    """The approvals that stand for this body, newest first."""
    return list(
        models.Approval.objects.filter(
            campaign=campaign, body_hash=digest, voided_at__isnull=True
        ).select_related("reviewer", "estimate")
    )


def reach_of(approvals: Iterable[models.Approval], estimate: models.Estimate | None) -> int | None:
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
        return [name_of(a.reviewer) for a in self.approvals]

    @property
    def reviewers(self) -> int:
        return len({a.reviewer_id for a in self.approvals})


def guards(*, campaign: models.Campaign) -> Guards:
    """The approvals standing for the draft's body, how many it needs, and what refuses it."""
    digest = payloads.body_hash(campaign.body)
    approvals = standing(campaign, digest)
    estimate = estimate_for(campaign=campaign, digest=digest)
    reach = reach_of(approvals, estimate)
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


@dataclasses.dataclass(frozen=True)
class Actions:
    """What this person may do with this draft now, as the review page offers it."""

    can_submit: bool
    can_review: bool
    four_eyes_blocks: bool
    can_comment: bool
    can_publish: bool
    # Why the version cannot be approved for its problems ("" when it can), and the problems:
    # asked only of someone who may review it now.
    problems_block: str = ""
    problems: tuple = ()
    # What looks wrong but blocks nothing (`payloads.form_warnings`), for the reviewer to see.
    warnings: tuple = ()


def actions(*, campaign: models.Campaign, user) -> Actions:
    can_review = campaign.status in models.Campaign.REVIEWABLE and user.has_perm(
        roles.REVIEW_PERMISSION
    )
    problems, warnings = selectors.campaign_problems(campaign) if can_review else ([], [])
    return Actions(
        can_submit=campaign.status == models.Status.DRAFT
        and user.has_perm(roles.CHANGE_PERMISSION),
        can_review=can_review,
        four_eyes_blocks=settings.REVIEW_FOUR_EYES and user.pk in authors(campaign=campaign),
        can_comment=any(user.has_perm(p) for p in comments.COMMENT_PERMISSIONS),
        can_publish=campaign.status == models.Status.APPROVED
        and user.has_perm(roles.PUBLISH_PERMISSION),
        problems_block=(
            problems_refusal(version=campaign.version, problems=problems) if problems else ""
        ),
        problems=tuple(problems),
        warnings=tuple(warnings),
    )
