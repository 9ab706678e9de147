"""Reads for the views and the workflows: each one query, or a few, and named for what they read."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTransform
from django.utils.functional import SimpleLazyObject

from campaigns import models, payloads, raw_reads, schedule
from campaigns.forms.base import PayloadError
from campaigns.forms.options import (
    AccountOptions,
    ProfilePropertyOption,
    SegmentOption,
    WhatsAppTemplateOption,
)
from campaigns.models import (
    AccountSettings,
    AndroidChannel,
    Api,
    AuditAction,
    Campaign,
    ControlGroup,
    EstimateState,
    ProfileProperty,
    Provider,
    Status,
    WebhookEndpoint,
    WhatsAppTemplate,
)
from sandbox import selectors as sandbox_selectors

SUGGESTIONS_CACHE_KEY = "campaigns:name-suggestions"
SEGMENTS_CACHE_KEY = "campaigns:segment-options"
SAMPLE_MISSING_CACHE_KEY = "campaigns:sample-missing"
SUGGESTIONS_CACHE_SECONDS = 300
TIMEZONES_CACHE_KEY = "campaigns:audience-timezones"
# The account data the forms offer, under its version (`AccountSettings.options_version`); the
# time only bounds what a change made outside the models (a data migration) leaves stale.
ACCOUNT_DATA_CACHE_KEY = "campaigns:account-data"
ACCOUNT_DATA_CACHE_SECONDS = 600


def campaign_list(*, statuses: list[str] | None = None) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("owner").defer("stored_body")
    if statuses is not None:
        campaigns = campaigns.filter(status__in=statuses)
    return campaigns


DRAFT_ORDERINGS = {
    "-updated": ("-updated_at", "-pk"),
    "updated": ("updated_at", "pk"),
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
}


def draft_list(
    *,
    search: str = "",
    channel: str = "",
    status: str = "",
    owner_id: int | None = None,
    label: str = "",
    sort: str = "-updated",
) -> QuerySet[Campaign]:
    """Drafts for the list: without their bodies, owners joined, one query for a page.

    `status` "" means every draft that is not archived; published and stopped campaigns have
    their own list.
    """
    campaigns = campaign_list().exclude(status__in=Campaign.IN_CLEVERTAP)
    if status:
        campaigns = campaigns.filter(status=status)
    else:
        campaigns = campaigns.exclude(status=Status.ARCHIVED)
    if search:
        campaigns = campaigns.filter(name__icontains=search)
    if channel:
        campaigns = campaigns.filter(channel=channel)
    if owner_id is not None:
        campaigns = campaigns.filter(owner_id=owner_id)
    if label:
        # labels_text mirrors the body's labels as ",a,b,": one label matches whole.
        campaigns = campaigns.filter(labels_text__icontains=f",{label},")
    campaigns = campaigns.order_by(*DRAFT_ORDERINGS.get(sort, DRAFT_ORDERINGS["-updated"]))
    return _with_list_columns(campaigns)


# The review steps that say where a draft stands; the latest one gives its status detail.
_REVIEW_STEPS = (
    AuditAction.SUBMITTED,
    AuditAction.APPROVED,
    AuditAction.CHANGES_REQUESTED,
    AuditAction.ARCHIVED,
    AuditAction.UNARCHIVED,
)


def _with_list_columns(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """The list's columns, in the page's one query: the body's `when` alone (never the body, which
    can hold a million identities), the latest estimate with a reach, the latest review step."""
    step = models.AuditEvent.objects.filter(
        campaign=OuterRef("pk"), action__in=_REVIEW_STEPS
    ).order_by("-created_at", "-id")
    estimate = models.Estimate.objects.filter(
        campaign=OuterRef("pk"), state=EstimateState.READY, total__isnull=False
    ).order_by("-created_at", "-id")
    username = get_user_model().USERNAME_FIELD
    return campaigns.annotate(
        when=KeyTransform("when", "stored_body"),
        review_step=Subquery(step.values("action")[:1]),
        review_by=Subquery(step.values(f"actor__{username}")[:1]),
        reach=Subquery(estimate.values("total")[:1]),
        estimated_at=Subquery(estimate.values("created_at")[:1]),
    )


NO_VALUE = "—"
NEXT_SEND_NOW = "Now"
NEXT_SEND_RECURRING = "Recurring: {every} from {start}"
NEXT_SEND_IN_USER_TIME = "{at}, each person's time"
RECURRING_EVERY = {"day": "daily", "week": "weekly"}
RECURRING_EVERY_MANY = "every {count} {unit}s"
CHANNEL_BY_IDENTITIES = "{channel}, by identities"
STATUS_CHANGES_REQUESTED = "Changes requested"
STATUS_DETAIL_BY = "by {person}"
STATUS_DETAIL_SUBMITTED = "submitted by {person}"
READY = "Ready"
PROBLEMS = "{count} problem{plural}"
NOT_CHECKED = "Not checked yet"
ESTIMATE_AGE = "{reach:,} · {age}"
AGE_JUST_NOW = "just now"
AGE_MINUTES = "{count} min ago"
AGE_HOURS = "{count} h ago"
AGE_DAYS = "{count} d ago"


@dataclass(frozen=True)
class DraftRow:
    """One draft as the list shows it, in words."""

    campaign: Campaign
    channel: str
    status: str
    status_detail: str
    next_send: str
    # The next send's instant in the account timezone, when it is one.
    next_send_at: datetime | None
    estimate: str
    readiness: str
    ready: bool


def draft_rows(campaigns: Iterable[Campaign], *, now: datetime) -> list[DraftRow]:
    """The columns of a page of `draft_list`, from what its one query read."""
    account_tz = ZoneInfo(settings.TIME_ZONE)
    return [_draft_row(campaign, now=now, account_tz=account_tz) for campaign in campaigns]


def _draft_row(campaign: Campaign, *, now: datetime, account_tz: ZoneInfo) -> DraftRow:
    channel = campaign.get_channel_display()
    if campaign.api == Api.SEND:
        channel = CHANNEL_BY_IDENTITIES.format(channel=channel)
    status, detail = campaign.get_status_display(), ""
    person = getattr(campaign, "review_by", None) or ""
    step = getattr(campaign, "review_step", None)
    if campaign.status == Status.DRAFT and step == AuditAction.CHANGES_REQUESTED:
        status, detail = STATUS_CHANGES_REQUESTED, STATUS_DETAIL_BY.format(person=person)
    elif campaign.status == Status.APPROVED and step == AuditAction.APPROVED:
        detail = STATUS_DETAIL_BY.format(person=person)
    elif campaign.status == Status.IN_REVIEW and step == AuditAction.SUBMITTED:
        detail = STATUS_DETAIL_SUBMITTED.format(person=person)
    if not person:
        detail = ""
    next_send, next_send_at = _next_send(campaign, now=now, account_tz=account_tz)
    estimate = NO_VALUE
    if getattr(campaign, "reach", None) is not None:
        estimate = ESTIMATE_AGE.format(reach=campaign.reach, age=_age(now - campaign.estimated_at))
    count = campaign.problem_count
    if count is None:
        readiness = NOT_CHECKED
    elif count == 0:
        readiness = READY
    else:
        readiness = PROBLEMS.format(count=count, plural="" if count == 1 else "s")
    return DraftRow(
        campaign=campaign,
        channel=channel,
        status=status,
        status_detail=detail,
        next_send=next_send,
        next_send_at=next_send_at,
        estimate=estimate,
        readiness=readiness,
        ready=count == 0,
    )


def _next_send(
    campaign: Campaign, *, now: datetime, account_tz: ZoneInfo
) -> tuple[str, datetime | None]:
    """The next send in words: an identity send goes when published, as does a `when` of now."""
    when = getattr(campaign, "when", None)
    if campaign.api == Api.SEND or schedule.sends_now(when):
        return NEXT_SEND_NOW, None
    recurring = schedule.recurrence(when)
    if recurring is not None:
        unit = "week" if recurring.weekdays is not None else "day"
        every = RECURRING_EVERY[unit]
        if recurring.every > 1:
            every = RECURRING_EVERY_MANY.format(count=recurring.every, unit=unit)
        # The year only when it is not this one.
        start = f"{recurring.start:%-d %b}"
        if recurring.start.year != now.astimezone(account_tz).year:
            start += f" {recurring.start:%Y}"
        return NEXT_SEND_RECURRING.format(every=every, start=start), None
    times = schedule.next_send_times(when, now=now, account_tz=account_tz, count=1)
    if not times:
        return NO_VALUE, None
    at = times[0].at.astimezone(account_tz)
    if schedule.in_user_time(when):
        # The same wall time everywhere: shown as such, with no one instant to name.
        return NEXT_SEND_IN_USER_TIME.format(at=f"{at:%-d %b %Y, %H:%M}"), None
    return f"{at:%-d %b %Y, %H:%M}", at


def _age(elapsed: timedelta) -> str:
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 1:
        return AGE_JUST_NOW
    if minutes < 60:
        return AGE_MINUTES.format(count=minutes)
    if minutes < 60 * 24:
        return AGE_HOURS.format(count=minutes // 60)
    return AGE_DAYS.format(count=minutes // (60 * 24))


def owner_options() -> list[tuple[int, str]]:
    """The people who own drafts, for the list's owner filter (one query)."""
    User = get_user_model()
    owners = User.objects.filter(pk__in=Campaign.objects.values("owner_id"))
    owners = owners.order_by(User.USERNAME_FIELD)
    return [(user.pk, user.get_username()) for user in owners.only("pk", User.USERNAME_FIELD)]


def campaign_with_people(pk: int) -> Campaign:
    """A campaign with the people its pages name (owner, last editor) and its identity list, in
    one query."""
    return Campaign.objects.select_related("owner", "updated_by", "identity_list").get(pk=pk)


# What a live preview reads of the draft (`composer.composer_bind` and the preview's fragments):
# not the stored body or its identity list (the posted page stands for them), nor its people.
PREVIEW_FIELDS = ("id", "name", "api", "channel", "status", "set_aside", "version")


def campaign_for_preview(pk: int) -> Campaign:
    """A campaign with only what a live preview reads (`PREVIEW_FIELDS`), in one query written
    out (`raw_reads`): a draft's identity list can hold a million identities, never read on a
    keystroke."""
    found = raw_reads.row(Campaign, PREVIEW_FIELDS, id=pk)
    if found is None:
        raise Campaign.DoesNotExist(f"No campaign {pk}.")
    return found


def body_errors(
    body: Any, *, api: str, channel: str, liquid_api_beta: bool | None = None
) -> list[PayloadError]:
    """Every problem of a request body, with the account's own settings (providers, templates,
    channels...): the one validator call, made by the import, the CLI, review, publishing and the
    sandbox alike, so that none of them can call a body valid that another refuses.

    `liquid_api_beta`: the sandbox's own account's answer, instead of the app's settings."""
    options = account_options()
    if liquid_api_beta is not None:
        options = replace(options, liquid_api_beta=liquid_api_beta)
    return payloads.body_errors(body, api=api, channel=channel, options=options)


def campaign_errors(campaign: Campaign) -> list[PayloadError]:
    return body_errors(campaign.body, api=campaign.api, channel=campaign.channel)


def campaign_problems(campaign: Campaign) -> tuple[list[PayloadError], list[PayloadError]]:
    """A draft's errors and its warnings (problems that block nothing), in one reading."""
    return payloads.body_problems(
        campaign.body, api=campaign.api, channel=campaign.channel, options=account_options()
    )


def account_options(*, composing: bool = False) -> AccountOptions:
    """The account settings the forms offer as choices: one query for the account's settings,
    the rest from the cache while the account data is unchanged (`_account_data`).

    `composing`: with what only the composer shows, the templates' words and the segments
    (cached). Validation reads neither, so that it runs on any database state a data migration
    sees (0015 validates drafts before 0016 gives templates their words).
    """
    version, liquid_api_beta = _options_version()
    key = f"{ACCOUNT_DATA_CACHE_KEY}:{version}:{int(composing)}"
    return AccountOptions(
        liquid_api_beta=liquid_api_beta,
        **cache.get_or_set(key, lambda: _account_data(composing), ACCOUNT_DATA_CACHE_SECONDS),
        segments=segment_options() if composing else (),
        sample_missing=sample_missing() if composing else None,
        # Read when the page lays out "Insert personalization", never by a live preview.
        profile_properties=SimpleLazyObject(profile_property_options) if composing else (),
        **name_suggestions(),
    )


def _options_version() -> tuple[int, bool]:
    """The account settings' options version and Liquid beta flag ((0, False) before they are
    saved), in a query written out (`raw_reads`): every keystroke's preview asks."""
    found = raw_reads.values(AccountSettings, ["options_version", "liquid_api_beta"], id=1)
    # SQLite gives a boolean column as 0 or 1.
    return (found[0], bool(found[1])) if found else (0, False)


def _account_data(composing: bool) -> dict[str, Any]:
    """The account data the forms offer: five small queries."""
    providers: dict[str, list[str]] = {}
    provider_ids: dict[str, str] = {}
    for provider in Provider.objects.all():
        providers.setdefault(provider.channel, []).append(provider.nick_name)
        if provider.provider_id:
            provider_ids[provider.provider_id] = provider.nick_name
    words = ("header_text", "body_text", "button_texts")
    found = WhatsAppTemplate.objects.all() if composing else WhatsAppTemplate.objects.defer(*words)
    templates = tuple(
        WhatsAppTemplateOption(
            name=template.name,
            locale=template.locale,
            header_type=template.header_type,
            header_placeholders=template.header_placeholders,
            body_placeholders=template.body_placeholders,
            button_placeholders=tuple(template.button_placeholders or ()),
            **(_template_words(template) if composing else {}),
        )
        for template in found
    )
    android_channels = dict(AndroidChannel.objects.values_list("channel_id", "name"))
    return {
        "providers": {channel: tuple(names) for channel, names in providers.items()},
        "provider_ids": provider_ids,
        "whatsapp_templates": templates,
        "webhook_endpoints": tuple(WebhookEndpoint.objects.values_list("name", flat=True)),
        "android_channels": tuple(android_channels),
        "android_channel_names": {key: name for key, name in android_channels.items() if name},
        "control_groups": tuple(ControlGroup.objects.values_list("name", flat=True)),
    }


def _template_words(template: WhatsAppTemplate) -> dict[str, Any]:
    buttons = template.button_texts if isinstance(template.button_texts, list) else []
    return {
        "header_text": template.header_text,
        "body_text": template.body_text,
        "button_texts": tuple(str(text) for text in buttons),
    }


def segment_options() -> tuple[SegmentOption, ...]:
    """The segments the composer offers: the sandbox's, with how many people each holds, when
    the sandbox is in use; none otherwise (CleverTap's API does not list segments). Cached
    briefly, as the name suggestions are: counting them reads the audience."""

    def load() -> tuple[SegmentOption, ...]:
        return tuple(
            SegmentOption(id=segment.id, name=segment.name, size=size)
            for segment, size in sandbox_selectors.segment_sizes()
        )

    if not settings.SANDBOX_ENABLED:
        return ()
    return cache.get_or_set(SEGMENTS_CACHE_KEY, load, SUGGESTIONS_CACHE_SECONDS)


def profile_property_options() -> tuple[ProfilePropertyOption, ...]:
    """The profile properties known for the account, by name: what "Insert personalization"
    lists (gathered from the sandbox's sample, seen in the account or added by an admin)."""
    return tuple(
        ProfilePropertyOption(name=name, label=label, description=description)
        for name, label, description in ProfileProperty.objects.order_by("name").values_list(
            "name", "label", "description"
        )
    )


def sample_missing() -> dict[str, float] | None:
    """The share of the sample audience lacking each profile property, for the composer's
    "no default" errors: the sandbox's audience when it stands in for CleverTap; None with real
    CleverTap credentials (there is no sample to count). Cached briefly, as the segments are."""
    if not settings.SANDBOX_ENABLED or settings.CLEVERTAP_CONFIGURED:
        return None
    shares = sandbox_selectors.property_missing_shares
    return cache.get_or_set(SAMPLE_MISSING_CACHE_KEY, shares, SUGGESTIONS_CACHE_SECONDS)


def name_suggestions() -> dict[str, tuple[str, ...]]:
    """Event and property names the composer suggests: the configured lists, plus the sandbox
    audience's names when the sandbox is on. Cached briefly: they change rarely and the composer
    asks on every keystroke."""

    def load() -> dict[str, tuple[str, ...]]:
        events, properties = (
            list(settings.SUGGESTED_EVENT_NAMES),
            list(settings.SUGGESTED_PROPERTY_NAMES),
        )
        if settings.SANDBOX_ENABLED:
            events += sandbox_selectors.event_names()
            properties += sandbox_selectors.profile_property_names()
        return {
            "event_names": tuple(dict.fromkeys(events)),
            "property_names": tuple(dict.fromkeys(properties)),
        }

    return cache.get_or_set(SUGGESTIONS_CACHE_KEY, load, SUGGESTIONS_CACHE_SECONDS)


def audience_timezones() -> dict[str, int] | None:
    """Profiles by timezone in the audience, for a schedule delivered in user time: the sandbox's
    sample audience when the sandbox is on (timezone names Python does not know left out), else
    None: CleverTap does not say. Cached briefly, as the suggestions are."""

    def load() -> dict[str, int]:
        known = {}
        for name, profiles in sandbox_selectors.profile_timezones().items():
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            known[name] = profiles
        return known

    if not settings.SANDBOX_ENABLED:
        return None
    return cache.get_or_set(TIMEZONES_CACHE_KEY, load, SUGGESTIONS_CACHE_SECONDS) or None


# Estimates and publishing


def estimate_latest(*, campaign: Campaign) -> models.Estimate | None:
    return (
        models.Estimate.objects.filter(campaign=campaign).select_related("recipient_check").first()
    )


def attempt_published(*, campaign: Campaign) -> models.PublishAttempt | None:
    """The attempt that created the campaign in CleverTap, if any."""
    return (
        models.PublishAttempt.objects.filter(
            campaign=campaign, state=models.AttemptState.SUCCEEDED, clevertap_id__isnull=False
        )
        .order_by("-id")
        .first()
    )


def attempt_list(*, campaign: Campaign) -> list[models.PublishAttempt]:
    """Every publish attempt of the campaign, newest first, with who made it, its estimate and
    its undo window."""
    return list(
        models.PublishAttempt.objects.filter(campaign=campaign)
        .select_related("user", "estimate", "hold")
        .order_by("-id")
    )


def api_call_list(*, campaign: Campaign) -> QuerySet[models.ApiCall]:
    """Every CleverTap call made for the campaign, newest first."""
    return (
        models.ApiCall.objects.filter(campaign=campaign)
        .select_related("user", "batch")
        .order_by("-id")
    )


def batch_list(*, attempt: models.PublishAttempt) -> QuerySet[models.SendBatch]:
    """An identity send's batches in order, without their identities."""
    return attempt.batches.order_by("number").defer("to")


def hold_for(*, attempt: models.PublishAttempt) -> models.PublishHold | None:
    return models.PublishHold.objects.filter(attempt=attempt).select_related("cancelled_by").first()


# Review


def review_count() -> int:
    """Drafts waiting for review (the top bar's badge): one COUNT query."""
    return Campaign.objects.filter(status=Status.IN_REVIEW).count()


def review_queue() -> QuerySet[Campaign]:
    """Drafts in review, longest waiting first, with who asked and when, in one query."""
    asked = models.AuditEvent.objects.filter(
        campaign=OuterRef("pk"), action=models.AuditAction.SUBMITTED
    ).order_by("-created_at", "-id")
    return (
        Campaign.objects.filter(status=Status.IN_REVIEW)
        .select_related("owner")
        .defer("stored_body")
        .annotate(
            asked_at=Subquery(asked.values("created_at")[:1]),
            asked_by=Subquery(asked.values("actor__username")[:1]),
            approvals_standing=Count(
                "approvals", filter=Q(approvals__voided_at__isnull=True), distinct=True
            ),
        )
        .order_by("asked_at", "pk")
    )


def approval_list(*, campaign: Campaign) -> QuerySet[models.Approval]:
    return models.Approval.objects.filter(campaign=campaign).select_related("reviewer")


def comment_list(*, campaign: Campaign) -> QuerySet[models.Comment]:
    return models.Comment.objects.filter(campaign=campaign).select_related("author", "resolved_by")


def review_step_latest(*, campaign: Campaign) -> models.AuditEvent | None:
    """The draft's latest review step (submitted, approved, changes requested...), with who took
    it: the one the drafts list shows as its status detail."""
    steps = models.AuditEvent.objects.filter(campaign=campaign, action__in=_REVIEW_STEPS)
    return steps.select_related("actor").order_by("-created_at", "-id").first()


def revision_list(*, campaign: Campaign) -> QuerySet[models.Revision]:
    return (
        models.Revision.objects.filter(campaign=campaign)
        .select_related("author")
        .defer("stored_body")
    )


def revisions_by_version(*, campaign: Campaign, versions: list[int]) -> dict[int, models.Revision]:
    """The revisions of these versions, whole (bodies included), by version."""
    found = models.Revision.objects.filter(campaign=campaign, version__in=versions)
    return {revision.version: revision for revision in found}
