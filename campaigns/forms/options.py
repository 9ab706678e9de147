from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WhatsAppTemplateOption:
    name: str
    locale: str
    header_type: str
    header_placeholders: int
    body_placeholders: int
    button_placeholders: tuple[int, ...]
    # The template's words with their {{1}}-style placeholders; "" where not known.
    header_text: str = ""
    body_text: str = ""
    button_texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SegmentOption:
    id: int
    name: str
    # How many people it holds, where the sandbox can count them; None: not known.
    size: int | None = None


@dataclass(frozen=True)
class ProfilePropertyOption:
    name: str
    # What marketers call it ("" : its name).
    label: str = ""
    description: str = ""


@dataclass(frozen=True)
class AccountOptions:
    """The account's settings that forms offer as choices; loaded once per request."""

    providers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # channel -> nick names
    provider_ids: dict[str, str] = field(default_factory=dict)  # SMS provider id -> nick name
    whatsapp_templates: tuple[WhatsAppTemplateOption, ...] = ()
    webhook_endpoints: tuple[str, ...] = ()
    android_channels: tuple[str, ...] = ()
    # Channel id -> the name the admin gave it, where it has one.
    android_channel_names: dict[str, str] = field(default_factory=dict)
    # The custom control groups the account defines; None: not known (no account loaded).
    control_groups: tuple[str, ...] | None = None
    event_names: tuple[str, ...] = ()
    property_names: tuple[str, ...] = ()
    # The segments the composer offers (the sandbox's, when it is in use).
    segments: tuple[SegmentOption, ...] = ()
    # CleverTap renders Liquid in this account's API push campaigns (a private beta).
    liquid_api_beta: bool = False
    # Set per draft by `payloads.bind_forms`: whether CleverTap renders Liquid in this draft's
    # personalized fields, and if not, why it sends it as typed (`personalization_checks`).
    liquid_rendered: bool = False
    liquid_literal_reason: str = ""
    # The share (0 to 1) of the sandbox's sample audience lacking each profile property; None
    # where there is no sample (real CleverTap credentials, or validation outside the composer).
    sample_missing: Mapping[str, float] | None = None
    # The profile properties known for the account (`ProfileProperty`), for "Insert
    # personalization"; loaded for the composer only.
    profile_properties: tuple[ProfilePropertyOption, ...] = ()

    def whatsapp_template(self, name: str, locale: str | None) -> WhatsAppTemplateOption | None:
        matches = [t for t in self.whatsapp_templates if t.name == name]
        exact = [t for t in matches if t.locale == locale]
        return (exact or matches or [None])[0]


NO_OPTIONS = AccountOptions()
