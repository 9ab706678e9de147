import copy
import dataclasses
import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import payloads
from campaigns.channels import whatsapp
from campaigns.forms import base, whatsapp_templates
from campaigns.forms.options import AccountOptions, WhatsAppTemplateOption
from campaigns.models import Api, WhatsAppTemplate, account
from devtools import demo
from devtools.bench.formdata import submitted_data
from tests import payload_checks
from tests.reference_examples import reference_example, reference_examples
from tests.strategies import line, paragraph

OWN_KEYS = {"provider_nick_name", "message_id", "respect_communication_preference", "content"}
WHATSAPP_EXAMPLES = [e for e in reference_examples() if e.channel == "whatsapp"]

OTP = WhatsAppTemplateOption(
    name="otp",
    locale="en",
    header_type="text",
    header_placeholders=1,
    body_placeholders=2,
    button_placeholders=(1,),
)
PLAIN = WhatsAppTemplateOption(
    name="plain",
    locale="en",
    header_type="",
    header_placeholders=0,
    body_placeholders=0,
    button_placeholders=(),
)
OPTIONS = AccountOptions(providers={"whatsapp": ("Provider_1",)}, whatsapp_templates=(OTP, PLAIN))


def targets_body(**content) -> dict:
    return {
        "name": "x",
        "target_mode": "whatsapp",
        "provider_nick_name": "Provider_1",
        "content": {
            "template_name": "otp",
            "locale": "en",
            "header": {"type": "text", "replacements": ["Ann"]},
            "body": {"replacements": ["1234", "5 minutes"]},
            "buttons": [{"replacements": ["abc"]}],
        }
        | content,
    }


def template_body(**template) -> dict:
    return {
        "to": {"Identity": ["a"]},
        "provider_nick_name": "Provider_1",
        "message_id": "m1",
        "respect_communication_preference": True,
        "content": {
            "message_type": "template",
            "template": {
                "template_name": "otp",
                "language": "en",
                "header": {"type": "text", "replacements": ["Ann"]},
                "body": {"type": "text", "replacements": ["1234", "5 minutes"]},
                "buttons": [{"replacements": ["abc"]}],
            }
            | template,
        },
    }


def freeform_body(body: dict) -> dict:
    return {
        "to": {"Identity": ["a"]},
        "provider_nick_name": "Provider_1",
        "message_id": "m1",
        "content": {"message_type": "freeform", "freeform": {"body": body}},
    }


WHATSAPP = payload_checks.ChannelChecks(
    "whatsapp", whatsapp.WhatsAppContentForm, tuple(OWN_KEYS), OPTIONS
)
errors, own_extras = WHATSAPP.errors, WHATSAPP.extras
assert_round_trips = WHATSAPP.assert_round_trips


def bound_form(body, *, api=Api.TARGETS, options=OPTIONS):
    parsed = payloads.parse_body(body, api=api, channel="whatsapp")
    return payloads.bind_forms(parsed.data, api=api, channel="whatsapp", options=options)["content"]


# The reference examples.


@pytest.mark.parametrize("example", WHATSAPP_EXAMPLES, ids=lambda example: example.name)
def test_reference_whatsapp_content_is_read_by_the_form(example):
    api, _ = payloads.infer_target(example.body, example.endpoint)
    assert set(own_extras(example.body, api=api)) <= {
        ("content", "language"),  # 33 and 34: not where the page documents it
        ("content", "message_id"),  # 40: not a documented key
    }


MISSPELT_NOTICE = payloads.MISSPELT_NOTICE.format(
    path="content.header.media.latitiude",
    right_path="content.header.media.latitude",
    right="latitude",
    key="latitiude",
)


@pytest.mark.parametrize("name", ["16_", "17_"])
def test_the_misspelt_latitude_is_read_as_the_latitude_written_right_and_said(name):
    # NOTES.md: accept the page's `latitiude` on import, write `latitude` and say so.
    example = next(e for e in WHATSAPP_EXAMPLES if e.name.startswith(name))
    parsed = payloads.parse_body(example.body, api=Api.TARGETS, channel="whatsapp")
    assert parsed.data["content-header_latitude"] == "32.123"
    assert parsed.extras == {}
    dropped = payloads.ESTIMATE_ONLY_DROPPED.format(value="false")
    assert parsed.notices == [dropped, MISSPELT_NOTICE]
    media = parsed.body["content"]["header"]["media"]
    assert list(media) == ["latitude", "longitude", "name", "address"]  # in its place
    assert "latitiude" in example.body["content"]["header"]["media"]  # the example is untouched
    assert errors(example.body, options=AccountOptions()) == []
    assert payload_checks.through_the_browser(
        example.body, api=Api.TARGETS, channel="whatsapp"
    ) == payload_checks.as_drafted(example.body)


LOCATION_MISSPELT = {"type": "location", "media": {"latitiude": 1.5, "longitude": 2.5}}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (template_body(header=LOCATION_MISSPELT), "content.template.header.media"),
        (freeform_body(LOCATION_MISSPELT), "content.freeform.body.media"),
    ],
    ids=["template", "freeform"],
)
def test_the_misspelt_latitude_is_read_in_send_bodies_too(body, where):
    parsed = payloads.parse_body(body, api=Api.SEND, channel="whatsapp")
    notice = payloads.MISSPELT_NOTICE.format(
        path=f"{where}.latitiude", right_path=f"{where}.latitude", right="latitude", key="latitiude"
    )
    assert parsed.notices == [notice]
    assert parsed.extras == {}
    assert payload_checks.through_the_browser(
        body, api=Api.SEND, channel="whatsapp"
    ) == payload_checks.as_drafted(body)


def test_a_latitiude_beside_a_latitude_stays_aside_as_it_was():
    example = next(e for e in WHATSAPP_EXAMPLES if e.name.startswith("16_"))
    body = copy.deepcopy(example.body)
    body["content"]["header"]["media"]["latitude"] = 10.5
    parsed = payloads.parse_body(body, api=Api.TARGETS, channel="whatsapp")
    assert parsed.extras == {("content", "header", "media", "latitiude"): 32.123}
    assert MISSPELT_NOTICE not in parsed.notices
    assert_round_trips(payload_checks.without_estimate_only(body))


def test_the_send_examples_break_only_the_message_id_limit():
    for example in WHATSAPP_EXAMPLES:
        if example.endpoint != "send/whatsapp.json" or "language" in example.body["content"]:
            continue
        found = errors(example.body, api=Api.SEND, options=AccountOptions())
        if len(example.body["message_id"]) > 8:
            assert found == [("message_id", whatsapp.MESSAGE_ID_TOO_LONG, 89)], example.name
        else:
            assert found == [], example.name


def test_a_language_at_the_content_level_is_kept_and_pointed_at():
    example = next(e for e in WHATSAPP_EXAMPLES if e.name.startswith("33_"))
    body = example.body | {"message_id": "m1"}
    assert errors(body, api=Api.SEND, options=AccountOptions()) == [
        ("content.template.language", whatsapp.LANGUAGE_MISPLACED, None)
    ]
    assert_round_trips(body, api=Api.SEND)


# Valid bodies.


def test_a_complete_create_body_is_valid():
    assert errors(targets_body()) == []


def test_a_complete_template_message_is_valid():
    assert errors(template_body(), api=Api.SEND) == []


def test_a_template_without_placeholders_sends_an_empty_body_list():
    body = targets_body(template_name="plain", body={"replacements": []})
    del body["content"]["header"], body["content"]["buttons"]
    assert errors(body) == []
    assert_round_trips(body)


def test_a_fresh_freeform_draft_gains_no_template_part():
    body = freeform_body({"type": "text", "text": "Hi"})
    assert errors(body, api=Api.SEND) == []
    assert_round_trips(body, api=Api.SEND)


# Provider.


@pytest.mark.parametrize("api", [Api.TARGETS, Api.SEND])
def test_it_needs_a_provider(api):
    body = targets_body() if api == Api.TARGETS else template_body()
    del body["provider_nick_name"]
    assert errors(body, api=api) == [("provider_nick_name", whatsapp.PROVIDER_REQUIRED, 89)]


def test_the_provider_must_be_one_of_the_accounts():
    body = targets_body() | {"provider_nick_name": "Other"}
    assert errors(body) == [("provider_nick_name", whatsapp.PROVIDER_UNKNOWN, 89)]


def test_any_provider_is_accepted_when_the_account_lists_none():
    body = targets_body() | {"provider_nick_name": "Other"}
    assert errors(body, options=AccountOptions(whatsapp_templates=(OTP,))) == []


# Message id and message type (send).


def test_it_needs_a_message_id():
    body = template_body()
    del body["message_id"]
    assert errors(body, api=Api.SEND) == [("message_id", whatsapp.MESSAGE_ID_REQUIRED, 89)]


def test_a_message_id_has_at_most_8_characters():
    body = template_body() | {"message_id": "123456789"}
    assert errors(body, api=Api.SEND) == [("message_id", whatsapp.MESSAGE_ID_TOO_LONG, 89)]
    assert errors(template_body() | {"message_id": "12345678"}, api=Api.SEND) == []


@pytest.mark.parametrize("value", ["Freeform", "text", None])
def test_the_message_type_is_template_or_freeform(value):
    body = template_body()
    if value is None:
        del body["content"]["message_type"]
    else:
        body["content"]["message_type"] = value
    assert errors(body, api=Api.SEND) == [
        ("content.message_type", whatsapp.MESSAGE_TYPE_INVALID, 89)
    ]
    assert_round_trips(body, api=Api.SEND)


def test_a_message_type_that_is_not_text_is_kept_and_reported_with_code_76():
    body = template_body()
    body["content"]["message_type"] = 1
    assert errors(body, api=Api.SEND) == [
        ("content.message_type", whatsapp.MESSAGE_TYPE_NOT_STRING, 76)
    ]
    assert_round_trips(body, api=Api.SEND)


def test_a_template_message_has_no_freeform_part():
    body = template_body()
    body["content"]["freeform"] = {"body": {"type": "text", "text": "Hi"}}
    assert errors(body, api=Api.SEND) == [
        ("content.message_type", whatsapp.FREEFORM_PART_IN_TEMPLATE, None)
    ]


def test_a_freeform_message_has_no_template_part():
    body = freeform_body({"type": "text", "text": "Hi"})
    body["content"]["template"] = {"template_name": "otp", "body": {"replacements": []}}
    assert errors(body, api=Api.SEND) == [
        ("content.message_type", whatsapp.TEMPLATE_PART_IN_FREEFORM, None)
    ]
    assert_round_trips(body, api=Api.SEND)


# Template or freeform: one choice that hides and clears the other.

FREEFORM_TEXT = {"freeform_type": "text", "freeform_text": "Hi"}


def send_page_after(body, **changes):
    """The send content form as the page shows it once the person changed `changes` in the page
    of `body`, and what a browser then posts for it."""
    page = payload_checks.rendered_forms_html(body, api=Api.SEND, channel="whatsapp")
    data = submitted_data(page)
    for name, value in changes.items():
        data[f"content-{name}"] = value
    form = payloads.bind_forms(data, api=Api.SEND, channel="whatsapp", options=OPTIONS)["content"]
    html = render_to_string("campaigns/_payload_form.html", {"form": form})
    return html, submitted_data(html)


def content_and_problems(posted):
    form = payloads.bind_forms(posted, api=Api.SEND, channel="whatsapp", options=OPTIONS)["content"]
    return form.to_json()["content"], [(e.where, e.message) for e in form.path_errors()]


class HiddenInputs(HTMLParser):
    """The names of the inputs inside hidden containers (void elements aside, tags nest)."""

    VOID = {"input", "br", "hr", "img", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.open: list[bool] = []
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hidden = any(self.open) or "hidden" in attrs
        if tag in {"input", "select", "textarea"} and hidden and attrs.get("type") != "hidden":
            self.names.add(attrs["name"].removeprefix("content-"))
        if tag not in self.VOID:
            self.open.append("hidden" in attrs)

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.open.pop()


def hidden_part(html):
    parser = HiddenInputs()
    parser.feed(html)
    return parser.names


def test_a_freeform_send_body_carries_no_template_part():
    _, posted = send_page_after(template_body(), message_type="freeform", **FREEFORM_TEXT)
    content, problems = content_and_problems(posted)
    assert content == {
        "message_type": "freeform",
        "freeform": {"body": {"type": "text", "text": "Hi"}},
    }
    assert problems == []


def test_template_fields_hidden_by_freeform_stay_in_the_page_and_come_back():
    html, posted = send_page_after(template_body(), message_type="freeform", **FREEFORM_TEXT)
    assert {"template_name", "language", "body_replacements"} <= hidden_part(html)
    assert not {"freeform_type", "freeform_text"} & hidden_part(html)
    assert base.HIDDEN_HELP in html
    assert posted["content-template_name"] == "otp"
    posted["content-message_type"] = "template"
    content, problems = content_and_problems(posted)
    assert content == template_body()["content"]
    assert problems == []


def test_a_template_message_leaves_out_a_typed_freeform_part():
    html, posted = send_page_after(freeform_body({"type": "text", "text": "Hi"}))
    assert "template_name" in hidden_part(html)
    posted["content-message_type"] = "template"
    posted["content-template_name"] = "plain"
    content, _ = content_and_problems(posted)
    assert "freeform" not in content and content["template"]["template_name"] == "plain"


def test_a_body_read_with_both_kinds_keeps_both_until_the_box_is_unticked():
    body = freeform_body({"type": "text", "text": "Hi"})
    body["content"]["template"] = {"template_name": "otp", "body": {"replacements": []}}
    html, posted = send_page_after(body)
    assert base.KEEP_AS_READ in html and not hidden_part(html)
    assert content_and_problems(posted)[0] == body["content"]
    del posted["content-message_type_kept"]
    content, problems = content_and_problems(posted)
    assert content == freeform_body({"type": "text", "text": "Hi"})["content"]
    assert problems == []


# Template, locale and language.


def test_create_needs_a_template_name():
    body = targets_body()
    del body["content"]["template_name"]
    assert errors(body, options=AccountOptions()) == [
        ("content.template_name", whatsapp.TEMPLATE_NAME_REQUIRED, 89)
    ]


def test_a_template_message_needs_a_template_name():
    body = template_body()
    del body["content"]["template"]["template_name"]
    assert errors(body, api=Api.SEND, options=AccountOptions()) == [
        ("content.template.template_name", whatsapp.TEMPLATE_NAME_REQUIRED, 89)
    ]


def test_create_needs_a_locale():
    body = targets_body()
    del body["content"]["locale"]
    assert errors(body) == [("content.locale", whatsapp.LOCALE_REQUIRED, None)]


def test_a_template_message_needs_a_language():
    body = template_body()
    del body["content"]["template"]["language"]
    assert errors(body, api=Api.SEND) == [
        ("content.template.language", whatsapp.LANGUAGE_REQUIRED, None)
    ]


def test_a_template_body_is_of_type_text():
    body = template_body()
    del body["content"]["template"]["body"]["type"]
    assert errors(body, api=Api.SEND) == [
        ("content.template.body.type", whatsapp.BODY_TYPE_REQUIRED, None)
    ]
    body["content"]["template"]["body"]["type"] = "html"
    assert errors(body, api=Api.SEND) == [
        ("content.template.body.type", whatsapp.BODY_TYPE_UNKNOWN % {"value": "html"}, None)
    ]


def test_the_template_must_be_one_of_the_accounts():
    body = targets_body(template_name="welcome")
    assert errors(body) == [("content.template_name", whatsapp.TEMPLATE_NOT_FOUND, 89)]


def test_any_template_is_accepted_when_the_account_lists_none():
    body = targets_body(template_name="welcome")
    assert errors(body, options=AccountOptions()) == []


def test_the_locale_must_be_one_the_template_has():
    body = targets_body(locale="fr")
    message = whatsapp.LOCALE_NOT_FOUND.format(name="otp", locale="fr", known="en")
    assert errors(body) == [("content.locale", message, None)]


# Replacements against the template's placeholders.


@pytest.mark.parametrize(
    "part, where, count",
    [
        ("body", "content.body.replacements", 2),
        ("header", "content.header.replacements", 1),
    ],
)
def test_create_replacements_match_the_templates_placeholders(part, where, count):
    body = targets_body()
    body["content"][part]["replacements"].append("extra")
    message = whatsapp.REPLACEMENTS_COUNT.format(part=part, count=count)
    assert errors(body) == [(where, message, 89)]


def test_a_buttons_replacements_match_its_placeholders():
    body = template_body(buttons=[{"replacements": ["a", "b"]}])
    message = whatsapp.REPLACEMENTS_COUNT.format(part="button", count=1)
    assert errors(body, api=Api.SEND) == [("content.template.buttons[0].replacements", message, 89)]


def test_a_missing_button_with_placeholders_is_reported_at_the_buttons():
    body = targets_body()
    del body["content"]["buttons"]
    message = whatsapp.REPLACEMENTS_COUNT.format(part="button", count=1)
    assert errors(body) == [("content.buttons", message, None)]


def test_a_send_template_body_count_is_checked_too():
    body = template_body(body={"type": "text", "replacements": ["only one"]})
    message = whatsapp.REPLACEMENTS_COUNT.format(part="body", count=2)
    assert errors(body, api=Api.SEND) == [("content.template.body.replacements", message, 89)]


def test_the_form_shows_how_many_values_the_chosen_template_needs():
    form = bound_form(targets_body())
    assert form.template_option == OTP
    said = whatsapp_templates.PLACEHOLDERS_HELP
    assert form.fields["body_replacements"].help_text == said.format(
        count=2, part="body", plural="s"
    )
    assert form.fields["header_replacements"].help_text == said.format(
        count=1, part="header", plural=""
    )
    button = form.formsets["buttons"].forms[0]
    assert button.expected_replacements == 1
    plain = bound_form(targets_body(template_name="plain"))
    none = whatsapp_templates.NO_PLACEHOLDERS_HELP
    assert plain.fields["body_replacements"].help_text == none.format(part="body")


def test_an_unknown_template_shows_no_counts():
    assert bound_form(targets_body(template_name="welcome")).template_option is None


# Header.


@pytest.mark.parametrize("kind", ["image", "video", "document"])
def test_a_media_header_needs_its_link(kind):
    body = targets_body(template_name="x", header={"type": kind, "media": {}})
    assert errors(body, options=AccountOptions()) == [
        ("content.header.media.url", whatsapp.HEADER_MEDIA_REQUIRED, None)
    ]


def test_header_parts_need_a_header_type():
    body = targets_body(template_name="x", header={"media": {"url": "https://e.com/a.jpg"}})
    assert errors(body, options=AccountOptions()) == [
        ("content.header.type", whatsapp.HEADER_TYPE_REQUIRED, None)
    ]


def test_an_unknown_header_type_is_reported_and_kept():
    body = targets_body(template_name="x", header={"type": "sticker"})
    assert errors(body, options=AccountOptions()) == [
        ("content.header.type", whatsapp.HEADER_TYPE_UNKNOWN % {"value": "sticker"}, None)
    ]
    assert_round_trips(body)


def test_only_a_text_header_takes_replacements():
    header = {"type": "image", "media": {"url": "https://e.com/a.jpg"}, "replacements": ["a"]}
    body = targets_body(template_name="x", header=header)
    assert errors(body, options=AccountOptions()) == [
        ("content.header.replacements", whatsapp.HEADER_REPLACEMENTS_NOT_TEXT, 89)
    ]
    assert_round_trips(body)


def test_a_text_header_keeps_an_empty_replacement_list():
    body = targets_body(template_name="x", header={"type": "text", "replacements": []})
    assert errors(body, options=AccountOptions()) == []
    assert own_extras(body) == {}
    assert_round_trips(body)


@pytest.mark.parametrize(
    "template, header, message",
    [
        (OTP, {"type": "image", "media": {"url": "u"}}, "mismatch"),
        (PLAIN, {"type": "text", "replacements": []}, whatsapp.HEADER_NOT_IN_TEMPLATE),
        (OTP, None, whatsapp.HEADER_REQUIRED_BY_TEMPLATE.format(expected="text")),
    ],
)
def test_the_header_matches_the_templates(template, header, message):
    if message == "mismatch":
        message = whatsapp.HEADER_TYPE_MISMATCH.format(expected="text", actual="image")
    body = targets_body(template_name=template.name, header=header)
    if header is None:
        del body["content"]["header"]
    options = AccountOptions(whatsapp_templates=(template,))
    found = [e for e in errors(body, options=options) if e[0] == "content.header.type"]
    assert found == [("content.header.type", message, None)]


@pytest.mark.parametrize(
    "missing, where, message",
    [
        ("latitude", "content.header.media.latitude", whatsapp.LATITUDE_REQUIRED),
        ("longitude", "content.header.media.longitude", whatsapp.LONGITUDE_REQUIRED),
    ],
)
def test_a_location_header_needs_latitude_and_longitude(missing, where, message):
    media = {"latitude": 16.01, "longitude": 80.82, "name": "Home", "address": "Main St"}
    del media[missing]
    body = targets_body(template_name="x", header={"type": "location", "media": media})
    assert errors(body, options=AccountOptions()) == [(where, message, None)]


@pytest.mark.parametrize(
    "media, where, message",
    [
        ({"latitude": 91, "longitude": 0}, "latitude", whatsapp.LATITUDE_RANGE),
        ({"latitude": 0, "longitude": -181}, "longitude", whatsapp.LONGITUDE_RANGE),
    ],
)
def test_a_location_is_on_the_globe(media, where, message):
    body = template_body(template_name="x", header={"type": "location", "media": media})
    assert errors(body, api=Api.SEND, options=AccountOptions()) == [
        (f"content.template.header.media.{where}", message, None)
    ]


# Freeform (send).


@pytest.mark.parametrize(
    "freeform, where, message",
    [
        ({}, "content.freeform.body.type", whatsapp.FREEFORM_TYPE_REQUIRED),
        ({"type": "text"}, "content.freeform.body.text", whatsapp.FREEFORM_TEXT_REQUIRED),
        ({"type": "audio"}, "content.freeform.body.media.url", whatsapp.FREEFORM_MEDIA_REQUIRED),
        (
            {"type": "location", "media": {"longitude": 1.5}},
            "content.freeform.body.media.latitude",
            whatsapp.LATITUDE_REQUIRED,
        ),
        (
            {"type": "location", "media": {"latitude": 1.5}},
            "content.freeform.body.media.longitude",
            whatsapp.LONGITUDE_REQUIRED,
        ),
        (
            {"type": "sticker"},
            "content.freeform.body.type",
            whatsapp.FREEFORM_TYPE_UNKNOWN % {"value": "sticker"},
        ),
    ],
)
def test_a_freeform_message_needs_what_its_type_needs(freeform, where, message):
    assert errors(freeform_body(freeform), api=Api.SEND) == [(where, message, None)]


# Values of the wrong type stay in the draft.


def test_replacements_that_are_not_a_list_are_kept_and_reported():
    body = targets_body(template_name="x", header={"type": "text", "replacements": "Ann"})
    field = whatsapp.WhatsAppContentForm.base_fields["header_replacements"]
    message = field.wrong_type_message(str(field.label), "Ann")
    assert errors(body, options=AccountOptions()) == [("content.header.replacements", message, 89)]
    assert_round_trips(body)


# Generated payloads.

value = line.map(str.strip).filter(bool)
replacements = st.lists(value, max_size=3)
latitude = st.one_of(st.integers(-90, 90), st.floats(-90, 90, allow_nan=False))
longitude = st.one_of(st.integers(-180, 180), st.floats(-180, 180, allow_nan=False))


def some(**strategies):
    """Objects with any subset of the given keys."""
    return st.fixed_dictionaries({}, optional=strategies)


def location(required: dict) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {"latitude": latitude, "longitude": longitude} | required,
        optional={"name": line, "address": line, "url": line},
    )


header = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "replacements": replacements}),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["image", "video", "document"]),
            "media": st.fixed_dictionaries({"url": line}),
        }
    ),
    st.fixed_dictionaries({"type": st.just("location"), "media": location({})}),
)
buttons = st.lists(st.fixed_dictionaries({"replacements": st.lists(value, min_size=1)}), min_size=1)
top = some(provider_nick_name=line)

targets_content = st.fixed_dictionaries(
    {"template_name": line, "body": st.fixed_dictionaries({"replacements": replacements})},
    optional={"locale": line, "header": header, "buttons": buttons},
)
send_template = st.fixed_dictionaries(
    {
        "template_name": line,
        "body": st.fixed_dictionaries(
            {"replacements": replacements}, optional={"type": st.just("text")}
        ),
    },
    optional={"language": line, "header": header, "buttons": buttons},
)
freeform = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": paragraph}),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["image", "video", "audio", "document"]),
            "media": st.fixed_dictionaries(
                {"url": line}, optional={"caption": line, "filename": line}
            ),
        }
    ),
    st.fixed_dictionaries({"type": st.just("location"), "media": location({})}),
)
send_content = st.one_of(
    st.fixed_dictionaries({"message_type": st.just("template"), "template": send_template}),
    st.fixed_dictionaries(
        {
            "message_type": st.just("freeform"),
            "freeform": st.fixed_dictionaries({"body": freeform}),
        }
    ),
)
send_top = some(
    provider_nick_name=line,
    message_id=line,
    respect_communication_preference=st.booleans(),
)


@settings(max_examples=30, deadline=None)
@given(top=top, content=targets_content)
def test_generated_create_bodies_are_read_by_the_form_and_round_trip(top, content):
    body = {"target_mode": "whatsapp", **top, "content": content}
    assert own_extras(body) == {}
    assert_round_trips(copy.deepcopy(body))


@settings(max_examples=30, deadline=None)
@given(top=send_top, content=send_content)
def test_generated_send_bodies_are_read_by_the_form_and_round_trip(top, content):
    body = {**top, "content": content}
    assert own_extras(body, api=Api.SEND) == {}
    assert_round_trips(copy.deepcopy(body), api=Api.SEND)


# The preview


def test_whatsapp_preview_fills_the_template_placeholders():
    options = AccountOptions(
        whatsapp_templates=(WhatsAppTemplateOption("otp", "en", "text", 1, 2, (1,)),)
    )
    body = reference_example("10_targets_whatsapp_standard.json").body
    bubble = whatsapp.preview(body, options=options)["bubble"]
    assert bubble.header_text == "test"
    assert bubble.body_values == [(1, "Dummy User"), (2, "")]  # the second one is missing
    assert bubble.buttons == [[(1, "suffix")]]


OTP_WORDS = dataclasses.replace(
    OTP,
    header_text="Code for {{1}}",
    body_text="Your code is {{1}}.\nIt expires in {{2}}.",
    button_texts=("Copy: https://x.example/c/{{1}}",),
)
WORDS = AccountOptions(providers={"whatsapp": ("Provider_1",)}, whatsapp_templates=(OTP_WORDS,))


def rendered_content(body: dict, *, api=Api.TARGETS, options=WORDS) -> str:
    form = bound_form(body, api=api, options=options)
    return render_to_string("campaigns/_payload_form.html", {"form": form})


def test_the_chosen_templates_words_show_with_one_labelled_input_per_placeholder():
    html = rendered_content(targets_body())
    assert "Your code is " in html and "It expires in " in html
    assert '<span class="placeholder-name">{{2}}</span>' in html
    labels = re.findall(r'<label class="form-label small mb-0" for="([^"]+)">([^<]+)</label>', html)
    assert [label for _, label in labels] == [
        whatsapp_templates.VALUE_FOR.format(number=1),  # the header's
        whatsapp_templates.VALUE_FOR.format(number=1),  # the body's
        whatsapp_templates.VALUE_FOR.format(number=2),
        whatsapp_templates.VALUE_FOR.format(number=1),  # the button's
    ]
    assert (
        'name="content-body_replacements" id="id_content-body_replacements-2" value="5 minutes"'
        in html
    )
    assert "Copy: https://x.example/c/" in html


def test_a_template_without_its_words_still_gets_one_input_per_placeholder():
    html = rendered_content(targets_body(), options=OPTIONS)
    assert html.count(whatsapp_templates.VALUE_FOR.format(number=2)) == 1
    assert "placeholder-name" not in html


def test_values_beyond_the_templates_placeholders_stay_in_inputs_of_their_own():
    body = targets_body(body={"replacements": ["1234", "5 minutes", "spare"]})
    html = rendered_content(body)
    assert whatsapp_templates.EXTRA_VALUE.format(number=3) in html
    posted = submitted_data(html)
    form = whatsapp.WhatsAppContentForm(posted, prefix="content", options=WORDS)
    assert form.to_json()["content"]["body"]["replacements"] == ["1234", "5 minutes", "spare"]


@pytest.mark.parametrize("options", [WORDS, OPTIONS, None], ids=["words", "counts", "none"])
def test_the_inputs_post_the_same_body_as_the_lines_did(options):
    body = targets_body()
    posted = submitted_data(rendered_content(body, options=options))
    assert posted.getlist("content-body_replacements") == (
        ["1234", "5 minutes"] if options else ["1234\r\n5 minutes"]
    )
    forms = payloads.bind_forms(posted, api=Api.TARGETS, channel="whatsapp", options=options)
    assert payloads.build_body(forms, {})["content"] == body["content"]


def test_the_template_and_its_language_are_picked_from_the_accounts_list():
    fr = dataclasses.replace(OTP_WORDS, locale="fr")
    options = AccountOptions(whatsapp_templates=(OTP_WORDS, fr, PLAIN))
    html = rendered_content(targets_body(), options=options)
    names = re.search(r'<select name="content-template_name".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', names) == ["", "otp", "plain"]
    locales = re.search(r'<select name="content-locale".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', locales) == ["", "en", "fr"]
    html = rendered_content(template_body(), api=Api.SEND, options=options)
    assert '<select name="content-language"' in html


def test_with_no_templates_listed_the_name_is_typed_with_a_note():
    html = rendered_content(targets_body(), options=AccountOptions())
    assert '<input type="text" name="content-template_name"' in html
    assert whatsapp_templates.NO_TEMPLATES in html


def test_the_preview_fills_the_templates_words_and_marks_a_missing_value():
    body = targets_body(body={"replacements": ["1234"]})
    bubble = whatsapp.preview(body, options=WORDS)["bubble"]
    Piece = whatsapp_templates.Piece
    assert bubble.header_pieces == [Piece("Code for "), Piece("Ann", 1)]
    assert bubble.body_pieces == [
        Piece("Your code is "),
        Piece("1234", 1),
        Piece(".\nIt expires in "),
        Piece("{{2}}", 2, missing=True),
        Piece("."),
    ]
    assert bubble.button_pieces == [[Piece("Copy: https://x.example/c/"), Piece("abc", 1)]]
    html = render_to_string("campaigns/previews.html#whatsapp", {"device": {"bubble": bubble}})
    assert "Your code is " in html and "<br>It expires in " in html
    assert (
        '<span class="placeholder-value missing" title="{{2}}">{{2}}'
        f'<span class="visually-hidden"> ({whatsapp_templates.MISSING_VALUE})</span></span>'
    ) in html
    assert "Code for " in html and "Copy: https://x.example/c/" in html


def test_the_preview_without_the_templates_words_shows_the_values_as_before():
    bubble = whatsapp.preview(targets_body(), options=OPTIONS)["bubble"]
    assert bubble.body_pieces == [] and bubble.body_values == [(1, "1234"), (2, "5 minutes")]


def test_whatsapp_preview_of_a_freeform_message():
    body = reference_example("35_send_whatsapp_freeform_text.json").body
    bubble = whatsapp.preview(body)["bubble"]
    assert bubble.freeform and bubble.text == "Hi, How can we help you"


# The account's templates, as the admin keeps them.


def test_the_admin_refuses_words_whose_placeholders_differ_from_the_counts():
    template = WhatsAppTemplate(
        name="t", locale="en", body_placeholders=2, body_text="Hi {{1}}", button_texts="Go"
    )
    with pytest.raises(ValidationError) as refused:
        template.clean()
    assert refused.value.message_dict == {
        "body_text": [account.WORDS_PLACEHOLDERS.format(found="{{1}}", part="body", count=2)],
        "button_texts": [account.BUTTON_TEXTS_NOT_LIST],
    }
    template.body_text, template.button_texts = "Hi {{1}}, {{ 2 }}", []
    template.clean()


@pytest.mark.parametrize("name, locale, fields", demo.DEMO_WHATSAPP_TEMPLATES)
def test_the_demos_templates_have_words_that_match_their_counts(name, locale, fields):
    WhatsAppTemplate(name=name, locale=locale, **fields).clean()
