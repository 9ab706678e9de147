from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import QuerySet

from campaigns.forms.options import AccountOptions, WhatsAppTemplateOption
from campaigns.models import (
    AndroidChannel,
    Campaign,
    Provider,
    Status,
    WebhookEndpoint,
    WhatsAppTemplate,
)
from sandbox import selectors as sandbox_selectors

SUGGESTIONS_CACHE_KEY = "campaigns:name-suggestions"
SUGGESTIONS_CACHE_SECONDS = 300


def campaign_list(*, statuses: list[str] | None = None) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("owner").defer("body")
    if statuses is not None:
        campaigns = campaigns.filter(status__in=statuses)
    return campaigns


def drafts() -> QuerySet[Campaign]:
    return campaign_list().exclude(status__in=[Status.PUBLISHED, Status.STOPPED])


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
    campaigns = campaign_list().exclude(status__in=[Status.PUBLISHED, Status.STOPPED])
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
    return campaigns.order_by(*DRAFT_ORDERINGS.get(sort, DRAFT_ORDERINGS["-updated"]))


def owner_options() -> list[tuple[int, str]]:
    """The people who own drafts, for the list's owner filter (one query)."""
    User = get_user_model()
    owners = User.objects.filter(pk__in=Campaign.objects.values("owner_id"))
    owners = owners.order_by(User.USERNAME_FIELD)
    return [(user.pk, user.get_username()) for user in owners.only("pk", User.USERNAME_FIELD)]


def campaign_with_people(pk: int) -> Campaign:
    """A campaign with the people its pages name (owner, last editor), in one query."""
    return Campaign.objects.select_related("owner", "updated_by").get(pk=pk)


def account_options() -> AccountOptions:
    """The account settings the forms offer as choices (four small queries)."""
    providers: dict[str, list[str]] = {}
    provider_ids: dict[str, str] = {}
    for provider in Provider.objects.all():
        providers.setdefault(provider.channel, []).append(provider.nick_name)
        if provider.provider_id:
            provider_ids[provider.provider_id] = provider.nick_name
    templates = tuple(
        WhatsAppTemplateOption(
            name=template.name,
            locale=template.locale,
            header_type=template.header_type,
            header_placeholders=template.header_placeholders,
            body_placeholders=template.body_placeholders,
            button_placeholders=tuple(template.button_placeholders or ()),
        )
        for template in WhatsAppTemplate.objects.all()
    )
    return AccountOptions(
        providers={channel: tuple(names) for channel, names in providers.items()},
        provider_ids=provider_ids,
        whatsapp_templates=templates,
        webhook_endpoints=tuple(WebhookEndpoint.objects.values_list("name", flat=True)),
        android_channels=tuple(AndroidChannel.objects.values_list("channel_id", flat=True)),
        **name_suggestions(),
    )


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
