"""Arbitrary JSON and arbitrary form data never crash the validator, the import or the views.

The only failures allowed are the documented ones, with a message for people: ValueError from
`services.campaign_import`, CommandError from `validate_campaign`; everything else answers a list
of errors with messages (or a page or fragment, never a 500).

Known-bad inputs (20,000-deep JSON, 5 MB strings, NUL, invalid UTF-8, SQL, template and XSS
strings) and generated ones go through the import (paste and file), every composer endpoint,
Additional fields, a JSON-valued field, comments and the sandbox API with and without its
credentials: no server error, no traceback, nothing reflected unescaped, and a refused save keeps
what was typed.
"""

import html
import io
import json
import re
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns import composer, jsonfile, jsonpath, payloads, services
from campaigns.channels import registry
from campaigns.forms import additional, fields
from campaigns.forms.options import NO_OPTIONS
from campaigns.models import Api, Campaign
from campaigns.views import forms as view_forms
from devtools.bench.formdata import submitted_data
from sandbox import api as sandbox_api
from sandbox import limits, testing
from tests.drafts import PUSH_BODY, fresh, new_draft

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
# fuzzed with the page's own data in tests/views/test_fuzz.py).

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


# Known-bad inputs over every page and API that reads what a person or a client sends: no server
# error, no traceback, nothing reflected unescaped, and a refused save keeps what was typed.

DEEP_ARRAY = "[" * 20_000 + "]" * 20_000
DEEP_OBJECT = '{"a": ' * 20_000 + "1" + "}" * 20_000
FIVE_MB = "x" * jsonfile.MAX_BYTES
XSS = '<script>alert("xss")</script>'
XSS_ATTRIBUTE = '"><img src=x onerror=alert(1)>'
# What must never come back unescaped in HTML: the markup the XSS strings carry.
UNESCAPED = ["<script>alert(", "<img src=x onerror"]
HOSTILE = {
    "deep array": DEEP_ARRAY,
    "deep object": DEEP_OBJECT,
    "deep inside a body": '{"name": "Deep", "where": ' + DEEP_OBJECT + "}",
    "deep value": '{"name": "Deep", "where": {"x": ' + DEEP_ARRAY + "}}",
    "5 MB string": json.dumps({"name": FIVE_MB}),
    "5 MB text": FIVE_MB,
    "NUL": "a\x00b",
    "escaped NUL": '{"name": "\\u0000"}',
    "lone surrogate": '{"name": "\\ud800"}',
    "NaN": '{"name": "n", "ttl": NaN}',
    "huge number": '{"name": "n", "ttl": 1e999}',
    "long integer": '{"name": "n", "ttl": ' + "9" * 5000 + "}",
    "SQL": "'; DROP TABLE campaigns_campaign; --",
    "SQL in JSON": json.dumps({"name": "x' OR '1'='1'; DROP TABLE campaigns_campaign; --"}),
    "template": "{{ 7*7 }}",
    "template tag": "{% debug %}",
    "template in JSON": json.dumps({"name": "{% debug %}{{ 7*7 }}", "target_mode": "push"}),
    "XSS": XSS,
    "XSS attribute": XSS_ATTRIBUTE,
    "XSS after a textarea": "</textarea>" + XSS,
    "XSS in JSON": json.dumps(
        {"name": XSS, "target_mode": "push", "content": {"title": XSS_ATTRIBUTE, "body": XSS}}
    ),
    "XSS as a key": json.dumps({XSS: 1, "name": "k"}),
    # JSON paths (a comment's field, the keys of Additional fields) that only look like paths.
    "bad escape in a path": 'content["\\q"]',
    "bad escape in a key": json.dumps({'content["\\q"]': 1}),
    "half a character in a key": json.dumps({'content["\\ud800"]': 1}),
    "long index in a key": json.dumps({"content[" + "9" * 5000 + "]": 1}),
}
INVALID_UTF8 = b'{"name": "\xff\xfe caf\xe9"}'
HOSTILE_BYTES = {
    **{name: text.encode("utf-8") for name, text in HOSTILE.items()},
    "invalid UTF-8": INVALID_UTF8,
}
# Texts whose JSON is too deep for the reader, and what each is called in its message.
TOO_DEEP = ["deep array", "deep object", "deep inside a body", "deep value"]


def test_the_reader_refuses_deep_json_before_the_parser_sees_it(monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("the parser saw it")

    monkeypatch.setattr(json, "loads", parse)
    for text in (DEEP_ARRAY, DEEP_OBJECT, "[" * 20_000):
        with pytest.raises(jsonfile.JsonFileError) as refused:
            jsonfile.load_json_text(text, name="The text")
        assert str(refused.value) == jsonfile.TOO_DEEP.format(
            name="The text", limit=jsonfile.MAX_DEPTH
        )


def test_the_reader_counts_brackets_outside_strings_only():
    limit = jsonfile.MAX_DEPTH
    assert jsonfile.load_json_text("[" * limit + "]" * limit)
    assert not jsonfile.too_deep(json.dumps({"a": "[{" * 1000, "b": '\\"[' * 100}))
    assert jsonfile.too_deep("[" * (limit + 1) + "]" * (limit + 1))
    # An escaped quote does not end a string: these brackets are text.
    assert not jsonfile.too_deep('["a\\"' + "[" * (limit + 1) + '"]')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{oops", "is not valid JSON"),
        ("[NaN]", jsonfile.NOT_A_NUMBER.format(constant="NaN")),
        ("-Infinity", jsonfile.NOT_A_NUMBER.format(constant="-Infinity")),
        ("9" * 5000, jsonfile.TOO_MANY_DIGITS.format(digits=5000, limit=jsonfile.MAX_DIGITS)),
        ('"\\udc00"', jsonfile.LONE_SURROGATE.format(name="The text")),
        ('"\\u0000"', jsonfile.NUL_NOT_ALLOWED),
        ("[-1e999]", jsonfile.NUMBER_TOO_LARGE.format(name="The text")),
    ],
)
def test_the_reader_says_why_in_words(text, message):
    with pytest.raises(jsonfile.JsonFileError, match=re.escape(message)):
        jsonfile.load_json_text(text, name="The text", storable=True)


def test_the_reader_keeps_nul_and_large_numbers_where_nothing_is_stored():
    # The composer shows them (and refuses to save them with its own words).
    assert jsonfile.load_json_text('["\\u0000", 1e999]') == ["\x00", float("inf")]
    assert jsonfile.load_json_text('"\\ud83d\\ude00"') == "😀"


def test_a_path_that_only_looks_like_one_is_not_a_path():
    assert jsonpath.parse_path('content["\\q"]') is None
    assert jsonpath.parse_path('content["\\ud800"]') is None
    assert jsonpath.parse_path("content[" + "9" * 5000 + "]") is None
    assert jsonpath.parse_path('content["a.b"][2]') == ("content", "a.b", 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"name": "n", "ttl": 1e999}', jsonfile.NUMBER_TOO_LARGE.format(name="{path}")),
        ('[{"name": "\\u0000"}]', jsonfile.NUL_NOT_ALLOWED),
        ('{"name": "\\ud800"}', jsonfile.LONE_SURROGATE.format(name="{path}")),
        (DEEP_ARRAY, jsonfile.TOO_DEEP.format(name="{path}", limit=jsonfile.MAX_DEPTH)),
    ],
)
def test_import_campaign_refuses_what_cannot_be_stored_with_a_message(tmp_path, text, message):
    path = tmp_path / "body.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_campaign", str(path), stdout=io.StringIO())
    assert str(refused.value) == message.replace("{path}", str(path))
    assert not Campaign.objects.exists()


def assert_answered(response) -> None:
    """No server error and no traceback; in HTML, nothing hostile unescaped."""
    content = response.content.decode("utf-8", errors="replace")
    assert response.status_code < 500, (response.status_code, content[:300])
    assert "Traceback" not in content and "RecursionError" not in content
    if response.get("Content-Type", "").startswith("text/html"):
        for markup in UNESCAPED:
            assert markup not in content


def kept(response, text: str) -> bool:
    """Whether the answer holds `text` as typed (escaped as HTML, as a form shows it)."""
    return html.escape(text) in response.content.decode()


@pytest.fixture
def hostile_client(client, demo_users):
    client.force_login(get_user_model().objects.get(username="admin"))
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(HOSTILE_BYTES))
def test_the_import_answers_every_known_bad_paste_and_file_in_words(hostile_client, name):
    url = reverse("campaigns:campaign_import")
    raw = HOSTILE_BYTES[name]
    upload = SimpleUploadedFile("body.json", raw, content_type="application/json")
    answers = [hostile_client.post(url, {"file": upload}, follow=True)]
    if name in HOSTILE:
        answers.append(hostile_client.post(url, {"text": HOSTILE[name]}, follow=True))
    for response in answers:
        assert_answered(response)
    if name in TOO_DEEP:
        message = jsonfile.TOO_DEEP.format(name=view_forms.UPLOADED, limit=jsonfile.MAX_DEPTH)
        assert kept(answers[0], message)
        message = jsonfile.TOO_DEEP.format(name=view_forms.PASTED, limit=jsonfile.MAX_DEPTH)
        assert kept(answers[1], message)
        assert kept(answers[1], HOSTILE[name])  # the paste is still there to correct
    assert not Campaign.objects.filter(name__in=["Deep", ""]).exists()


@pytest.mark.django_db
def test_the_import_says_in_words_what_is_wrong_at_the_field(hostile_client):
    url = reverse("campaigns:campaign_import")
    too_large = len(HOSTILE["5 MB string"].encode())
    cases = [
        (
            {"text": HOSTILE["5 MB string"]},
            jsonfile.TOO_LARGE.format(name=view_forms.PASTED, size=too_large, limit=5),
        ),
        (
            {"file": SimpleUploadedFile("b.json", INVALID_UTF8)},
            jsonfile.NOT_UTF8.format(name=view_forms.UPLOADED),
        ),
        ({"text": HOSTILE["escaped NUL"]}, jsonfile.NUL_NOT_ALLOWED),
        ({"text": HOSTILE["NaN"]}, jsonfile.NOT_A_NUMBER.format(constant="NaN")),
    ]
    for data, message in cases:
        response = hostile_client.post(url, data)
        assert response.status_code == 200
        assert kept(response, message)
    assert not Campaign.objects.exists()


def composer_draft(user) -> Campaign:
    """A push draft with a profile filter, so that a JSON-valued field is on the page."""
    where = {
        "common_profile_properties": {
            "profile_fields": [{"name": "Customer Type", "operator": "equals", "value": "Gold"}]
        }
    }
    return new_draft(user, {**PUSH_BODY, "where": where})


def composer_posts(client, campaign: Campaign) -> tuple[dict, list[str]]:
    """The composer form as the browser posts it, and every URL it is posted to."""
    page = client.get(reverse("campaigns:composer", args=[campaign.pk]))
    data = dict(submitted_data(page.content.decode(), form_id="composer-form").lists())
    urls = [
        reverse("campaigns:composer", args=[campaign.pk]),
        reverse("campaigns:composer_preview", args=[campaign.pk]),
        reverse("campaigns:composer_save", args=[campaign.pk]),
        reverse("campaigns:composer_section", args=[campaign.pk, "audience"]),
        reverse("campaigns:composer_target", args=[campaign.pk]),
    ]
    return data, urls


VALUE = "audience-profile_fields-0-value"
EXTRAS = "additional-extras"
NAME = "campaign-name"


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_composer_endpoint_answers_every_known_bad_input(hostile_client, name):
    campaign = composer_draft(get_user_model().objects.get(username="admin"))
    data, urls = composer_posts(hostile_client, campaign)
    assert {VALUE, EXTRAS, NAME} <= set(data)
    text = HOSTILE[name]
    page, preview, save, section, target = urls
    htmx = {"HX-Request": "true"}
    # In the JSON box, a JSON-valued field and a text field at once; for the save, outside the
    # box, so that it can go through.
    everywhere = data | {EXTRAS: [text], VALUE: [text], NAME: [text]}
    for url in (preview, section, target):
        assert_answered(hostile_client.post(url, everywhere, headers=htmx))
    assert_answered(hostile_client.post(page, everywhere))
    assert_answered(hostile_client.post(save, data | {VALUE: [text], NAME: [text]}, headers=htmx))
    no_js_save = hostile_client.post(page, everywhere | {"composer-action": ["save"]})
    assert_answered(no_js_save)
    if no_js_save.status_code == 200:  # refused (else saved and redirected)
        assert kept(no_js_save, text)


@pytest.mark.django_db
def test_a_too_deep_paste_in_the_composer_is_refused_at_its_field_and_kept(hostile_client):
    campaign = composer_draft(get_user_model().objects.get(username="admin"))
    before = fresh(campaign).version
    data, urls = composer_posts(hostile_client, campaign)
    extras_message = jsonfile.TOO_DEEP.format(name=additional.EXTRAS_NAME, limit=jsonfile.MAX_DEPTH)
    value_message = jsonfile.TOO_DEEP.format(name=fields.VALUE_NAME, limit=jsonfile.MAX_DEPTH)

    # Additional fields: the save is refused, the page keeps the text and says why at the box.
    posted = data | {EXTRAS: [DEEP_OBJECT], "composer-action": ["save"]}
    page = hostile_client.post(urls[0], posted)
    assert page.status_code == 200
    assert kept(page, DEEP_OBJECT) and kept(page, extras_message)
    assert kept(page, composer.NOT_SAVED_EXTRAS)
    save = hostile_client.post(urls[2], posted, headers={"HX-Request": "true"})
    assert save.status_code == 200 and kept(save, composer.NOT_SAVED_EXTRAS)
    assert 'id="composer-form"' not in save.content.decode()  # the typed form stays as it is
    assert fresh(campaign).version == before
    preview = hostile_client.post(urls[1], posted, headers={"HX-Request": "true"})
    assert kept(preview, extras_message)

    # A JSON-valued field: the text is kept as typed, and the field says why it is wrong.
    page = hostile_client.post(urls[0], data | {VALUE: [DEEP_ARRAY]})
    assert kept(page, DEEP_ARRAY) and kept(page, value_message)
    hostile_client.post(urls[2], data | {VALUE: [DEEP_ARRAY]}, headers={"HX-Request": "true"})
    page = hostile_client.get(reverse("campaigns:composer", args=[campaign.pk]))
    assert kept(page, DEEP_ARRAY) and kept(page, value_message)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(HOSTILE))
def test_comments_answer_every_known_bad_text(hostile_client, name):
    campaign = new_draft(get_user_model().objects.get(username="admin"))
    url = reverse("campaigns:comments", args=[campaign.pk])
    for headers in ({"HX-Request": "true"}, {}):
        data = {"comment-text": HOSTILE[name], "comment-path": HOSTILE[name][:300]}
        response = hostile_client.post(url, data, headers=headers, follow=True)
        assert_answered(response)
    assert_answered(hostile_client.get(reverse("campaigns:review", args=[campaign.pk])))


@pytest.fixture
def sandbox_ready(db, settings):
    """The sandbox API with a small audience, and no create rate limit (many creates here)."""
    settings.SANDBOX_CREATE_PER_SECOND = 0
    testing.sandbox_reset()
    testing.audience_small(profiles=20)
    yield
    limits.limits_reset()


SANDBOX_PATHS = ["targets/create.json", "send/push.json"]
CREDENTIALS = {
    "with credentials": testing.client_headers(),
    "without headers": {},
    "with a wrong passcode": {**testing.client_headers(), "HTTP_X_CLEVERTAP_PASSCODE": "wrong"},
    "with a hostile account id": {
        **testing.client_headers(),
        "HTTP_X_CLEVERTAP_ACCOUNT_ID": "a\x00" + XSS,
    },
}


def sandbox_post(client, path: str, raw: bytes, headers: dict):
    return client.post(f"/sandbox/1/{path}", data=raw, content_type="application/json", **headers)


@pytest.mark.parametrize("name", list(HOSTILE_BYTES))
def test_the_sandbox_api_answers_every_known_bad_body_with_the_envelope(
    client, sandbox_ready, name
):
    client.raise_request_exception = False
    raw = HOSTILE_BYTES[name]
    for path in [*SANDBOX_PATHS, "targets/%00.json"]:
        for credentials, headers in CREDENTIALS.items():
            response = sandbox_post(client, path, raw, headers)
            assert_answered(response)
            answer = response.json()
            assert answer["status"] in ("success", "fail"), answer
            if credentials != "with credentials" or path not in SANDBOX_PATHS:
                assert response.status_code == 401
                assert answer["error"] == sandbox_api.ERROR_INVALID_CREDENTIALS
            elif name in TOO_DEEP:
                message = jsonfile.TOO_DEEP.format(
                    name=sandbox_api.BODY_NAME, limit=jsonfile.MAX_DEPTH
                )
                assert response.status_code == 400
                assert answer == {"status": "fail", "error": message, "code": 400}


# Generated input: nesting of any depth, garbled known-bad texts and arbitrary text or bytes.

KNOWN_SMALL = [text for text in HOSTILE.values() if len(text) < 100_000]
nested = st.integers(0, 30_000).flatmap(
    lambda depth: st.sampled_from(
        ["[" * depth + "]" * depth, '{"a":' * depth + "0" + "}" * depth, "[" * depth]
    )
)
hostile_texts = st.one_of(
    st.text(max_size=200),
    st.sampled_from(KNOWN_SMALL),
    nested,
    st.tuples(st.sampled_from(KNOWN_SMALL), st.integers(0, 50), st.text(max_size=10)).map(
        lambda parts: parts[0][: parts[1]] + parts[2] + parts[0][parts[1] :]
    ),
    json_bodies.map(json.dumps),
)
hostile_bytes = st.one_of(hostile_texts.map(str.encode), st.binary(max_size=200))


@FUZZ
@given(text=hostile_texts)
def test_the_reader_answers_a_document_or_a_message_for_any_text(text):
    try:
        document = jsonfile.load_json_text(text, name="The text", storable=True)
    except jsonfile.JsonFileError as error:
        assert str(error).strip()
        return
    assert document == json.loads(text)
    assert not jsonfile.has_nul(document)


@pytest.mark.django_db
def test_the_import_and_the_sandbox_answer_any_text_or_bytes(hostile_client, sandbox_ready):
    url = reverse("campaigns:campaign_import")

    @FUZZ
    @given(raw=hostile_bytes, path=st.sampled_from(SANDBOX_PATHS))
    def post(raw, path):
        upload = SimpleUploadedFile("body.json", raw)
        assert_answered(hostile_client.post(url, {"file": upload}))
        text = raw.decode("utf-8", errors="replace")
        assert_answered(hostile_client.post(url, {"text": text}))
        answer = sandbox_post(hostile_client, path, raw, testing.client_headers())
        assert_answered(answer)
        assert answer.json()["status"] in ("success", "fail")

    post()


@pytest.mark.django_db
def test_the_composer_answers_any_text_in_its_json_fields(hostile_client):
    campaign = composer_draft(get_user_model().objects.get(username="admin"))
    data, urls = composer_posts(hostile_client, campaign)

    @FUZZ
    @given(
        text=hostile_texts,
        field=st.sampled_from([EXTRAS, VALUE, NAME]),
        url=st.sampled_from(urls),
    )
    def post(text, field, url):
        response = hostile_client.post(url, data | {field: [text]}, headers={"HX-Request": "true"})
        assert_answered(response)

    post()
