from dataclasses import dataclass, field


@dataclass(frozen=True)
class WhatsAppTemplateOption:
    name: str
    locale: str
    header_type: str
    header_placeholders: int
    body_placeholders: int
    button_placeholders: tuple[int, ...]


@dataclass(frozen=True)
class AccountOptions:
    """The account's settings that forms offer as choices; loaded once per request."""

    providers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # channel -> nick names
    provider_ids: dict[str, str] = field(default_factory=dict)  # SMS provider id -> nick name
    whatsapp_templates: tuple[WhatsAppTemplateOption, ...] = ()
    webhook_endpoints: tuple[str, ...] = ()
    android_channels: tuple[str, ...] = ()
    # The custom control groups the account defines; None: not known (no account loaded).
    control_groups: tuple[str, ...] | None = None
    event_names: tuple[str, ...] = ()
    property_names: tuple[str, ...] = ()

    def whatsapp_template(self, name: str, locale: str | None) -> WhatsAppTemplateOption | None:
        matches = [t for t in self.whatsapp_templates if t.name == name]
        exact = [t for t in matches if t.locale == locale]
        return (exact or matches or [None])[0]


NO_OPTIONS = AccountOptions()
