"""The channel registry: the one place other code asks about channels.

Each channel is a module of this package that declares:
- CHANNEL: its `models.Channel` member (its target_mode);
- DESCRIPTION: what it is, in one line for people choosing a channel (the New page's cards);
- TARGETS_FORM: its content form for targets/create.json;
- SEND_FORM: its content form for send/<channel>.json, or None when there is no such endpoint;
- PARTIAL: the `{% partialdef %}` of PREVIEWS_TEMPLATE that draws its device preview;
- preview(body, *, options, remote_images): that partial's context, read from a request body;
  its `counters` (field name -> `previews.Counter`), if any, are drawn under the content form's
  `counted` fields;
- ESTIMATE_KEYS: the keys of CleverTap's estimate for it (devices, browsers or the channel), the
  ones the sandbox answers;
- SEND_MARKS: for a send body without target_mode, the paths whose presence says it is for this
  channel, each with how surely (see `send_channels_of`).

Adding a channel: its module, its partial in PREVIEWS_TEMPLATE, and its line in CHANNELS below.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from campaigns.channels import email, inbox, push, sms, webhook, webpush, whatsapp
from campaigns.forms.base import PayloadForm
from campaigns.forms.options import AccountOptions
from campaigns.jsonpath import Path, has_path
from campaigns.models import Api, Channel

PREVIEWS_TEMPLATE = "campaigns/previews.html"
NO_SEND_ENDPOINT = (
    "{channel} cannot be sent by identities (there is no send/{value}.json); "
    "choose another channel or send by events and properties."
)


@dataclass(frozen=True)
class ChannelSpec:
    channel: Channel
    description: str
    targets_form: type[PayloadForm]
    send_form: type[PayloadForm] | None
    partial: str
    preview: Callable[..., dict]
    estimate_keys: tuple[str, ...]
    send_marks: dict[Path, int]

    @classmethod
    def of(cls, module: ModuleType) -> "ChannelSpec":
        return cls(
            channel=module.CHANNEL,
            description=module.DESCRIPTION,
            targets_form=module.TARGETS_FORM,
            send_form=module.SEND_FORM,
            partial=module.PARTIAL,
            preview=module.preview,
            estimate_keys=module.ESTIMATE_KEYS,
            send_marks=module.SEND_MARKS,
        )


# In the order the channels are listed everywhere (endpoints, messages, the sandbox's answers).
CHANNELS: dict[str, ChannelSpec] = {
    module.CHANNEL.value: ChannelSpec.of(module)
    for module in (
        push,
        webpush,
        email,
        sms,
        whatsapp,
        webhook,
        inbox,
    )
}
TARGET_MODES = tuple(CHANNELS)
# A targets/create.json body without target_mode is push, as CleverTap treats it: its QA suite's
# email and SMS bodies without one fail with push's "Field title is empty" (CLEVERTAP-READS §4,
# recorded, not documented).
DEFAULT_TARGET_MODE = Channel.PUSH.value
SEND_CHANNELS = tuple(channel for channel, spec in CHANNELS.items() if spec.send_form is not None)


def channel_choices(api: str) -> list[tuple[str, str]]:
    return [
        (spec.channel.value, spec.channel.label)
        for spec in CHANNELS.values()
        if api == Api.TARGETS or spec.send_form is not None
    ]


def targets_channel(body: dict[str, Any]) -> str | None:
    """The channel of a targets/create.json body: its target_mode, push when it names none,
    None when its target_mode is no channel."""
    if "target_mode" not in body:
        return DEFAULT_TARGET_MODE
    target_mode = body["target_mode"]
    return target_mode if isinstance(target_mode, str) and target_mode in CHANNELS else None


def not_offered(api: str, channel: str) -> str:
    """Why this API family does not offer this channel, or "" when it does."""
    if channel in dict(channel_choices(api)):
        return ""
    return NO_SEND_ENDPOINT.format(channel=Channel(channel).label, value=channel)


def content_form(api: str, channel: str) -> type[PayloadForm] | None:
    spec = CHANNELS.get(channel)
    if spec is None:
        return None
    return spec.targets_form if api == Api.TARGETS else spec.send_form


def preview_template(channel: str) -> str | None:
    """The template (a partial of PREVIEWS_TEMPLATE) that draws this channel's device preview."""
    spec = CHANNELS.get(channel)
    return f"{PREVIEWS_TEMPLATE}#{spec.partial}" if spec else None


def device_preview(
    channel: str, body: dict, *, options: AccountOptions | None, remote_images: bool = False
) -> dict:
    """The context of `preview_template(channel)`: what the body shows on a device."""
    spec = CHANNELS.get(channel)
    return spec.preview(body, options=options, remote_images=remote_images) if spec else {}


def send_channels_of(body: dict[str, Any]) -> list[str]:
    """The channels a send body can be for: its target_mode's, else the ones its marks say.

    The surest mark the body carries decides (keys only one channel writes, then platform keys,
    then a title); channels whose marks are equally sure are all listed, for the person to choose.
    """
    target_mode = body.get("target_mode")
    if isinstance(target_mode, str) and target_mode in SEND_CHANNELS:
        return [target_mode]
    sureness = {
        channel: max(
            (sure for path, sure in spec.send_marks.items() if has_path(body, path)), default=0
        )
        for channel, spec in CHANNELS.items()
        if channel in SEND_CHANNELS
    }
    surest = max(sureness.values())
    return [channel for channel, sure in sureness.items() if sure == surest]
