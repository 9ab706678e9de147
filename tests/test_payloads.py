import pytest

from campaigns import payloads
from campaigns.channels import email, push, sms
from campaigns.forms import campaign as campaign_forms
from campaigns.forms import fields
from campaigns.forms.additional import AdditionalFieldsForm
from campaigns.forms.options import NO_OPTIONS
from campaigns.jsonpath import same_json
from campaigns.models import Api
from tests import payload_checks
from tests.payload_checks import through_the_browser
from tests.reference_examples import reference_examples

EXAMPLES = reference_examples()


def messages(errors, where=None):
    return [e.message for e in errors if where is None or e.where == where]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_reference_example_round_trips_through_the_forms_as_a_browser_posts_them(example):
    # As a draft keeps it: estimate_only dropped, and (16 and 17) `latitiude` written `latitude`.
    api, channel = payloads.infer_target(example.body, example.endpoint)
    rebuilt = through_the_browser(example.body, api=api, channel=channel)
    assert same_json(rebuilt, payload_checks.as_drafted(example.body))


def test_only_the_misspelt_latitude_changes_a_reference_example_on_its_way_through():
    changed = [
        example.name
        for example in EXAMPLES
        if not same_json(
            payload_checks.as_drafted(example.body),
            payload_checks.without_estimate_only(example.body),
        )
    ]
    assert changed == [
        "16_targets_whatsapp_interactive_location.json",
        "17_targets_whatsapp_interactive_location_buttons.json",
    ]


# A value set in Additional fields for a field the form has (issue 18, item 6).

EMAIL = {
    "name": "x",
    "target_mode": "email",
    "where": {},
    "when": "now",
    "content": {"subject": "Hi", "body": "<p>b</p>", "sender_name": "Shop"},
}


def errors_with_extras(body: dict, extras: dict, *, channel: str) -> tuple[dict, list]:
    """The body and errors of forms bound to `body`, with `extras` typed in Additional fields."""
    parsed = payloads.parse_body(body, api=Api.TARGETS, channel=channel)
    forms = payloads.bind_forms(parsed.data, api=Api.TARGETS, channel=channel)
    built = payloads.build_body(forms, extras)
    return built, payloads.form_errors(forms, extras, body=built, api=Api.TARGETS, channel=channel)


def test_a_field_set_in_additional_fields_is_said_to_be_set_there_not_of_a_wrong_type():
    built, errors = errors_with_extras(
        EMAIL, {("content", "subject"): "Overridden"}, channel="email"
    )
    assert built["content"]["subject"] == "Overridden"
    message = payloads.EXTRAS_OVER_FIELD.format(label="Subject", path="content.subject")
    assert [(e.where, e.message, e.field) for e in errors] == [
        ("content.subject", message, AdditionalFieldsForm.FIELD)
    ]
    assert "must be text" not in message


def test_a_value_of_the_wrong_type_in_additional_fields_is_still_called_so():
    _, errors = errors_with_extras(EMAIL, {("content", "subject"): 42}, channel="email")
    assert messages(errors, "content.subject") == ["Subject must be text, not 42."]


def test_a_text_its_one_line_input_cannot_show_is_said_to_be_so():
    body = EMAIL | {"content": EMAIL["content"] | {"subject": "Two\nlines"}}
    errors = payloads.body_errors(body, api=Api.TARGETS, channel="email", options=NO_OPTIONS)
    assert messages(errors, "content.subject") == [fields.TEXT_NOT_SHOWN.format(label="Subject")]
    assert payload_checks.round_trips(body, api=Api.TARGETS, channel="email")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_reference_example_is_read_by_its_forms_not_kept_aside(example):
    api, channel = payloads.infer_target(example.body, example.endpoint)
    parsed = payloads.parse_body(example.body, api=api, channel=channel)
    assert not any("could not be shown in the form" in notice for notice in parsed.notices)
    assert ("content",) not in parsed.extras


def test_estimate_only_is_dropped_on_import_with_a_notice():
    body = {"name": "x", "target_mode": "sms", "estimate_only": True, "content": {"body": "b"}}
    parsed = payloads.parse_body(body, api=Api.TARGETS, channel="sms")
    assert payloads.ESTIMATE_ONLY_DROPPED.format(value="true") in parsed.notices
    forms = payloads.bind_forms(parsed.data, api=Api.TARGETS, channel="sms")
    assert "estimate_only" not in payloads.build_body(forms, parsed.extras)


def test_unmodelled_key_is_kept_and_a_near_miss_gets_a_did_you_mean_hint():
    body = {"name": "x", "target_mode": "email", "content": {"subjct": "Hi", "body": "<p>b</p>"}}
    parsed = payloads.parse_body(body, api=Api.TARGETS, channel="email")
    assert parsed.extras == {("content", "subjct"): "Hi"}
    assert payloads.EXTRAS_HINT.format(path="content.subjct", suggestion="content.subject") in (
        parsed.notices
    )
    assert payload_checks.round_trips(body, api=Api.TARGETS, channel="email")


def test_a_value_of_the_wrong_type_is_kept_and_reported_with_its_api_code():
    body = {"name": "x", "target_mode": "sms", "respect_frequency_caps": "no"}
    errors = payloads.body_errors(body, api=Api.TARGETS, channel="sms", options=NO_OPTIONS)
    error = next(e for e in errors if e.where == "respect_frequency_caps")
    assert error.message == campaign_forms.RESPECT_FREQUENCY_CAPS_NOT_BOOLEAN
    assert error.code == 73
    assert payload_checks.round_trips(body, api=Api.TARGETS, channel="sms")


def test_an_invalid_choice_stays_in_the_draft_and_is_reported():
    body = {"name": "x", "target_mode": "pigeon", "content": {"body": "b"}}
    assert messages(
        payloads.body_errors(body, api=Api.TARGETS, channel="sms", options=NO_OPTIONS),
        "target_mode",
    )
    assert payload_checks.round_trips(body, api=Api.TARGETS, channel="sms")


def test_a_body_that_is_not_an_object_is_one_clear_error():
    errors = payloads.body_errors([1, 2], api=Api.TARGETS, channel="sms", options=NO_OPTIONS)
    assert messages(errors) == [payloads.NOT_AN_OBJECT.format(kind="a list")]


def test_targets_body_needs_a_name_and_no_channel():
    errors = payloads.body_errors({}, api=Api.TARGETS, channel="push", options=NO_OPTIONS)
    assert campaign_forms.NAME_REQUIRED in messages(errors, "name")
    # Without target_mode the body is push, as CleverTap reads it.
    assert messages(errors, "target_mode") == []


def test_an_empty_target_mode_names_no_channel():
    body = {"name": "x", "target_mode": "", "where": {}, "content": {"title": "t", "body": "b"}}
    errors = payloads.body_errors(body, api=Api.TARGETS, channel="push", options=NO_OPTIONS)
    assert messages(errors, "target_mode") == [campaign_forms.TARGET_MODE_EMPTY]


def test_a_targets_body_without_target_mode_is_push():
    body = {"name": "x", "where": {}, "when": "now", "content": {"title": "t", "body": "b"}}
    assert payloads.infer_target(body) == (Api.TARGETS, "push")
    assert payloads.infer_target(body, "targets/create.json") == (Api.TARGETS, "push")
    assert payloads.body_errors(body, api=Api.TARGETS, channel="push", options=NO_OPTIONS) == []
    assert payload_checks.round_trips(body, api=Api.TARGETS, channel="push")


def test_an_email_body_without_target_mode_fails_with_push_errors():
    body = {
        "name": "x",
        "where": {},
        "when": "now",
        "content": {"subject": "Hello", "body": "<p>Hi</p>", "sender_name": "Shop"},
    }
    api, channel = payloads.infer_target(body, "targets/create.json")
    errors = payloads.body_errors(body, api=api, channel=channel, options=NO_OPTIONS)
    assert [(e.where, e.message, e.api_message) for e in errors] == [
        ("content.title", push.TITLE_REQUIRED, push.API_TITLE_EMPTY)
    ]


def test_tag_group_must_be_text_with_code_76():
    body = {"to": {"Email": ["a@example.com"]}, "tag_group": 5, "content": {"body": "b"}}
    error = next(
        e for e in payloads.body_errors(body, api=Api.SEND, channel="sms", options=NO_OPTIONS)
    )
    assert (error.where, error.message, error.code) == (
        "tag_group",
        campaign_forms.TAG_GROUP_NOT_STRING,
        76,
    )


@pytest.mark.parametrize(
    "missing, message",
    [
        ("subject", email.SUBJECT_REQUIRED),
        ("body", email.BODY_REQUIRED),
        ("sender_name", email.SENDER_REQUIRED),
    ],
)
def test_email_needs_subject_body_and_sender(missing, message):
    content = {"subject": "s", "body": "<p>b</p>", "sender_name": "n"}
    del content[missing]
    body = {"name": "x", "target_mode": "email", "where": {}, "when": "now", "content": content}
    assert messages(
        payloads.body_errors(body, api=Api.TARGETS, channel="email", options=NO_OPTIONS)
    ) == [message]


def test_sms_needs_a_body_and_a_provider():
    body = {"name": "x", "target_mode": "sms", "content": {}}
    errors = payloads.body_errors(body, api=Api.TARGETS, channel="sms", options=NO_OPTIONS)
    assert sms.BODY_REQUIRED in messages(errors, "content.body")
    assert sms.PROVIDER_REQUIRED in messages(errors, "provider_nick_name")


def test_sms_message_info_is_keyed_by_a_numeric_provider_id():
    body = {
        "name": "x",
        "target_mode": "sms",
        "provider_nick_name": "p",
        "content": {"body": "b", "message_info": {"abc": {"template_id": "t"}}},
    }
    errors = payloads.body_errors(body, api=Api.TARGETS, channel="sms", options=NO_OPTIONS)
    assert messages(errors, "content.message_info.abc") == [sms.PROVIDER_ID_NOT_NUMERIC]
    assert payload_checks.round_trips(body, api=Api.TARGETS, channel="sms")


@pytest.mark.parametrize(
    "endpoint, expected",
    [
        ("targets/create.json", ("targets", None)),
        ("/1/send/sms.json", ("send", "sms")),
        ("send/whatsapp.json", ("send", "whatsapp")),
    ],
)
def test_endpoints_parse(endpoint, expected):
    assert payloads.parse_endpoint(endpoint) == expected


@pytest.mark.parametrize("endpoint", ["send/webhook.json", "targets/stop.json", "nope"])
def test_unknown_endpoints_are_refused(endpoint):
    with pytest.raises(ValueError, match="Unknown endpoint"):
        payloads.parse_endpoint(endpoint)


def test_a_send_body_that_fits_push_and_webpush_needs_its_endpoint():
    body = {"to": {"Identity": ["a"]}, "content": {"title": "t", "body": "b"}}
    with pytest.raises(ValueError, match="several channels"):
        payloads.infer_target(body)
    assert payloads.infer_target(body, "send/webpush.json") == ("send", "webpush")
