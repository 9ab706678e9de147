"""The channel registry: each channel's content forms and preview, in one place.

Adding a channel means adding one entry here (and its forms module and preview partial).
"""

from dataclasses import dataclass

from campaigns.channels.email import EmailContentForm
from campaigns.channels.inbox import InboxContentForm
from campaigns.channels.push import PushContentForm
from campaigns.channels.sms import SmsContentForm
from campaigns.channels.webhook import WebhookContentForm
from campaigns.channels.webpush import WebPushContentForm
from campaigns.channels.whatsapp import WhatsAppContentForm, WhatsAppSendContentForm
from campaigns.forms.base import PayloadForm
from campaigns.models import Api, Channel


@dataclass(frozen=True)
class ChannelSpec:
    channel: Channel
    # Content form for targets/create.json, and for send/<channel>.json (None: not offered).
    targets_content: type[PayloadForm]
    send_content: type[PayloadForm] | None
    # The `{% partialdef %}` of templates/campaigns/previews.html that draws the device preview.
    preview: str


CHANNELS: dict[str, ChannelSpec] = {
    spec.channel: spec
    for spec in [
        ChannelSpec(Channel.EMAIL, EmailContentForm, EmailContentForm, "email"),
        ChannelSpec(Channel.SMS, SmsContentForm, SmsContentForm, "sms"),
        ChannelSpec(Channel.PUSH, PushContentForm, PushContentForm, "push"),
        ChannelSpec(Channel.WEBPUSH, WebPushContentForm, WebPushContentForm, "webpush"),
        ChannelSpec(Channel.WHATSAPP, WhatsAppContentForm, WhatsAppSendContentForm, "whatsapp"),
        ChannelSpec(Channel.WEBHOOK, WebhookContentForm, None, "webhook"),
        ChannelSpec(Channel.NOTIFICATIONINBOX, InboxContentForm, None, "inbox"),
    ]
}


def channel_choices(api: str) -> list[tuple[str, str]]:
    return [
        (spec.channel.value, spec.channel.label)
        for spec in CHANNELS.values()
        if api == Api.TARGETS or spec.send_content is not None
    ]


def content_form(api: str, channel: str) -> type[PayloadForm] | None:
    spec = CHANNELS.get(channel)
    if spec is None:
        return None
    return spec.targets_content if api == Api.TARGETS else spec.send_content
