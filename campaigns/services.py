"""Every write on drafts goes through these functions: create, import, save, clone, archive, and
restore an old revision. What a write means for review (a revision, approvals voided) is asked of
`review.approvals` in the same transaction."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns import audit, composer, jsonfile, models, payloads, roles, selectors
from campaigns.channels import registry
from campaigns.forms import audience
from campaigns.forms.base import PayloadError
from campaigns.models import Api, Campaign, Status, identity_lists
from campaigns.review import approvals

UNTITLED = "Untitled campaign"
STALE_VERSION = (
    "{user} saved this draft at {time} (version {version}) after you opened it. Your changes are "
    "still here: reload to see theirs, or overwrite them with yours."
)
NOT_EDITABLE = "This campaign is {status}: it can no longer be edited. Clone it to change it."
REVISION_CURRENT = "Version {version} is the current version: there is nothing to restore."
RESTORED_NOTE = "Restored from version {version}"


class StaleVersion(Exception):
    """A save based on an old version: someone else saved in between."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        who = campaign.updated_by or campaign.owner
        super().__init__(
            STALE_VERSION.format(
                user=who.get_username() if who else "Someone",
                time=timezone.localtime(campaign.updated_at).strftime("%H:%M:%S"),
                version=campaign.version,
            )
        )


class NotEditable(Exception):
    pass


class NothingToRestore(Exception):
    pass


@dataclass
class ImportResult:
    campaign: Campaign
    # What only the import can say (what it left out of the draft); the composer says the rest.
    notices: list[str] = field(default_factory=list)
    # The draft as the composer opens it: its problems and its notices (keys kept aside...).
    errors: list[PayloadError] = field(default_factory=list)
    draft_notices: list[str] = field(default_factory=list)


def _metadata(body: dict, *, api: str, channel: str, fallback_name: str) -> dict[str, Any]:
    name = body.get("name")
    labels = body.get("labels")
    labels = (
        [label for label in labels if isinstance(label, str)] if isinstance(labels, list) else []
    )
    return {
        "api": api,
        "channel": channel,
        "name": (name if isinstance(name, str) and name.strip() else fallback_name)[:200],
        "labels_text": ("," + ",".join(labels) + ",")[:1000] if labels else "",
    }


def _problem_count(body: dict, *, api: str, channel: str) -> int:
    return len(selectors.body_errors(body, api=api, channel=channel))


def campaign_create(
    *,
    user,
    api: str,
    channel: str,
    body: dict | None = None,
    name: str = UNTITLED,
    who: str = audience.EVERYONE,
    problem_count: int | None = None,
) -> Campaign:
    """A new draft of `body`, or of a new body: a targets body named `name`, sent now, to
    everyone when `who` says so (`where: {}`); another answer of the New page leaves the where
    out for the composer to choose (`audience.start_data`). A send body starts with its name
    only; `name` names the draft of a body without one. `problem_count` is the body's, when the
    caller knows it (counted if None)."""
    if body is None:
        body = {"name": name, "target_mode": channel} if api == Api.TARGETS else {"name": name}
        if api == Api.TARGETS:
            body |= ({"where": {}} if who == audience.EVERYONE else {}) | {"when": "now"}
    if problem_count is None:
        problem_count = _problem_count(body, api=api, channel=channel)
    return Campaign.objects.create(
        owner=user,
        updated_by=user,
        body=body,
        problem_count=problem_count,
        **_metadata(body, api=api, channel=channel, fallback_name=name),
    )


def campaign_import(
    *, user, body: Any, name: str | None = None, endpoint: str | None = None
) -> ImportResult:
    """Any CleverTap request body becomes a draft, valid or not, with its problems listed.

    Raises ValueError (with a message for people) when the body is not an object or its endpoint
    cannot be told.
    """
    if not isinstance(body, dict):
        raise ValueError(payloads.NOT_AN_OBJECT.format(kind=payloads.json_kind(body)))
    if jsonfile.has_nul(body):
        raise ValueError(jsonfile.NUL_NOT_ALLOWED)
    api, channel = payloads.infer_target(body, endpoint)
    parsed = payloads.parse_body(body, api=api, channel=channel)
    stored = parsed.body
    if name:
        stored = {"name": name, **stored} if api == Api.TARGETS else stored
    campaign = campaign_create(user=user, api=api, channel=channel, body=stored)
    if name and campaign.name != name:
        Campaign.objects.filter(pk=campaign.pk).update(name=name[:200])
        campaign.name = name[:200]
    # Counted by the composer's own call, so that the import's count is the one the draft shows.
    opened = composer.composer_load(campaign, options=selectors.account_options())
    return ImportResult(campaign, parsed.corrections, opened.errors, opened.notices)


def campaign_save(
    *,
    campaign: Campaign,
    user,
    body: dict,
    base_version: int,
    api: str | None = None,
    channel: str | None = None,
    set_aside: list[dict] | None = None,
    problem_count: int | None = None,
) -> Campaign:
    """Store the body the forms built, unless someone saved since `base_version` was loaded.

    `api` and `channel` move the draft to another API family or send channel (the composer's
    choice); a targets draft's channel follows its target_mode (push without one). `set_aside`
    replaces what the draft keeps aside from earlier choices (None leaves it as it is).
    `problem_count` is the body's, stored for the drafts list: the composer passes the count it
    has just made; None counts them here.
    """
    if not campaign.editable:
        raise NotEditable(NOT_EDITABLE.format(status=campaign.get_status_display().lower()))
    api = api or campaign.api
    channel = channel or campaign.channel
    if api == Api.TARGETS:
        channel = registry.targets_channel(body) or channel
    changes = _metadata(body, api=api, channel=channel, fallback_name=campaign.name)
    if set_aside is not None:
        changes["set_aside"] = set_aside
    if problem_count is None:
        problem_count = _problem_count(body, api=api, channel=channel)
    changes["problem_count"] = problem_count
    with transaction.atomic():
        stored_body, identity_list = identity_lists.stored(body)
        updated = Campaign.objects.filter(pk=campaign.pk, version=base_version).update(
            stored_body=stored_body,
            identity_list=identity_list,
            version=F("version") + 1,
            updated_by=user,
            updated_at=timezone.now(),
            **changes,
        )
        if not updated:
            raise StaleVersion(
                Campaign.objects.select_related("updated_by", "owner").get(pk=campaign.pk)
            )
        approvals.campaign_saved(
            campaign=campaign,
            user=user,
            body=body,
            version=base_version + 1,
            api=api,
            channel=channel,
        )
    campaign.refresh_from_db()
    return campaign


@dataclass
class SaveOutcome:
    """What became of a save from the composer, as its status line says it."""

    state: str  # "saved", "conflict", "error" or "incomplete" (a part of the form was missing)
    message: str = ""
    version: int | None = None
    at: datetime.datetime | None = None
    # Where the page's body differs from the version saved in between (a conflict).
    changes: list = field(default_factory=list)


def composer_save(*, state: composer.Composer, user) -> SaveOutcome:
    """Save the composer's body, unless someone else saved since the page's version.

    A body the draft already has is not written again: the page then stands on the current
    version, whoever saved it. Only the whole form is saved: a body built from part of it would
    erase the rest.
    """
    roles.require_any(user, roles.CHANGE_PERMISSION)
    campaign = state.campaign
    missing = state.missing_parts()
    if missing:
        return SaveOutcome(
            "incomplete", composer.NOT_SAVED_INCOMPLETE.format(parts=", ".join(missing))
        )
    if state.not_saved:
        return SaveOutcome("error", state.not_saved)
    overwrite = state.meta.value("overwrite_version")
    base = overwrite if overwrite is not None else state.meta.value("base_version")
    if state.unchanged and campaign.editable:
        return SaveOutcome("saved", version=campaign.version, at=campaign.updated_at)
    try:
        saved = campaign_save(
            campaign=campaign,
            user=user,
            body=state.body,
            base_version=-1 if base is None else base,
            api=state.api,
            channel=state.channel,
            set_aside=state.set_aside_document,
            problem_count=len(state.errors),
        )
    except StaleVersion as stale:
        return SaveOutcome(
            "conflict",
            str(stale),
            version=stale.campaign.version,
            changes=state.changes_from(stale.campaign.body),
        )
    except NotEditable as error:
        return SaveOutcome("error", str(error))
    state.campaign = saved
    return SaveOutcome("saved", version=saved.version, at=saved.updated_at)


def campaign_clone(*, campaign: Campaign, user) -> Campaign:
    body = dict(campaign.body)
    if campaign.api == Api.TARGETS:
        body["name"] = f"{campaign.name} (copy)"
    clone = campaign_create(
        user=user,
        api=campaign.api,
        channel=campaign.channel,
        body=body,
        problem_count=campaign.problem_count,
    )
    if campaign.api == Api.SEND:
        Campaign.objects.filter(pk=clone.pk).update(name=f"{campaign.name} (copy)"[:200])
        clone.refresh_from_db()
    return clone


def campaign_set_archived(*, campaign: Campaign, user, archived: bool) -> Campaign:
    if campaign.status not in Campaign.ARCHIVABLE:
        raise NotEditable(NOT_EDITABLE.format(status=campaign.get_status_display().lower()))
    before = campaign.status
    campaign.status = Status.ARCHIVED if archived else Status.DRAFT
    campaign.updated_by = user
    with transaction.atomic():
        campaign.save(update_fields=["status", "updated_by", "updated_at"])
        # Archiving voids the approvals, so a restored draft is reviewed again.
        approvals.campaign_archived_changed(
            campaign=campaign, user=user, before=before, archived=archived
        )
    return campaign


def revision_restore(
    *, revision: models.Revision, user, base_version: int | None = None
) -> Campaign:
    """Save an old revision's body as a new version (the history keeps both).

    Raises NothingToRestore for the current version, StaleVersion when the draft was saved after
    `base_version`, and NotEditable when it can no longer be edited.
    """
    roles.require_any(user, roles.CHANGE_PERMISSION)
    campaign = selectors.campaign_with_people(revision.campaign_id)
    if revision.version == campaign.version:
        raise NothingToRestore(REVISION_CURRENT.format(version=revision.version))
    with transaction.atomic():
        saved = campaign_save(
            campaign=campaign,
            user=user,
            body=revision.body,
            base_version=campaign.version if base_version is None else base_version,
            api=revision.api,
            channel=revision.channel,
        )
        note = RESTORED_NOTE.format(version=revision.version)
        models.Revision.objects.filter(campaign=saved, version=saved.version).update(note=note)
        audit.audit_record(
            actor=user,
            action=models.AuditAction.REVISION_RESTORED,
            campaign=saved,
            details={"restored": revision.version, "version": saved.version},
        )
    return saved
