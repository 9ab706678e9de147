"""The library's reads: the lists (a fixed number of queries at any size), an item's versions
and where it is used, and the newer versions a draft's items have."""

from dataclasses import dataclass

from django.db.models import Count, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from campaigns import diffs, models
from campaigns.library import parts
from campaigns.models import LibraryItem, LibraryKind, LibraryUse, LibraryVersion


def item_list(
    *,
    kind: str,
    q: str = "",
    channel: str = "",
    label: str = "",
    owner_id: int | None = None,
    archived: bool = False,
    order: str = "name",
) -> QuerySet[LibraryItem]:
    """The items of a kind, filtered, with their owner and how many drafts use them; each
    listed item's latest content comes from `latest_contents`, in one more query."""
    # Counted per listed row (a subquery), not grouped over every item before the page is cut.
    uses = (
        LibraryUse.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(count=Count("pk"))
        .values("count")
    )
    items = (
        LibraryItem.objects.filter(kind=kind, archived=archived)
        .select_related("owner")
        .annotate(use_count=Coalesce(Subquery(uses), 0))
    )
    if q:
        items = items.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if channel:
        items = items.filter(channel=channel)
    if label:
        items = items.filter(labels_text__contains=f",{label},")
    if owner_id is not None:
        items = items.filter(owner_id=owner_id)
    if order == "last_used":
        return items.order_by("-last_used_at", "name", "id")
    return items.order_by("name", "id")


def latest_contents(items: list[LibraryItem]) -> dict[int, dict]:
    """Each item's latest content, by item id (one query for a page of items)."""
    wanted = Q()
    for item in items:
        wanted |= Q(item_id=item.pk, number=item.version)
    if not items:
        return {}
    return {v.item_id: v.content for v in LibraryVersion.objects.filter(wanted)}


def owner_options(kind: str) -> list[tuple[int, str]]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(
        pk__in=LibraryItem.objects.filter(kind=kind).values("owner_id")
    )
    return [(user.pk, user.get_username()) for user in users.order_by("username")]


def label_options(kind: str) -> list[str]:
    texts = LibraryItem.objects.filter(kind=kind).exclude(labels_text="")
    labels: set[str] = set()
    for text in texts.values_list("labels_text", flat=True).distinct()[:1000]:
        labels.update(label for label in text.split(",") if label)
    return sorted(labels)


def item_get(pk: int) -> LibraryItem:
    return LibraryItem.objects.select_related("owner").get(pk=pk)


def versions(item: LibraryItem) -> list[LibraryVersion]:
    return list(item.versions.select_related("author").order_by("-number"))


def where_used(item: LibraryItem) -> list[LibraryUse]:
    return list(
        item.uses.select_related("campaign", "campaign__owner").order_by("-applied_at", "-id")
    )


def version_diff(item: LibraryItem, before: int, after: int) -> diffs.Diff | None:
    found = {v.number: v for v in item.versions.filter(number__in=(before, after))}
    if before not in found or after not in found:
        return None
    return diffs.json_diff(_compared(item, found[before]), _compared(item, found[after]))


def _compared(item: LibraryItem, version: LibraryVersion) -> dict:
    """What a person compares: a template's content as the body holds it; an audience's too,
    with its relative dates."""
    content = version.content if isinstance(version.content, dict) else {}
    body = content.get("body") if isinstance(content.get("body"), dict) else {}
    if item.kind == LibraryKind.TEMPLATE:
        return body
    return {**body, "relative_days": content.get("relative_days")}


def usable(kind: str) -> list[LibraryItem]:
    """The items a draft can use: not archived, by name."""
    return list(LibraryItem.objects.filter(kind=kind, archived=False).order_by("name", "id"))


@dataclass(frozen=True)
class Newer:
    """A draft made from version `used` of an item whose latest is `latest`."""

    use: LibraryUse
    diff: diffs.Diff

    @property
    def item(self) -> LibraryItem:
        return self.use.item


def newer_versions(uses: dict[str, LibraryUse]) -> list[Newer]:
    """The items a draft was made from (`draft_uses`) that have a newer version, with what
    changed (a query each, only for those)."""
    found = []
    for use in uses.values():
        if use.version < use.item.version and not use.item.archived:
            diff = version_diff(use.item, use.version, use.item.version)
            if diff is not None:
                found.append(Newer(use, diff))
    return found


def draft_uses(campaign: models.Campaign) -> dict[str, LibraryUse]:
    """What the draft was made from, by kind: read once per draft object (one query)."""
    cached = getattr(campaign, "_library_uses", None)
    if cached is None:
        cached = {use.kind: use for use in campaign.library_uses.select_related("item")}
        campaign._library_uses = cached
    return cached


def composer_library(campaign: models.Campaign) -> None:
    """What the composer page shows of the library, read in one query and kept on the draft
    object: what it was made from (`draft_uses`) and, for a targets draft, the saved audiences
    its Who step offers (`saved_audiences`). Every channel's page reads the same number of
    queries."""
    targets = campaign.api == models.Api.TARGETS
    wanted = Q(this_use__id__isnull=False)
    if targets:
        wanted |= Q(kind=LibraryKind.AUDIENCE, archived=False)
    items = (
        LibraryItem.objects.annotate(
            this_use=FilteredRelation("uses", condition=Q(uses__campaign=campaign))
        )
        .filter(wanted)
        .annotate(
            use_id=F("this_use__id"),
            use_kind=F("this_use__kind"),
            use_version=F("this_use__version"),
            use_applied_at=F("this_use__applied_at"),
        )
        .order_by("name", "id")
    )
    uses: dict[str, LibraryUse] = {}
    audiences: list[LibraryItem] = []
    for item in items:
        if item.use_id is not None:
            uses[item.use_kind] = LibraryUse(
                id=item.use_id,
                campaign=campaign,
                item=item,
                kind=item.use_kind,
                version=item.use_version,
                applied_at=item.use_applied_at,
            )
        if targets and item.kind == LibraryKind.AUDIENCE and not item.archived:
            audiences.append(item)
    campaign._library_uses = uses
    campaign._saved_audiences = audiences if targets else None


def saved_audiences(campaign: models.Campaign) -> list[LibraryItem]:
    """The saved audiences a draft's Who step offers, as `composer_library` read them."""
    cached = getattr(campaign, "_saved_audiences", None)
    return usable(LibraryKind.AUDIENCE) if cached is None else cached


def dated_body(campaign: models.Campaign, *, today) -> dict | None:
    """The draft's body with the relative dates of the saved audience it was made from resolved
    for `today`, when they differ from the saved ones; None when nothing changes."""
    if not campaign.editable or campaign.api != models.Api.TARGETS:
        return None
    use = draft_uses(campaign).get(LibraryKind.AUDIENCE)
    if use is None:
        return None
    version = use.item.versions.filter(number=use.version).first()
    if version is None or version.content.get("relative_days") is None:
        return None
    body = campaign.body
    dated = parts.with_audience(body, parts.resolved_audience(version.content, today=today))
    return None if dated == body else dated


def template_preview_body(item: LibraryItem, content: dict) -> dict:
    """A body a channel's device preview can read: the template's content under its channel."""
    body = dict(content.get("body") or {})
    if item.channel:
        body.setdefault("target_mode", item.channel)
    return body


def audience_words(content: dict) -> str:
    return parts.relative_words(content.get("relative_days"))


KINDS = {LibraryKind.TEMPLATE, LibraryKind.AUDIENCE}
