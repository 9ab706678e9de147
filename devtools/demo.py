"""Demo data: one user per role, with known passwords, for the embedded default."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from campaigns import roles, services, test_recipients
from campaigns.library import services as library_services
from campaigns.models import (
    AccountSettings,
    AndroidChannel,
    Campaign,
    Channel,
    ControlGroup,
    LibraryItem,
    ProfileProperty,
    Provider,
    RecipientKind,
    WebhookEndpoint,
    WhatsAppTemplate,
)
from sandbox import selectors as sandbox_selectors
from sandbox import services as sandbox_services
from sandbox.models import Profile


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    groups: tuple[str, ...]
    is_staff: bool = False


DEMO_USERS = (
    DemoUser("composer", "compose-demo-2026", (roles.COMPOSERS,)),
    DemoUser("reviewer", "review-demo-2026", (roles.REVIEWERS,)),
    DemoUser("publisher", "publish-demo-2026", (roles.PUBLISHERS,)),
    DemoUser(
        "admin",
        "admin-demo-2026",
        (roles.COMPOSERS, roles.REVIEWERS, roles.PUBLISHERS, roles.SANDBOX_OPERATORS),
        is_staff=True,
    ),
)


def demo_users_ensure() -> tuple[DemoUser, ...]:
    """Create or reset the demo users; running it again leaves the same users and passwords."""
    roles.roles_ensure()
    User = get_user_model()
    for demo in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=demo.username)
        user.set_password(demo.password)
        user.is_staff = demo.is_staff
        user.is_superuser = demo.is_staff
        user.save()
        user.groups.set(Group.objects.filter(name__in=demo.groups))
    return DEMO_USERS


# Sample drafts, from bodies like the CleverTap reference examples, one or two per channel.
_WHERE_PLATINUM = {
    "event_name": "Charged",
    "from": 20260101,
    "to": 20260301,
    "common_profile_properties": {
        "profile_fields": [{"name": "Customer Type", "operator": "equals", "value": "Platinum"}]
    },
}
DEMO_DRAFTS: tuple[tuple[str | None, dict], ...] = (
    (
        None,
        {
            "name": "Spring sale push",
            "target_mode": "push",
            "labels": ["spring", "sale"],
            "where": _WHERE_PLATINUM,
            "respect_frequency_caps": True,
            "content": {
                "title": "Spring sale starts now",
                "body": "Up to 40% off for our Platinum customers.",
                "platform_specific": {
                    "ios": {"deep_link": "shop://sale", "badge_count": 1},
                    "android": {"deep_link": "shop://sale", "wzrk_cid": "Marketing"},
                },
            },
            "devices": ["android", "ios"],
            "when": {
                "type": "recurring",
                "repeat_type": "week",
                "repeats_every": 1,
                "repeat_on_days_of_week": [2, 5],
                "start_time": "20300105 10:00",
                "dnd": {
                    "message_state": "delay",
                    "dnd_timezone": "account",
                    "dnd_info": {"2": ["21:00", "07:00"], "5": ["21:00", "07:00"]},
                },
            },
        },
    ),
    (
        None,
        {
            "name": "Welcome email",
            "target_mode": "email",
            "labels": ["onboarding"],
            "where": {"event_name": "App Installed", "from": 20260101, "to": 20260301},
            "content": {
                "subject": "Welcome aboard",
                "body": "<h1>Welcome!</h1><p>Thanks for joining us.</p>",
                "sender_name": "The Shop",
            },
            "when": "now",
        },
    ),
    (
        None,
        {
            "name": "Order shipped SMS",
            "target_mode": "sms",
            "where": _WHERE_PLATINUM,
            "provider_nick_name": "Nick Name",
            "content": {"body": "Your order is on its way. Track it in the app."},
            "when": "now",
        },
    ),
    (
        None,
        {
            "name": "Recommendations webhook",
            "target_mode": "webhook",
            "where": {"event_name": "Charged", "from": 20260101, "to": 20261130},
            "webhook_endpoint_name": "Recommendation Endpoint",
            "webhook_fields": ["profile-attributes", "identities"],
            "webhook_key_value": {"k1": "v1"},
            "when": "now",
        },
    ),
    (
        "send/whatsapp.json",
        {
            "to": {"Identity": ["user9@example.com"]},
            "tag_group": "Order updates",
            "message_id": "ord1042",
            "provider_nick_name": "Provider_1",
            "content": {
                "message_type": "template",
                "template": {
                    "template_name": "order_update",
                    "body": {"type": "text", "replacements": ["Ada", "#1042"]},
                    "language": "en",
                },
            },
        },
    ),
)
DEMO_SEND_NAME = "Order update on WhatsApp"


def demo_drafts_ensure(user) -> int:
    """Load the sample drafts for `user`, once: a draft of the same name is left alone."""
    created = 0
    for endpoint, body in DEMO_DRAFTS:
        name = body.get("name") or DEMO_SEND_NAME
        if Campaign.objects.filter(owner=user, name=name).exists():
            continue
        services.campaign_import(
            user=user, body=body, name=None if "name" in body else name, endpoint=endpoint
        )
        created += 1
    return created


def demo_library_ensure(user) -> int:
    """A message template and a saved audience of the last 30 days, from the first sample
    targets push draft, once: nothing is added while the library holds anything."""
    if LibraryItem.objects.exists():
        return 0
    draft = (
        Campaign.objects.filter(owner=user, api="targets", channel="push").order_by("pk").first()
    )
    if draft is None:
        return 0
    library_services.template_save_from_draft(
        campaign=draft,
        user=user,
        name=f"{draft.name} (template)",
        description="The sample push's message, to start new pushes from.",
        labels=["sample"],
    )
    library_services.audience_save_from_draft(
        campaign=draft,
        user=user,
        name=f"{draft.name}: its audience, the last 30 days",
        labels=["sample"],
        relative_days=30,
    )
    return 2


# The account's approved WhatsApp templates, as its WhatsApp Business account has them.
DEMO_WHATSAPP_TEMPLATES = (
    (
        "order_update",
        "en",
        {
            "body_placeholders": 2,
            "body_text": (
                "Hi {{1}}, your order {{2}} is on its way. We'll message you again when it is "
                "out for delivery."
            ),
        },
    ),
    (
        "order_update",
        "fr",
        {
            "body_placeholders": 2,
            "body_text": (
                "Bonjour {{1}}, votre commande {{2}} est en route. Nous vous écrirons dès "
                "qu'elle sera en cours de livraison."
            ),
        },
    ),
    (
        "delivery_slot",
        "en",
        {
            "header_type": "text",
            "header_placeholders": 1,
            "header_text": "Delivery on {{1}}",
            "body_placeholders": 2,
            "body_text": (
                "Your parcel arrives between {{1}} and {{2}}. Not at home? Choose another slot "
                "or a safe place."
            ),
            "button_placeholders": [1],
            "button_texts": ["Change my slot: https://shop.example/delivery/{{1}}"],
        },
    ),
)


def demo_account_settings_ensure() -> None:
    """The account settings the sample drafts use: providers, a template, an endpoint, a channel,
    a custom control group."""
    Provider.objects.get_or_create(
        channel=Channel.SMS, nick_name="Nick Name", defaults={"provider_id": "1726822661"}
    )
    Provider.objects.get_or_create(channel=Channel.WHATSAPP, nick_name="Provider_1")
    for name, locale, settings in DEMO_WHATSAPP_TEMPLATES:
        template, created = WhatsAppTemplate.objects.get_or_create(
            name=name, locale=locale, defaults=settings
        )
        if not created and not template.body_text:
            # Saved by an earlier demo, before templates had their words.
            for field, value in settings.items():
                setattr(template, field, value)
            template.save()
    WebhookEndpoint.objects.get_or_create(name="Recommendation Endpoint")
    AndroidChannel.objects.get_or_create(channel_id="Marketing", defaults={"name": "Marketing"})
    ControlGroup.objects.get_or_create(name="Holdout")


def demo_liquid_beta_ensure() -> None:
    """CleverTap's Liquid beta for API campaigns, on in the app's account settings and in the
    sandbox's account: the demo shows the Liquid checks and "Insert personalization"."""
    AccountSettings.objects.update_or_create(pk=1, defaults={"liquid_api_beta": True})
    sandbox_services.liquid_api_beta_set(True)


def demo_profile_properties_ensure() -> int:
    """The sandbox sample audience's profile properties, known to the account (what "Insert
    personalization" lists); one an admin added or edited is left as it is. Returns how many
    were added."""
    added = 0
    for name in sandbox_selectors.profile_property_names():
        _, created = ProfileProperty.objects.get_or_create(
            name=name, defaults={"source": ProfileProperty.Source.SAMPLE}
        )
        added += created
    return added


def demo_test_recipients_ensure(user) -> int:
    """Two test recipients for `user` from the sandbox's sample audience (a person with an
    identity, a push token and an email), so "Send test" works at once; a list the user already
    keeps is left alone. Returns how many were added."""
    if test_recipients.recipient_list(user=user).exists():
        return 0
    person = (
        Profile.objects.filter(has_android=True, email_opt_out=False)
        .exclude(email="")
        .order_by("pk")
        .first()
    )
    if person is None:
        return 0
    test_recipients.recipient_add(
        user=user, kind=RecipientKind.IDENTITY, value=person.identity, label="Sample phone"
    )
    test_recipients.recipient_add(
        user=user, kind=RecipientKind.EMAIL, value=person.email, label="Sample inbox"
    )
    return 2
