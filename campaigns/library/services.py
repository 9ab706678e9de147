"""Every write on the library: save a draft's content or audience, edit (a new version), restore
an old version, archive or delete, apply a version to a draft, start a campaign from a template.

Applying is an ordinary save of the draft (`services.campaign_save`): a revision with a note
saying what was applied, approvals voided as any edit voids them, and a line in the audit log.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from campaigns import audit, models, roles, selectors, services
from campaigns.forms import schedule as schedule_forms
from campaigns.jsonpath import same_json
from campaigns.library import parts
from campaigns.models import Api, LibraryItem, LibraryKind, LibraryUse, LibraryVersion

NAME_REQUIRED = "Give it a name."
STALE = (
    "Someone saved “{name}” (version {version}) after you opened it. Your changes are still "
    "here: reload to see theirs first."
)
IN_USE = (
    "“{name}” is used by {count} draft{plural} or campaign{plural}: archive it instead, so that "
    "they keep saying where they came from."
)
NO_AUDIENCE_TO_SAVE = (
    "Only a draft that finds its audience by events and properties has an audience to save."
)
AUDIENCE_NEEDS_TARGETS = (
    "A saved audience is for drafts that find their audience by events and properties; this "
    "draft is sent to a list of identities."
)
OTHER_CHANNEL = "“{name}” is a {template} template and this draft is {draft}: choose a {draft} one."
ARCHIVED_ITEM = "“{name}” is archived: bring it back before using it."
NO_SUCH_VERSION = "“{name}” has no version {number}."
VERSION_CURRENT = "Version {number} is the current version: there is nothing to restore."
RESTORED_NOTE = "Restored from version {number}"
APPLIED_NOTE = "{kind} “{name}”, version {number}"
UNTITLED = "Untitled campaign"


class LibraryError(Exception):
    """A write refused, with its reason in words."""


def labels_text(labels: list[str]) -> str:
    return ("," + ",".join(labels) + ",")[:1000] if labels else ""


def _audited(item: LibraryItem, *, user, action: str, **details: Any) -> None:
    audit.audit_record(
        actor=user,
        action=action,
        details={"item": item.pk, "kind": item.kind, "name": item.name, **details},
    )


def item_create(
    *,
    user,
    kind: str,
    name: str,
    content: dict,
    description: str = "",
    labels: list[str] | tuple[str, ...] = (),
    channel: str = "",
    api: str = "",
    action: str = models.AuditAction.LIBRARY_SAVED,
) -> LibraryItem:
    roles.require_any(user, roles.ADD_PERMISSION, roles.CHANGE_PERMISSION)
    if not name.strip():
        raise LibraryError(NAME_REQUIRED)
    with transaction.atomic():
        item = LibraryItem.objects.create(
            kind=kind,
            name=name.strip()[:200],
            description=description,
            labels_text=labels_text(list(labels)),
            channel=channel,
            api=api,
            owner=user,
        )
        LibraryVersion.objects.create(item=item, number=1, content=content, author=user)
        _audited(item, user=user, action=action, version=1)
    return item


def template_save_from_draft(
    *, campaign: models.Campaign, user, name: str, description: str = "", labels=()
) -> LibraryItem:
    """The draft's content (its channel's content section, as saved) as a new template."""
    content = parts.content_of(campaign.body, api=campaign.api, channel=campaign.channel)
    return item_create(
        user=user,
        kind=LibraryKind.TEMPLATE,
        name=name,
        description=description,
        labels=labels,
        channel=campaign.channel,
        api=campaign.api,
        content={"body": content},
    )


def audience_save_from_draft(
    *,
    campaign: models.Campaign,
    user,
    name: str,
    description: str = "",
    labels=(),
    relative_days: int | None = None,
) -> LibraryItem:
    """The draft's audience (as saved) as a new saved audience, with its latest estimate of
    this very body, if any; `relative_days`: its dates are "the last N days" from then on."""
    if campaign.api != Api.TARGETS:
        raise LibraryError(NO_AUDIENCE_TO_SAVE)
    content: dict[str, Any] = {
        "body": parts.audience_of(campaign.body),
        "relative_days": relative_days,
        "estimate": _estimate_of(campaign),
    }
    return item_create(
        user=user,
        kind=LibraryKind.AUDIENCE,
        name=name,
        description=description,
        labels=labels,
        content=content,
    )


def _estimate_of(campaign: models.Campaign) -> dict | None:
    estimate = selectors.estimate_latest(campaign=campaign)
    if estimate is None or estimate.total is None or estimate.version != campaign.version:
        return None
    return {"reach": estimate.total, "at": estimate.created_at.isoformat()}


def item_edit(
    *,
    item: LibraryItem,
    user,
    base_version: int,
    name: str,
    description: str = "",
    labels=(),
    content: dict | None = None,
    note: str = "",
) -> LibraryItem:
    """Change the name, description and labels; a changed content becomes a new version (drafts
    made from the old one keep it, and say a newer one exists)."""
    roles.require_any(user, roles.CHANGE_PERMISSION)
    if not name.strip():
        raise LibraryError(NAME_REQUIRED)
    with transaction.atomic():
        current = LibraryItem.objects.select_for_update().get(pk=item.pk)
        if current.version != base_version:
            raise LibraryError(STALE.format(name=current.name, version=current.version))
        latest = current.versions.get(number=current.version)
        changes = {
            "name": name.strip()[:200],
            "description": description,
            "labels_text": labels_text(list(labels)),
            "updated_at": timezone.now(),
        }
        new_version = content is not None and not same_json(content, latest.content)
        if new_version:
            changes["version"] = current.version + 1
            LibraryVersion.objects.create(
                item=current, number=current.version + 1, content=content, author=user, note=note
            )
        LibraryItem.objects.filter(pk=item.pk).update(**changes)
        current.refresh_from_db()
        action = models.AuditAction.LIBRARY_EDITED
        if note.startswith("Restored"):
            action = models.AuditAction.LIBRARY_RESTORED
        _audited(
            current,
            user=user,
            action=action,
            version=current.version,
            content_changed=new_version,
            **({"note": note} if note else {}),
        )
    return current


def version_restore(*, item: LibraryItem, number: int, user) -> LibraryItem:
    """An old version's content as a new version (the history keeps both)."""
    if number == item.version:
        raise LibraryError(VERSION_CURRENT.format(number=number))
    old = item.versions.filter(number=number).first()
    if old is None:
        raise LibraryError(NO_SUCH_VERSION.format(name=item.name, number=number))
    return item_edit(
        item=item,
        user=user,
        base_version=item.version,
        name=item.name,
        description=item.description,
        labels=item.labels,
        content=old.content,
        note=RESTORED_NOTE.format(number=number),
    )


def item_set_archived(*, item: LibraryItem, user, archived: bool) -> LibraryItem:
    roles.require_any(user, roles.CHANGE_PERMISSION)
    LibraryItem.objects.filter(pk=item.pk).update(archived=archived, updated_at=timezone.now())
    item.archived = archived
    action = (
        models.AuditAction.LIBRARY_ARCHIVED if archived else models.AuditAction.LIBRARY_UNARCHIVED
    )
    _audited(item, user=user, action=action)
    return item


def item_delete(*, item: LibraryItem, user) -> None:
    """Delete an item nothing was made from; one in use is archived instead (LibraryError)."""
    roles.require_any(user, roles.CHANGE_PERMISSION)
    count = item.uses.count()
    if count:
        raise LibraryError(
            IN_USE.format(name=item.name, count=count, plural="" if count == 1 else "s")
        )
    with transaction.atomic():
        _audited(item, user=user, action=models.AuditAction.LIBRARY_DELETED, version=item.version)
        item.delete()


# Using an item: on a draft, or to start one.


def version_of(item: LibraryItem, number: int | None) -> LibraryVersion:
    number = item.version if number is None else number
    version = item.versions.filter(number=number).first()
    if version is None:
        raise LibraryError(NO_SUCH_VERSION.format(name=item.name, number=number))
    return version


def applied_body(campaign: models.Campaign, item: LibraryItem, version: LibraryVersion) -> dict:
    """The draft's body with the version laid on it (what applying would save); LibraryError
    when it does not fit the draft."""
    if item.kind == LibraryKind.TEMPLATE:
        if item.channel != campaign.channel:
            raise LibraryError(
                OTHER_CHANNEL.format(
                    name=item.name,
                    template=models.Channel(item.channel).label.lower(),
                    draft=campaign.get_channel_display().lower(),
                )
            )
        content = version.content.get("body") or {}
        return parts.with_content(
            campaign.body, content, api=campaign.api, channel=campaign.channel
        )
    if campaign.api != Api.TARGETS:
        raise LibraryError(AUDIENCE_NEEDS_TARGETS)
    today = schedule_forms.account_now().date()
    audience = parts.resolved_audience(version.content, today=today)
    return parts.with_audience(campaign.body, audience)


def apply_to_draft(
    *, campaign: models.Campaign, item: LibraryItem, user, base_version: int, number=None
) -> models.Campaign:
    """Lay a version of the item on the draft and save it as a new version of the draft, with
    its history and the audit log saying what was applied. Raises LibraryError,
    services.StaleVersion and services.NotEditable."""
    roles.require_any(user, roles.CHANGE_PERMISSION)
    if item.archived:
        raise LibraryError(ARCHIVED_ITEM.format(name=item.name))
    version = version_of(item, number)
    body = applied_body(campaign, item, version)
    note = APPLIED_NOTE.format(kind=item.get_kind_display(), name=item.name, number=version.number)
    with transaction.atomic():
        saved = services.campaign_save(
            campaign=campaign, user=user, body=body, base_version=base_version
        )
        models.Revision.objects.filter(campaign=saved, version=saved.version).update(
            note=note[:200]
        )
        _used(saved, item, version.number, user=user)
    return saved


def _used(
    campaign: models.Campaign, item: LibraryItem, number: int, *, user, started: bool = False
) -> None:
    """The draft is made from this version of the item: remembered, and said in the audit log."""
    now = timezone.now()
    LibraryUse.objects.update_or_create(
        campaign=campaign,
        kind=item.kind,
        defaults={"item": item, "version": number, "applied_at": now},
    )
    LibraryItem.objects.filter(pk=item.pk).update(last_used_at=now)
    details = {
        "item": item.pk,
        "kind": item.kind,
        "name": item.name,
        "library_version": number,
        "version": campaign.version,
    }
    if started:
        details["started"] = True
    audit.audit_record(
        actor=user, action=models.AuditAction.LIBRARY_APPLIED, campaign=campaign, details=details
    )


def campaign_from_template(*, item: LibraryItem, user, name: str = "") -> models.Campaign:
    """A new draft of the template's channel holding its latest content; the composer then asks
    who gets it and when."""
    roles.require_any(user, roles.ADD_PERMISSION)
    if item.kind != LibraryKind.TEMPLATE:
        raise LibraryError(NO_SUCH_VERSION.format(name=item.name, number=item.version))
    if item.archived:
        raise LibraryError(ARCHIVED_ITEM.format(name=item.name))
    version = version_of(item, None)
    name = name.strip() or item.name
    api = item.api or Api.TARGETS
    body: dict[str, Any] = {"name": name} if api == Api.TARGETS else {}
    if api == Api.TARGETS:
        body["target_mode"] = item.channel
    body |= version.content.get("body") or {}
    if api == Api.TARGETS:
        body["when"] = "now"
    with transaction.atomic():
        campaign = services.campaign_create(
            user=user, api=api, channel=item.channel, body=body, name=name
        )
        _used(campaign, item, version.number, user=user, started=True)
    return campaign
