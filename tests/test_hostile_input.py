"""Arbitrary JSON and arbitrary form data never crash the validator, the import or the views.

The only failures allowed are the documented ones, with a message for people: ValueError from
`services.campaign_import`, CommandError from `validate_campaign`; everything else answers a list
of errors with messages (or a page or fragment, never a 500).
"""

import io
import json
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns import payloads, services
from campaigns.channels import registry
from campaigns.forms.options import NO_OPTIONS
from campaigns.models import Api, Campaign
from devtools.bench.formdata import submitted_data
from tests.drafts import PUSH_BODY

COMBINATIONS = [
    (api, channel)
    for channel, spec in registry.CHANNELS.items()
    for api in (Api.TARGETS, Api.SEND)
    if api == Api.TARGETS or spec.send_form is not None
]
# Keys the forms read, so that generated objects reach the forms' code, not only the extras.
KEYS = sorted(
    {
        "name", "labels", "target_mode", "where", "when", "content", "to", "tag_group",
        "respect_frequency_caps", "ttl", "conversion_goal", "event_name", "from",
        "common_profile_properties", "profile_fields", "operator", "value", "title", "body",
        "subject", "sender_name", "platform_specific", "android", "ios", "webhook_key_value",
        "message_info", "type", "repeat_type", "start_time", "dnd", "delivery", "estimate_only",
        "provider_nick_name", "template_id", "buttons", "media", "$", "", "é😀",
    }
)  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["now", "later", "push", "email", "20260101", "20260101 10:00", "25:99"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=5
        ),
    ),
    max_leaves=40,
)
json_bodies = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_error_list(errors) -> None:
    assert isinstance(errors, list)
    for error in errors:
        assert isinstance(error.message, str) and error.message.strip()
        assert isinstance(error.path, tuple)


@pytest.mark.parametrize(("api", "channel"), COMBINATIONS)
@FUZZ
@given(body=st.one_of(json_bodies, json_values))
def test_the_validator_answers_a_list_of_errors_for_any_json(api, channel, body):
    assert_error_list(payloads.body_errors(body, api=api, channel=channel, options=NO_OPTIONS))


def test_the_validator_survives_deep_nesting_and_huge_numbers():
    deep: object = "leaf"
    for _ in range(200):
        deep = {"content": [deep]}
    for body in (
        {"where": deep, "content": deep},
        {"ttl": 10**400, "content": {"title": 1e308, "body": -(10**400)}},
        {"when": {"type": "recurring", "repeats_every": 10**100}, "name": "\x00\ud7ff"},
    ):
        for api, channel in COMBINATIONS:
            assert_error_list(
                payloads.body_errors(body, api=api, channel=channel, options=NO_OPTIONS)
            )


@pytest.mark.django_db
@FUZZ
@given(
    body=st.one_of(json_bodies, json_values),
    endpoint=st.sampled_from(
        [None, "targets/create.json", "send/push.json", "send/pigeon.json", "", "x"]
    ),
)
def test_the_import_makes_a_draft_or_says_why_not(demo_users, body, endpoint):
    user = get_user_model().objects.get(username="composer")
    try:
        result = services.campaign_import(user=user, body=body, endpoint=endpoint)
    except ValueError as error:
        assert str(error).strip()
        return
    assert_error_list(result.errors)
    assert all(isinstance(notice, str) for notice in result.notices)
    assert Campaign.objects.filter(pk=result.campaign.pk).exists()


@pytest.mark.django_db
@FUZZ
@given(
    body=st.one_of(json_bodies, json_values),
    endpoint=st.sampled_from([None, "targets/create.json", "send/sms.json", "nope"]),
    broken=st.booleans(),
)
def test_validate_campaign_reports_or_fails_with_a_message(body, endpoint, broken):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "body.json"
        text = json.dumps(body)
        path.write_text(text[: len(text) // 2] if broken else text, encoding="utf-8")
        out = io.StringIO()
        arguments = [str(path)] + ([f"--endpoint={endpoint}"] if endpoint else [])
        try:
            call_command("validate_campaign", *arguments, stdout=out, stderr=out)
        except CommandError as error:
            assert str(error).strip()


@pytest.mark.django_db
def test_the_import_refuses_a_list_as_target_mode_with_a_message(demo_users):
    user = get_user_model().objects.get(username="composer")
    with pytest.raises(ValueError, match="is not a channel"):
        services.campaign_import(user=user, body={"target_mode": []})


@pytest.mark.django_db
def test_an_object_as_target_mode_with_an_endpoint_imports_and_is_reported(demo_users):
    user = get_user_model().objects.get(username="composer")
    result = services.campaign_import(
        user=user, body={"target_mode": {}}, endpoint="targets/create.json"
    )
    assert result.campaign.body == {"target_mode": {}}
    assert any(error.where == "target_mode" for error in result.errors)


@pytest.mark.django_db
def test_validate_campaign_reports_an_unhashable_target_mode(tmp_path):
    path = tmp_path / "body.json"
    path.write_text('{"target_mode": []}', encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("validate_campaign", str(path), stdout=io.StringIO())


@pytest.mark.django_db
def test_the_import_page_answers_a_message_for_an_unhashable_target_mode(client, demo_users):
    client.force_login(get_user_model().objects.get(username="admin"))
    client.raise_request_exception = False
    response = client.post(reverse("campaigns:campaign_import"), {"text": '{"target_mode": []}'})
    assert response.status_code == 200


# Form data on the import, estimate and publish views (the composer's own htmx endpoints are
# covered by tests/test_views_fuzz.py).

form_texts = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", "{}", "[]", "null", '{"to": 1}', json.dumps(PUSH_BODY), "\x00", "1e999"]),
    json_bodies.map(json.dumps),
)


def fuzzed_form(names: list[str]):
    return st.dictionaries(
        st.one_of(st.sampled_from(names), st.text(max_size=12)),
        st.lists(form_texts, min_size=1, max_size=2),
        max_size=len(names) + 2,
    )


@pytest.mark.django_db
def test_the_import_view_answers_a_page_for_any_form_data(client, demo_users):
    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    url = reverse("campaigns:campaign_import")
    names = sorted(submitted_data(client.get(url).content.decode()))
    names = sorted(set(names) | {"text", "endpoint", "name"})

    @FUZZ
    @given(data=fuzzed_form(names))
    def post(data):
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.status_code

    post()


@pytest.mark.django_db
def test_the_estimate_and_publish_views_answer_without_a_500_for_any_form_data(client, demo_users):
    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    campaign = services.campaign_create(user=admin, api="targets", channel="push", body=PUSH_BODY)
    urls = [
        reverse("campaigns:estimate", args=[campaign.pk]),
        reverse("campaigns:publish", args=[campaign.pk]),
        reverse("campaigns:stop", args=[campaign.pk]),
        reverse("campaigns:report", args=[campaign.pk]),
        reverse("campaigns:estimate_poll", args=[campaign.pk, 999]),
        reverse("campaigns:attempt_check", args=[campaign.pk, 999]),
    ]
    names = ["confirmation_token", "estimate_pk", "csrfmiddlewaretoken", "next", "version"]

    @FUZZ
    @given(data=fuzzed_form(names), url=st.sampled_from(urls), htmx=st.booleans())
    def post(data, url, htmx):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client.post(url, data, **headers)
        assert response.status_code < 500, (url, data, response.status_code)

    post()
