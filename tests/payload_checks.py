"""Checks of a request body through the payload core: its errors, and round trips through the
forms as the composer does them."""

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from campaigns import payloads
from campaigns.forms.additional import AdditionalFieldsForm
from campaigns.forms.base import PayloadError, PayloadForm
from campaigns.forms.options import NO_OPTIONS, AccountOptions
from campaigns.jsonpath import Path, same_json
from campaigns.models import Api
from devtools.bench.formdata import submitted_data


def errors(
    body: Any, *, api: str = Api.TARGETS, channel: str, options: AccountOptions = NO_OPTIONS
) -> list[PayloadError]:
    """Every problem of the body (without the account's settings unless `options` are given)."""
    return payloads.body_errors(body, api=api, channel=channel, options=options)


def messages_at(body: Any, where: str, **target: Any) -> list[str]:
    """The messages of the problems at one JSON path (`where`, as `PayloadError.where` says it)."""
    return [error.message for error in errors(body, **target) if error.where == where]


def warnings(
    body: Any, *, api: str = Api.TARGETS, channel: str, options: AccountOptions = NO_OPTIONS
) -> list[PayloadError]:
    """The problems of the body that block nothing (shown as warnings)."""
    return payloads.body_problems(body, api=api, channel=channel, options=options)[1]


def warnings_at(body: Any, where: str, **target: Any) -> list[str]:
    """The messages of the warnings at one JSON path."""
    return [warning.message for warning in warnings(body, **target) if warning.where == where]


def errors_in(body: Any, *keys: str, **target: Any) -> list[PayloadError]:
    """The problems under these top-level keys of the body (its other parts aside)."""
    return [error for error in errors(body, **target) if error.path[:1] and error.path[0] in keys]


def extras_in(body: dict, *keys: str, **target: Any) -> dict[Path, Any]:
    """What the forms keep aside under these top-level keys of the body."""
    return {path: value for path, value in extras(body, **target).items() if path[0] in keys}


def without_estimate_only(body: dict) -> dict:
    """The body as a draft keeps it: estimating is an action, not part of the draft."""
    return {key: value for key, value in body.items() if key != "estimate_only"}


def as_drafted(body: Any) -> Any:
    """The body as a draft keeps it: without estimate_only, and with a location's `latitiude`
    (CleverTap's examples misspell it, NOTES.md) written `latitude`. Reference examples 16 and 17
    carry it: theirs is the one round trip that changes, by design."""
    if isinstance(body, list):
        return [as_drafted(item) for item in body]
    if not isinstance(body, dict):
        return body
    if "latitiude" in body and "latitude" not in body:
        body = {"latitude" if key == "latitiude" else key: value for key, value in body.items()}
    return {key: as_drafted(value) for key, value in without_estimate_only(body).items()}


def extras(body: dict, *, api: str = Api.TARGETS, channel: str) -> dict[Path, Any]:
    """What the forms do not model and keep aside, by path."""
    return payloads.parse_body(body, api=api, channel=channel).extras


def rendered_forms_html(body: dict, *, api: str, channel: str) -> str:
    parsed = payloads.parse_body(body, api=api, channel=channel)
    forms = payloads.bind_forms(parsed.data, api=api, channel=channel)
    html = [render_to_string("campaigns/_payload_form.html", {"form": f}) for f in forms.values()]
    additional = AdditionalFieldsForm(parsed.data)
    html.append(render_to_string("campaigns/_payload_form.html", {"form": additional}))
    return "\n".join(html)


def through_the_browser(body: dict, *, api: str = Api.TARGETS, channel: str) -> dict:
    """Parse, render the forms, post what a browser would post unchanged, and build again."""
    posted = submitted_data(rendered_forms_html(body, api=api, channel=channel))
    forms = payloads.bind_forms(posted, api=api, channel=channel)
    extras_posted = AdditionalFieldsForm.load(posted.get(AdditionalFieldsForm.FIELD, ""))
    return payloads.build_body(forms, extras_posted)


def round_trips(body: dict, *, api: str = Api.TARGETS, channel: str) -> bool:
    """Whether the body comes back unchanged through the browser."""
    return same_json(through_the_browser(body, api=api, channel=channel), body)


@dataclass(frozen=True)
class ChannelChecks:
    """The checks a channel's tests make, on the top-level keys its content form models."""

    channel: str
    form: type[PayloadForm]
    keys: tuple[str, ...] = ("content",)
    options: AccountOptions = NO_OPTIONS

    def errors(
        self, body: Any, *, api: str = Api.TARGETS, options: AccountOptions | None = None
    ) -> list[tuple[str, str, int | None]]:
        """(path, message, CleverTap's code) of each problem under the channel's keys."""
        target = {"api": api, "channel": self.channel, "options": options or self.options}
        return [(e.where, e.message, e.code) for e in errors_in(body, *self.keys, **target)]

    def extras(self, body: dict, *, api: str = Api.TARGETS) -> dict[Path, Any]:
        return extras_in(body, *self.keys, api=api, channel=self.channel)

    def assert_round_trips(self, body: dict, *, api: str = Api.TARGETS) -> None:
        assert round_trips(body, api=api, channel=self.channel)

    def wrong_type(self, name: str, value: Any) -> str:
        """The form's message for a value of the wrong JSON type in field `name`."""
        field = self.form.base_fields[name]
        return field.wrong_type_message(str(field.label), value)
