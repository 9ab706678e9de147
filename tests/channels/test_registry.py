"""The registry covers every channel, and every registered channel provides each fact."""

import pkgutil

import pytest
from django.template.loader import get_template

import campaigns.channels
from campaigns import payloads
from campaigns.channels import registry
from campaigns.forms.base import PayloadForm
from campaigns.jsonpath import set_path
from campaigns.models import Api, Channel
from sandbox import audience
from tests.reference_examples import reference_examples

SPECS = list(registry.CHANNELS.values())


def test_every_channel_is_registered():
    assert set(registry.CHANNELS) == set(Channel.values)


def test_every_channel_module_is_registered():
    names = {module.name for module in pkgutil.iter_modules(campaigns.channels.__path__)}
    modules = {f"campaigns.channels.{name}" for name in names - {"registry"}}
    assert modules == {spec.preview.__module__ for spec in SPECS}


def test_channels_are_listed_in_one_order():
    assert list(registry.TARGET_MODES) == Channel.values
    assert registry.SEND_CHANNELS == ("push", "webpush", "email", "sms", "whatsapp")


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.channel.value)
def test_it_has_content_forms(spec):
    assert registry.CHANNELS[spec.channel.value] is spec
    assert issubclass(spec.targets_form, PayloadForm)
    assert spec.send_form is None or issubclass(spec.send_form, PayloadForm)
    assert registry.content_form(Api.TARGETS, spec.channel) is spec.targets_form
    assert registry.content_form(Api.SEND, spec.channel) is spec.send_form


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.channel.value)
def test_it_says_what_it_is_in_one_line_of_plain_words(spec):
    description = spec.description
    assert isinstance(description, str) and 10 <= len(description) <= 80
    # Words, not the API: no endpoint, no JSON key.
    assert "\n" not in description and ".json" not in description and "_" not in description


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.channel.value)
def test_it_has_a_send_endpoint_or_says_it_has_none(spec):
    endpoint = f"send/{spec.channel.value}.json"
    offered = spec.channel.value in dict(registry.channel_choices(Api.SEND))
    if spec.send_form is None:
        assert not offered and spec.channel not in registry.SEND_CHANNELS
        with pytest.raises(ValueError, match="Unknown endpoint"):
            payloads.parse_endpoint(endpoint)
    else:
        assert offered and spec.channel in registry.SEND_CHANNELS
        assert payloads.parse_endpoint(endpoint) == (Api.SEND, spec.channel)


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.channel.value)
def test_its_preview_partial_exists_and_its_builder_reads_any_body(spec):
    template = registry.preview_template(spec.channel)
    assert template == f"{registry.PREVIEWS_TEMPLATE}#{spec.partial}"
    get_template(template)  # raises TemplateDoesNotExist for a missing partial
    assert isinstance(registry.device_preview(spec.channel, {}, options=None), dict)


@pytest.mark.django_db
@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.channel.value)
def test_the_sandbox_answers_its_estimate_keys(spec):
    assert spec.estimate_keys and all(isinstance(key, str) for key in spec.estimate_keys)
    body = {"target_mode": spec.channel.value, "where": {}}
    estimates = audience.estimate(body=body, endpoint="targets/create.json")
    assert tuple(estimates) == spec.estimate_keys


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.channel.value)
def test_its_surest_send_mark_points_at_it(spec):
    if spec.send_form is None:
        assert spec.send_marks == {}
        return
    surest = max(spec.send_marks, key=spec.send_marks.get)
    body = {"to": {"Identity": ["a"]}}
    if surest:
        set_path(body, surest, "x")
    assert spec.channel in registry.send_channels_of(body)


@pytest.mark.parametrize(
    ("content", "channels"),
    [
        ({"template": {}, "subject": "s"}, ["whatsapp"]),
        ({"subject": "s", "platform_specific": {"chrome": {}}}, ["email"]),
        ({"platform_specific": {"chrome": {}, "android": {}}}, ["webpush"]),
        ({"title": "t", "platform_specific": {"ios": {}}}, ["push"]),
        ({"title": "t", "body": "b"}, ["push", "webpush"]),
        ({"body": "b"}, ["sms"]),
        ({"platform_specific": {"edge": {}}}, ["sms"]),  # no settings for Edge: not a mark
    ],
)
def test_the_surest_mark_of_a_send_body_says_its_channel(content, channels):
    assert registry.send_channels_of({"to": {}, "content": content}) == channels


def test_a_send_bodys_target_mode_says_its_channel():
    body = {"target_mode": "email", "content": {"title": "t"}}
    assert registry.send_channels_of(body) == ["email"]
    assert registry.send_channels_of({**body, "target_mode": "webhook"}) == ["push", "webpush"]


@pytest.mark.parametrize("example", reference_examples(), ids=lambda e: e.name)
def test_every_reference_example_has_a_device_preview(example):
    api, channel = payloads.infer_target(example.body, example.endpoint)
    assert registry.device_preview(channel, example.body, options=None)


def test_previews_of_bodies_of_the_wrong_shape_are_empty_not_errors():
    for body in [{}, {"content": []}, {"content": {"platform_specific": "x"}}, {"to": "x"}]:
        for channel in registry.CHANNELS:
            registry.device_preview(channel, body, options=None)
