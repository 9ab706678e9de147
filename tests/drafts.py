"""Drafts in the states tests start from: new, edited, submitted, approved, estimated, published."""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campaigns import payloads, services
from campaigns.models import (
    Api,
    Approval,
    Campaign,
    Estimate,
    EstimateState,
    PublishAttempt,
    PublishHold,
)
from campaigns.publishing import attempts, confirm
from campaigns.review import approvals

PUSH_BODY = {
    "name": "Spring sale push",
    "target_mode": "push",
    "where": {},
    "when": "now",
    "content": {"title": "Spring sale", "body": "Up to 40% off"},
}


def fresh(campaign: Campaign) -> Campaign:
    """The draft as it is in the database now, with the people its pages name."""
    return Campaign.objects.select_related("owner", "updated_by").get(pk=campaign.pk)


def new_draft(user, body: dict | None = None, *, api: str = Api.TARGETS, channel: str = "push"):
    """A draft nobody has reviewed (`draft` comes with a standing approval)."""
    return services.campaign_create(
        user=user, api=api, channel=channel, body=dict(PUSH_BODY if body is None else body)
    )


def draft(
    user,
    body: dict | None = None,
    *,
    api: str = Api.TARGETS,
    channel: str = "push",
    approved: bool = True,
) -> Campaign:
    """A draft that may be published: its body approved, its status left alone."""
    campaign = new_draft(user, body, api=api, channel=channel)
    if approved:
        approval_stand(campaign)
    return campaign


def approval_stand(campaign: Campaign) -> Approval:
    """A standing approval of the draft's body as it is, by the demo reviewer, its status left
    alone: publishing needs one (`guards.publish_refusal`); these tests are about what follows."""
    return Approval.objects.create(
        campaign=campaign,
        version=campaign.version,
        body_hash=payloads.body_hash(campaign.body),
        reviewer=get_user_model().objects.get(username="reviewer"),
    )


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
    """Submitted (if it was a draft) and approved through the review service."""
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


def confirmed(campaign: Campaign, user) -> str:
    """The token of the confirmation step, as the publisher saw it now."""
    return confirm.publish_confirmation(campaign=campaign, user=user).token


def published(campaign: Campaign, user) -> PublishAttempt:
    """Published as a publisher would: confirmed, then published."""
    return attempts.campaign_publish(
        campaign=campaign, user=user, confirmation_token=confirmed(campaign, user)
    )


def due_now(hold: PublishHold) -> None:
    """As if the undo window of a held publish had passed (for the hold and its queued task)."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    PublishHold.objects.filter(pk=hold.pk).update(due_at=past)
    DBTaskResult.objects.update(run_after=past)


def later(days: int = 3) -> str:
    """A send time `days` from now, as a draft's `when` writes it: a campaign that waits."""
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.strftime("%Y%m%d %H:%M")


def emails(count: int, start: int = 0) -> list[str]:
    return [f"user{n}@example.com" for n in range(start, start + count)]


def email_send_body(addresses: list[str]) -> dict[str, Any]:
    return {
        "to": {"Email": addresses},
        "tag_group": "welcome",
        "content": {"subject": "Welcome", "body": "<p>Hello</p>", "sender_name": "Shop"},
    }


def identity_send(people: dict[str, Any], addresses: list[str]):
    """A published identity send (batches recorded and queued), not sent yet."""
    campaign = draft(people["composer"], email_send_body(addresses), api="send", channel="email")
    return campaign, published(campaign, people["publisher"])
