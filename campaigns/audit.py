"""The audit log: who did what, when, to which draft. Written by the workflows (review, publishing)
and by the admin's change log, read by the audit page; never edited.

Low level on purpose: it imports the models and no workflow, so that every workflow can record
what it did without importing another.
"""

from typing import Any

from django.contrib.admin.models import LogEntry
from django.db.models import QuerySet
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.template.defaultfilters import pluralize
from django.utils.text import Truncator

from campaigns import models

# The audit page's line in words for the events whose details are numbers.
CALL_SUMMARY = "{endpoint}: {outcome}{status} in {duration_ms} ms, {attempts} attempt{plural}."
SEND_SUMMARY = (
    "Send {stage}: {sent} of {batches} batch{batches_plural} sent ({identities_sent} of "
    "{identities} identities), {failed} failed, {unknown} unknown, {waiting} waiting."
)
TEST_SENT_SUMMARY = (
    "Test sent to {count} recipient{plural} by {who} (version {version}, {channel})."
)
TEST_SEND_FAILED_SUMMARY = (
    "Test to {count} recipient{plural} by {who} (version {version}, {channel}) not sent: {error}"
)
COMMENT_SUMMARY = "“{text}”"
COMMENT_ON = " on {where}"
COMMENT_SECTION = "section {section}"
SUMMARY_TEXT_CHARS = 200
# The library's events (campaigns.library), in words.
LIBRARY_SUMMARY = "{kind} “{name}”, version {version}"
LIBRARY_APPLIED_SUMMARY = "{kind} “{name}”, version {library_version}: draft version {version}"
LIBRARY_KINDS = {"template": "Message template", "audience": "Saved audience"}
LIBRARY_ACTIONS = frozenset(
    {
        models.AuditAction.LIBRARY_SAVED,
        models.AuditAction.LIBRARY_EDITED,
        models.AuditAction.LIBRARY_RESTORED,
        models.AuditAction.LIBRARY_ARCHIVED,
        models.AuditAction.LIBRARY_UNARCHIVED,
        models.AuditAction.LIBRARY_DELETED,
        models.AuditAction.LIBRARY_IMPORTED,
        models.AuditAction.LIBRARY_APPLIED,
    }
)


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


def status_change_record(
    *, campaign_id: int, user, action: str, before: str, after: str, **details: Any
) -> None:
    audit_record(
        actor=user,
        action=action,
        campaign_id=campaign_id,
        details={"from": before, "to": after, **details},
    )


def publish_refused_record(*, campaign: models.Campaign, user, message: str) -> None:
    audit_record(
        actor=user,
        action=models.AuditAction.PUBLISH_REFUSED,
        campaign=campaign,
        details={"version": campaign.version, "message": message},
    )


def publish_sent_record(*, attempt: models.PublishAttempt) -> None:
    audit_record(
        actor=attempt.user,
        action=models.AuditAction.PUBLISH_SENT,
        campaign_id=attempt.campaign_id,
        details={
            "attempt": attempt.pk,
            "state": attempt.state,
            "clevertap_id": attempt.clevertap_id,
            "error": attempt.error,
        },
    )


# CleverTap calls and comments.

CALL_ACTIONS = {
    "estimate": models.AuditAction.CALL_ESTIMATE,
    "create": models.AuditAction.CALL_CREATE,
    "send": models.AuditAction.CALL_SEND,
    "stop": models.AuditAction.CALL_STOP,
    "result": models.AuditAction.CALL_REPORT,
    "list": models.AuditAction.CALL_LIST,
}


def call_record(*, call: models.ApiCall, actor) -> models.AuditEvent:
    """One CleverTap call, as stored in `call` (the client's redacted record).

    What was asked and how it went, never the request's headers or body: the headers hold the
    credentials and a body may hold every identity of a send.
    """
    body = call.request.get("body") if isinstance(call.request, dict) else None
    body = body if isinstance(body, dict) else {}
    response = call.response if isinstance(call.response, dict) else {}
    details: dict[str, Any] = {
        "api_call": call.pk,
        "endpoint": call.endpoint,
        "outcome": call.outcome,
        "http_status": call.http_status,
        "duration_ms": call.duration_ms,
        "attempts": call.attempts,
    }
    if call.error:
        details |= {"error_kind": call.error_kind, "error": call.error}
    for name, value in (("estimate", call.estimate_id), ("attempt", call.attempt_id)):
        if value is not None:
            details[name] = value
    if "request_id" in body:
        details["request_id"] = str(body["request_id"])  # a background estimate's poll
    clevertap_id = body.get("id", response.get("id"))
    if isinstance(clevertap_id, int | str) and not isinstance(clevertap_id, bool):
        details["clevertap_id"] = clevertap_id
    return audit_record(
        actor=actor,
        action=CALL_ACTIONS.get(call.operation, models.AuditAction.CALL_OTHER),
        campaign_id=call.campaign_id,
        details=details,
    )


def send_summary_record(
    *,
    attempt: models.PublishAttempt,
    stage: str,
    batches: dict[str, int],
    identities: dict[str, int],
) -> models.AuditEvent:
    """An identity send so far, as one event (its batches' calls are not audited one by one):
    `stage` is "settled" or "resumed"; `batches` and `identities` count them by batch state."""
    waiting = (models.BatchState.PENDING, models.BatchState.SENDING)
    details: dict[str, Any] = {
        "attempt": attempt.pk,
        "stage": stage,
        "state": attempt.state,
        "batches": sum(batches.values()),
        "identities": sum(identities.values()),
    }
    for state in (models.BatchState.SENT, models.BatchState.FAILED, models.BatchState.UNKNOWN):
        details[f"batches_{state.value}"] = batches.get(state, 0)
        details[f"identities_{state.value}"] = identities.get(state, 0)
    details["batches_waiting"] = sum(batches.get(state, 0) for state in waiting)
    return audit_record(
        actor=attempt.user,
        action=models.AuditAction.CALL_SEND,
        campaign_id=attempt.campaign_id,
        details=details,
    )


def sent_test_record(
    *,
    campaign: models.Campaign,
    user,
    labels: list[str],
    api_call: models.ApiCall | None,
    error: str = "",
) -> models.AuditEvent:
    """A test send of a draft (`publishing.test_sends`), sent or failed: how many recipients
    and their labels, never their addresses (the log is read by the whole team)."""
    details: dict[str, Any] = {
        "version": campaign.version,
        "channel": campaign.channel,
        "recipients": len(labels),
        "labels": labels,
    }
    if api_call is not None:
        details["api_call"] = api_call.pk
    if error:
        details["error"] = error
    return audit_record(
        actor=user,
        action=models.AuditAction.TEST_SEND_FAILED if error else models.AuditAction.TEST_SENT,
        campaign=campaign,
        details=details,
    )


def comment_record(*, comment: models.Comment) -> models.AuditEvent:
    return audit_record(
        actor=comment.author,
        action=models.AuditAction.COMMENTED,
        campaign_id=comment.campaign_id,
        details=_comment_details(comment),
    )


def comment_resolved_record(*, comment: models.Comment) -> models.AuditEvent:
    return audit_record(
        actor=comment.resolved_by,
        action=models.AuditAction.COMMENT_RESOLVED,
        campaign_id=comment.campaign_id,
        details=_comment_details(comment),
    )


def _comment_details(comment: models.Comment) -> dict[str, Any]:
    return {
        "comment": comment.pk,
        "version": comment.version,
        "section": comment.section,
        "path": comment.path,
        "text": comment.text,
    }


def event_summary(event: models.AuditEvent) -> str:
    """What a call, a send or a comment was, in words ("" for the events that say it in their
    action and details)."""
    details = event.details if isinstance(event.details, dict) else {}
    if event.action == models.AuditAction.CALL_SEND:
        return _send_summary(details)
    if event.action in (models.AuditAction.TEST_SENT, models.AuditAction.TEST_SEND_FAILED):
        return _test_send_summary(event, details)
    if event.action in LIBRARY_ACTIONS:
        return _library_summary(event.action, details)
    if event.action in (*CALL_ACTIONS.values(), models.AuditAction.CALL_OTHER):
        return _call_summary(details)
    if event.action in (models.AuditAction.COMMENTED, models.AuditAction.COMMENT_RESOLVED):
        text = COMMENT_SUMMARY.format(
            text=Truncator(str(details.get("text", ""))).chars(SUMMARY_TEXT_CHARS)
        )
        section, path = details.get("section"), details.get("path")
        where = [COMMENT_SECTION.format(section=section)] if section else []
        where += [str(path)] if path else []
        return text + (COMMENT_ON.format(where=" · ".join(where)) if where else "")
    return ""


def _library_summary(action: str, details: dict[str, Any]) -> str:
    words = {
        "kind": LIBRARY_KINDS.get(str(details.get("kind")), "Library item"),
        "name": Truncator(str(details.get("name", ""))).chars(SUMMARY_TEXT_CHARS),
        "version": details.get("version", "?"),
        "library_version": details.get("library_version", "?"),
    }
    if action == models.AuditAction.LIBRARY_APPLIED:
        return LIBRARY_APPLIED_SUMMARY.format(**words)
    if "version" not in details:
        return LIBRARY_SUMMARY.format(**words).rsplit(",", 1)[0]
    return LIBRARY_SUMMARY.format(**words)


def _call_summary(details: dict[str, Any]) -> str:
    outcome = str(details.get("outcome", ""))
    labels = dict(models.CallOutcome.choices)
    status = details.get("http_status")
    attempts = details.get("attempts") or 0
    text = CALL_SUMMARY.format(
        endpoint=details.get("endpoint") or "?",
        outcome=labels.get(outcome, outcome).lower(),
        status=f" (HTTP {status})" if status else "",
        duration_ms=details.get("duration_ms", 0),
        attempts=attempts,
        plural=pluralize(attempts),
    )
    return f"{text} {details['error']}" if details.get("error") else text


def _send_summary(details: dict[str, Any]) -> str:
    batches = details.get("batches", 0)
    return SEND_SUMMARY.format(
        stage=details.get("stage", ""),
        sent=details.get("batches_sent", 0),
        batches=batches,
        batches_plural=pluralize(batches, "es"),
        identities_sent=_number(details.get("identities_sent", 0)),
        identities=_number(details.get("identities", 0)),
        failed=details.get("batches_failed", 0),
        unknown=details.get("batches_unknown", 0),
        waiting=details.get("batches_waiting", 0),
    )


def _test_send_summary(event: models.AuditEvent, details: dict[str, Any]) -> str:
    count = details.get("recipients", 0)
    template = TEST_SEND_FAILED_SUMMARY if details.get("error") else TEST_SENT_SUMMARY
    return template.format(
        count=count,
        plural=pluralize(count),
        who=event.actor.get_username() if event.actor else "someone",
        version=details.get("version", "?"),
        channel=dict(models.Channel.choices).get(details.get("channel"), details.get("channel")),
        error=details.get("error", ""),
    )


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


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


# Settings changed in the admin (connected when the app is ready: `CampaignsConfig.ready`).


@receiver(post_save, sender=LogEntry)
def _admin_change_audited(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if created:
        admin_change_record(entry=instance)


def admin_change_record(*, entry: LogEntry) -> None:
    """One admin change (account settings, users and roles, drafts) as an audit line.

    Only what changed is kept (the admin's change message names the fields), never the values:
    settings may hold addresses or tokens.
    """
    content_type = entry.content_type
    audit_record(
        actor=entry.user,
        action=models.AuditAction.SETTINGS_CHANGED,
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
