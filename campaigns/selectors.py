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


def campaign_list(*, statuses: list[str] | None = None) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("owner").defer("body")
    if statuses is not None:
        campaigns = campaigns.filter(status__in=statuses)
    return campaigns


def drafts() -> QuerySet[Campaign]:
    return campaign_list().exclude(status__in=[Status.PUBLISHED, Status.STOPPED])


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
    )
