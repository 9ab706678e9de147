"""Helpers shared by the review tests (no tests of its own).

The `people` fixture comes from tests/publishing_support.py (import `people_fixture`).
"""

from typing import Any

from campaigns import payloads, services
from campaigns.models import Api, Campaign, Estimate, EstimateState
from campaigns.review import approvals
from tests.publishing_support import PUSH_BODY


def new_draft(user, body: dict | None = None, *, api: str = Api.TARGETS, channel: str = "push"):
    """A draft nobody has reviewed (publishing_support.draft comes approved)."""
    return services.campaign_create(
        user=user, api=api, channel=channel, body=dict(PUSH_BODY if body is None else body)
    )


def fresh(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_related("owner", "updated_by").get(pk=campaign.pk)


def edit(campaign: Campaign, user, **changes: Any) -> Campaign:
    """Save the draft with some top-level keys changed, as the composer would."""
    campaign = fresh(campaign)
    return services.campaign_save(
        campaign=campaign,
        user=user,
        body={**campaign.body, **changes},
        base_version=campaign.version,
    )


def submitted(campaign: Campaign, people) -> Campaign:
    return approvals.campaign_submit(campaign=campaign, user=people["composer"])


def approved(campaign: Campaign, people, reviewer: str = "reviewer") -> Campaign:
    if fresh(campaign).status == "draft":
        submitted(campaign, people)
    approvals.campaign_approve(campaign=campaign, user=people[reviewer])
    return fresh(campaign)


def estimated(campaign: Campaign, total: int, *, user=None) -> Estimate:
    """A ready estimate of the draft's body as it is now (as if CleverTap had answered)."""
    campaign = fresh(campaign)
    return Estimate.objects.create(
        campaign=campaign,
        version=campaign.version,
        body_hash=payloads.body_hash(campaign.body),
        endpoint="targets/create.json",
        state=EstimateState.READY,
        result={"android": total},
        total=total,
        user=user,
    )
