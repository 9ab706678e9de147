"""The body of a test send: a draft's content, sent through send/<channel>.json to its sender's own
test recipients. Pure functions, as `payloads.py`: no database, no HTTP.

The content is read from the draft's body by the forms that build it (`payloads.parse_body`) and
built again by the send form of its channel (`payloads.bind_forms`, `payloads.build_body`), so
that a targets draft's content lands in the send body's shape by the same code that builds every
body, never by hand. Push, web push, email and SMS have one content form for both API families;
WhatsApp's send form names the template's language differently and needs the message's type,
which a targets draft leaves implicit (`_CARRIED`).
"""

from dataclasses import dataclass, field
from typing import Any

from campaigns import payloads, personalization
from campaigns.channels import registry
from campaigns.jsonpath import Path
from campaigns.models import Api, Channel

# At most this many recipients per test: a test is for a few devices, not an audience.
MAX_RECIPIENTS = 25
# The tag group a test's metrics go under in CleverTap, apart from the campaign's own.
TEST_TAG_GROUP = "Campaign Studio test sends"
TEST_NAME = "Test: {name}"
TEST_NAME_UNNAMED = "Test send"
NAME_MAX = 200
# A WhatsApp message id is at most 8 characters (the reference's send/whatsapp.json).
MESSAGE_ID_MAX = 8

NO_SEND_ENDPOINT = (
    "{channel} has no send endpoint (CleverTap has no send/{value}.json), so it cannot be sent "
    "to test recipients: it reaches people only as a published campaign. Check it with the "
    "composer's preview instead."
)
SENT_LITERALLY = (
    "In a test, personalization ({{ ... }} or @Profile) arrives as typed: CleverTap does not say "
    "it fills tags in for direct sends, so the test shows the tags where people would see their "
    "values. “Preview as a person” in the composer shows them filled in."
)
TOO_MANY = f"Choose at most {MAX_RECIPIENTS} test recipients for one test."
NONE_CHOSEN = "Choose at least one test recipient."


class NoSendEndpoint(ValueError):
    """The channel cannot be sent by identity: the message says so in words."""


@dataclass(frozen=True)
class Carried:
    """How a targets draft's content form data becomes its channel's send form data."""

    # Targets field name -> the send form's name for the same value.
    renamed: dict[str, str] = field(default_factory=dict)
    # Send form fields a targets body leaves implicit, with the value it means.
    implied: dict[str, str] = field(default_factory=dict)


_CARRIED: dict[str, Carried] = {
    # A targets WhatsApp body is a template message with a text body: its send form says so.
    Channel.WHATSAPP: Carried(
        renamed={"locale": "language"},
        implied={"message_type": "template", "body_type": "text"},
    ),
}


def cannot_test_send(channel: str) -> str:
    """Why a draft of this channel cannot be test-sent, or "" when it can."""
    if channel in registry.SEND_CHANNELS:
        return ""
    return NO_SEND_ENDPOINT.format(channel=Channel(channel).label, value=channel)


def personalized(body: Any) -> bool:
    """Whether any text of the body holds Liquid or the dashboard's @Profile style, which a
    test (sent by identity) delivers as typed."""
    if isinstance(body, dict):
        return any(personalized(value) for value in body.values())
    if isinstance(body, list):
        return any(personalized(value) for value in body)
    return isinstance(body, str) and (personalization.has_liquid(body) or "@Profile" in body)


def recipients_to(recipients: list[tuple[str, str]]) -> dict[str, list[str]]:
    """A send body's `to` for (kind, value) pairs: each kind's values in order, once each."""
    to: dict[str, list[str]] = {}
    for kind, value in recipients:
        values = to.setdefault(kind, [])
        if value not in values:
            values.append(value)
    return to


def recipients_refusal(count: int) -> str:
    """Why this many chosen recipients cannot be sent a test, or ""."""
    if count == 0:
        return NONE_CHOSEN
    return TOO_MANY if count > MAX_RECIPIENTS else ""


def body_for_test_send(
    body: dict, *, api: str, channel: str, to: dict[str, list[str]], message_id: str = ""
) -> dict:
    """The send/<channel>.json body that sends `body`'s content to `to`.

    Its name says it is a test, its metrics go under TEST_TAG_GROUP (never the campaign's tag
    group or id), and frequency caps are not respected, so that the test reaches the tester's
    device however many messages it had lately. `message_id` is WhatsApp's (at most 8
    characters): each test is a message of its own. Raises NoSendEndpoint for webhook and app
    inbox.
    """
    if reason := cannot_test_send(channel):
        raise NoSendEndpoint(reason)
    # A send draft's own list is neither read nor sent: a long one would only slow this down.
    source = {key: value for key, value in body.items() if not (api == Api.SEND and key == "to")}
    parsed = payloads.parse_body(source, api=api, channel=channel)
    data = parsed.data.copy()
    if api == Api.TARGETS:
        _carry(data, _CARRIED.get(channel, Carried()))
    forms = payloads.bind_forms(data, api=Api.SEND, channel=channel)
    parts = {prefix: forms[prefix] for prefix in ("campaign", "content") if prefix in forms}
    extras = {path: v for path, v in parsed.extras.items() if _carries(path, api, channel)}
    result = payloads.build_body(parts, extras)
    result.pop("campaign_id", None)
    named = result.get("name")
    name = TEST_NAME.format(name=named) if isinstance(named, str) and named else TEST_NAME_UNNAMED
    result |= {
        "name": name[:NAME_MAX],
        "tag_group": TEST_TAG_GROUP,
        "respect_frequency_caps": False,
        "to": to,
    }
    if channel == Channel.WHATSAPP:
        result["message_id"] = message_id[:MESSAGE_ID_MAX]
    return result


def _carry(data: Any, carried: Carried) -> None:
    prefix = "content-"
    for old, new in carried.renamed.items():
        if f"{prefix}{old}" in data:
            data.setlist(f"{prefix}{new}", data.getlist(f"{prefix}{old}"))
            del data[f"{prefix}{old}"]
    for name, value in carried.implied.items():
        data.setdefault(f"{prefix}{name}", value)


def _carries(path: Path, api: str, channel: str) -> bool:
    """Whether a key no form models goes with the content: all of a send draft's but its
    recipients; a targets draft's under `content` where both API families share the content
    form (elsewhere the same key would mean something else)."""
    if api == Api.SEND:
        return path[:1] != ("to",)
    same_form = registry.content_form(Api.TARGETS, channel) is registry.content_form(
        Api.SEND, channel
    )
    return same_form and path[:1] == ("content",)
