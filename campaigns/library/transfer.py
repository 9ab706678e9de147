"""The library as JSON files: export one item or many, import a file into this installation.

A file holds every version of each item, so that its history travels with it:

    {"campaign_studio_library": 1, "items": [{"kind", "name", "description", "labels",
      "channel", "api", "archived", "owner", "versions": [{"number", "content", "author",
      "created_at", "note"}]}]}

Importing an item whose kind and name are new adds it with all its versions (people named by a
username this installation does not have become the importer); one whose name exists already
gets the file's latest content as a new version when it differs, so nothing here is lost.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from campaigns import audit, models, roles
from campaigns.channels import registry
from campaigns.library import services
from campaigns.models import LibraryItem, LibraryKind, LibraryVersion

FORMAT_KEY = "campaign_studio_library"
FORMAT_VERSION = 1
NOT_A_LIBRARY = (
    "This file is not a library exported from Campaign Studio: make one with “Export all as "
    "JSON” on the library's pages, or “Export as JSON” on a template or saved audience."
)
BAD_ITEM = "Item {index} of the file: {problem}"
PROBLEMS = {
    "kind": "its kind is neither template nor audience.",
    "name": "it has no name.",
    "versions": "it has no versions.",
    "content": "a version's content is not an object.",
    "channel": "its channel is not one of CleverTap's.",
    "body": "a version's body is not an object, or its relative days are not a whole number.",
    "labels": "its labels are not a list of texts.",
}


def export_document(items) -> dict:
    items = list(items)
    versions: dict[int, list[LibraryVersion]] = {}
    for version in (
        LibraryVersion.objects.filter(item__in=items).select_related("author").order_by("number")
    ):
        versions.setdefault(version.item_id, []).append(version)
    return {
        FORMAT_KEY: FORMAT_VERSION,
        "items": [_item_json(item, versions.get(item.pk, [])) for item in items],
    }


def _item_json(item: LibraryItem, versions: list[LibraryVersion]) -> dict:
    return {
        "kind": item.kind,
        "name": item.name,
        "description": item.description,
        "labels": item.labels,
        "channel": item.channel,
        "api": item.api,
        "archived": item.archived,
        "owner": item.owner.get_username(),
        "versions": [
            {
                "number": v.number,
                "content": v.content,
                "author": v.author.get_username() if v.author else None,
                "created_at": v.created_at.isoformat(),
                "note": v.note,
            }
            for v in versions
        ],
    }


def _problem(index: int, entry: Any) -> str | None:
    def bad(key: str) -> str:
        return BAD_ITEM.format(index=index, problem=PROBLEMS[key])

    if not isinstance(entry, dict) or entry.get("kind") not in LibraryKind.values:
        return bad("kind")
    if not isinstance(entry.get("name"), str) or not entry["name"].strip():
        return bad("name")
    channel = entry.get("channel") or ""
    if channel and channel not in registry.CHANNELS:
        return bad("channel")
    versions = entry.get("versions")
    if not isinstance(versions, list) or not versions:
        return bad("versions")
    if not all(isinstance(v, dict) and isinstance(v.get("content"), dict) for v in versions):
        return bad("content")
    for version in versions:
        content = version["content"]
        days = content.get("relative_days")
        if not isinstance(content.get("body", {}), dict) or not (
            days is None or (isinstance(days, int) and not isinstance(days, bool) and days >= 0)
        ):
            return bad("body")
    labels = entry.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        return bad("labels")
    return None


def import_document(document: Any, *, user) -> list[LibraryItem]:
    """Add the file's items (all or none); ValueError in words when the file is not one."""
    roles.require_any(user, roles.ADD_PERMISSION)
    if not isinstance(document, dict) or FORMAT_KEY not in document:
        raise ValueError(NOT_A_LIBRARY)
    entries = document.get("items")
    if not isinstance(entries, list):
        raise ValueError(NOT_A_LIBRARY)
    for index, entry in enumerate(entries, start=1):
        if problem := _problem(index, entry):
            raise ValueError(problem)
    people = {
        u.get_username(): u
        for u in get_user_model().objects.filter(
            username__in={
                str(name)
                for entry in entries
                for name in [entry.get("owner")] + [v.get("author") for v in entry["versions"]]
                if name
            }
        )
    }
    imported = []
    with transaction.atomic():
        for entry in entries:
            imported.append(_import_item(entry, user=user, people=people))
    return imported


def _import_item(entry: dict, *, user, people: dict) -> LibraryItem:
    versions = sorted(entry["versions"], key=lambda v: _number(v.get("number")))
    labels = [label.strip()[:100] for label in entry.get("labels") or [] if label.strip()]
    existing = LibraryItem.objects.filter(kind=entry["kind"], name=entry["name"].strip()).first()
    if existing is not None:
        return services.item_edit(
            item=existing,
            user=user,
            base_version=existing.version,
            name=existing.name,
            description=str(entry.get("description") or existing.description),
            labels=labels or existing.labels,
            content=versions[-1]["content"],
            note="Imported",
        )
    item = LibraryItem.objects.create(
        kind=entry["kind"],
        name=entry["name"].strip()[:200],
        description=str(entry.get("description") or ""),
        labels_text=services.labels_text(labels),
        channel=entry.get("channel") or "",
        api=entry.get("api") or "",
        archived=bool(entry.get("archived")),
        owner=people.get(entry.get("owner"), user),
        version=len(versions),
    )
    for number, version in enumerate(versions, start=1):
        LibraryVersion.objects.create(
            item=item,
            number=number,
            content=version["content"],
            author=people.get(version.get("author"), user),
            created_at=_when(version.get("created_at")),
            note=str(version.get("note") or "")[:200],
        )
    audit.audit_record(
        actor=user,
        action=models.AuditAction.LIBRARY_IMPORTED,
        details={"item": item.pk, "kind": item.kind, "name": item.name, "version": item.version},
    )
    return item


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _when(value: Any):
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return parsed or timezone.now()
