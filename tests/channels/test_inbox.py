import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.channels import inbox
from campaigns.forms import links
from campaigns.jsonpath import get_path
from tests import payload_checks
from tests.reference_examples import reference_example, reference_examples
from tests.strategies import line, link_url, paragraph, web_address

OWN_KEYS = {"template_type", "orientation", "content", "custom_kv", "tags", "time_to_live"}
INBOX_EXAMPLES = [e for e in reference_examples() if e.channel == "notificationinbox"]

IMAGE = {"content_type": "image/jpeg", "url": "https://example.com/a.jpg"}
URL_LINK = {"type": "url", "text": "Open", "url": {"android": {"text": "app://a"}}}


def item(**keys) -> dict:
    return {"title": {"text": "Hi"}, "message": {"text": "News"}, "media": IMAGE} | keys


def inbox_body(template_type="simple", items=None, **keys) -> dict:
    return {
        "name": "x",
        "target_mode": "notificationinbox",
        "template_type": template_type,
        "content": [item()] if items is None else items,
    } | keys


INBOX = payload_checks.ChannelChecks("notificationinbox", inbox.InboxContentForm, tuple(OWN_KEYS))
errors, own_extras, assert_round_trips = INBOX.errors, INBOX.extras, INBOX.assert_round_trips


# The reference examples.


@pytest.mark.parametrize("example", INBOX_EXAMPLES, ids=lambda example: example.name)
def test_the_reference_inbox_messages_are_read_whole_and_valid_but_for_placeholders(example):
    # The page's examples hold placeholders where images and links go ("example.com",
    # "andurl1"): an image's is an error at its field, a link's a warning (CleverTap sends a link
    # as typed), each in the words of its kind (links.py), and nothing else is wrong.
    assert own_extras(example.body) == {}
    found = payload_checks.errors_in(example.body, *OWN_KEYS, channel="notificationinbox")
    warned = payload_checks.warnings(example.body, channel="notificationinbox")
    assert found or warned
    for error in found:
        assert error.path[-2:] == ("media", "url"), error.where
        assert error.message == links.problem(get_path(example.body, error.path), link=False)
    for warning in warned:
        assert warning.path[-3:-1] in (("url", "android"), ("url", "ios")), warning.where
        assert warning.message == links.link_warning(get_path(example.body, warning.path))


def test_the_reference_examples_are_valid_with_whole_links():
    for example in INBOX_EXAMPLES:
        body = json.loads(
            json.dumps(example.body)
            .replace('"example.com"', '"https://example.com/a.jpg"')
            .replace('"text": "and', '"text": "myapp://and')
            .replace('"text": "ios', '"text": "myapp://ios')
        )
        assert errors(body) == [], example.name


def test_an_empty_custom_value_is_written_as_an_empty_text():
    body = inbox_body(custom_kv=[{"key": "k1", "value": {"text": ""}, "ios": True}])
    assert own_extras(body) == {}
    assert_round_trips(body)


# Template type and orientation.


def test_it_needs_a_template_type():
    body = inbox_body()
    del body["template_type"]
    assert errors(body) == [("template_type", inbox.TEMPLATE_TYPE_REQUIRED, None)]


def test_an_unknown_template_type_is_reported_and_kept():
    body = inbox_body(template_type="banner")
    assert errors(body) == [
        ("template_type", inbox.TEMPLATE_TYPE_UNKNOWN % {"value": "banner"}, None)
    ]
    assert_round_trips(body)


def test_the_orientation_is_portrait_or_landscape():
    body = inbox_body(orientation="landscape")
    message = inbox.ORIENTATION_UNKNOWN % {"value": "landscape"}
    assert errors(body) == [("orientation", message, None)]
    assert errors(inbox_body(orientation="l")) == []


# Items.


def test_it_needs_at_least_one_item():
    body = inbox_body()
    del body["content"]
    assert errors(body) == [("content", inbox.CONTENT_REQUIRED, None)]


@pytest.mark.parametrize("template_type", ["carousel", "carousel-image"])
def test_a_carousel_needs_at_least_two_items(template_type):
    assert errors(inbox_body(template_type)) == [("content", inbox.CAROUSEL_TOO_FEW_ITEMS, None)]
    assert errors(inbox_body(template_type, [item(), item()])) == []


@pytest.mark.parametrize("template_type", ["simple", "message-icon"])
def test_a_simple_message_has_one_item(template_type):
    items = [item(icon=IMAGE), item(icon=IMAGE)]
    message = inbox.ONE_ITEM_ONLY.format(template_type=template_type)
    assert errors(inbox_body(template_type, items)) == [("content", message, None)]


def test_every_carousel_image_item_needs_media():
    second = item()
    del second["media"]
    body = inbox_body("carousel-image", [item(), second])
    assert errors(body) == [("content[1].media.url", inbox.MEDIA_REQUIRED, None)]


def test_a_message_icon_item_needs_an_icon():
    body = inbox_body("message-icon")
    assert errors(body) == [("content[0].icon.url", inbox.ICON_REQUIRED, None)]
    assert errors(inbox_body("message-icon", [item(icon=IMAGE)])) == []


@pytest.mark.parametrize(
    "key, where, message",
    [
        ("media", "content[0].media.url", inbox.MEDIA_URL_REQUIRED),
        ("icon", "content[0].icon.url", inbox.ICON_URL_REQUIRED),
    ],
)
def test_media_and_icons_need_a_link(key, where, message):
    body = inbox_body(items=[item(**{key: {"content_type": "image/png"}})])
    assert errors(body) == [(where, message, None)]


# Link buttons.


def with_link(link: dict) -> dict:
    return inbox_body(items=[item(action={"links": [link]})])


LINK = "content[0].action.links[0]"


@pytest.mark.parametrize(
    "link, where, message",
    [
        ({"text": "Open"}, f"{LINK}.type", inbox.LINK_TYPE_REQUIRED),
        (
            {"type": "call", "text": "Open"},
            f"{LINK}.type",
            inbox.LINK_TYPE_UNKNOWN % {"value": "call"},
        ),
        (
            {"type": "url", "url": {"ios": {"text": "a://"}}},
            f"{LINK}.text",
            inbox.LINK_TEXT_REQUIRED,
        ),
        ({"type": "copy", "text": "Copy code"}, f"{LINK}.copyText.text", inbox.COPY_TEXT_REQUIRED),
        ({"type": "url", "text": "Open"}, f"{LINK}.url.android.text", inbox.LINK_URL_REQUIRED),
        (URL_LINK | {"color": "black"}, f"{LINK}.color", inbox.COLOR_INVALID),
        (URL_LINK | {"bg": "#ffffg"}, f"{LINK}.bg", inbox.COLOR_INVALID),
    ],
)
def test_a_link_button_needs_what_its_type_needs(link, where, message):
    assert errors(with_link(link)) == [(where, message, None)]


def test_complete_link_buttons_are_valid():
    copy = {"type": "copy", "text": "Copy", "copyText": {"text": "CODE10"}}
    body = inbox_body(items=[item(action={"links": [copy, URL_LINK | {"bg": "#ffff"}]})])
    assert errors(body) == []
    assert_round_trips(body)


# Custom key-values, time to live.


def test_a_custom_key_value_needs_a_key():
    body = inbox_body(custom_kv=[{"value": {"text": "v"}, "android": True}])
    assert errors(body) == [("custom_kv[0].key", inbox.KEY_REQUIRED, None)]


@pytest.mark.parametrize("ttl", [0, -5])
def test_time_to_live_is_positive(ttl):
    assert errors(inbox_body(time_to_live=ttl)) == [
        ("time_to_live", inbox.TIME_TO_LIVE_NOT_POSITIVE, None)
    ]


def test_a_time_to_live_that_is_not_a_number_is_kept_and_reported():
    body = inbox_body(time_to_live="50")
    field = inbox.InboxContentForm.base_fields["time_to_live"]
    message = field.wrong_type_message(str(field.label), "50")
    assert errors(body) == [("time_to_live", message, None)]
    assert_round_trips(body)


# Generated payloads.

tag = line.map(str.strip).filter(bool)


def text_object(strategy=line):
    return st.fixed_dictionaries({"text": strategy})


def some(required=None, **optional):
    return st.fixed_dictionaries(required or {}, optional=optional)


platforms = some(android=text_object(link_url), ios=text_object(link_url)).filter(bool)
link = st.one_of(
    some(
        {"type": st.just("copy"), "text": line, "copyText": text_object()},
        color=line,
        bg=line,
    ),
    some({"type": st.just("url"), "text": line, "url": platforms}, color=line, bg=line),
)
media = some({"url": web_address}, content_type=line)
message_item = some(
    title=text_object(),
    message=text_object(paragraph),
    media=media,
    icon=media,
    action=some(url=platforms, links=st.lists(link, min_size=1, max_size=2)).filter(bool),
).filter(bool)
custom_kv = some(
    {"key": line, "value": text_object(st.one_of(st.just(""), line))},
    android=st.booleans(),
    ios=st.booleans(),
)


@settings(max_examples=30, deadline=None)
@given(
    keys=some(
        template_type=st.sampled_from(["simple", "message-icon", "carousel", "carousel-image"]),
        orientation=st.sampled_from(["p", "l"]),
        content=st.lists(message_item, min_size=1, max_size=3),
        custom_kv=st.lists(custom_kv, min_size=1, max_size=3),
        tags=st.lists(tag, min_size=1, max_size=3),
        time_to_live=st.integers(min_value=-(10**6), max_value=10**9),
    )
)
def test_generated_inbox_bodies_are_read_by_the_form_and_round_trip(keys):
    body = {"target_mode": "notificationinbox", **keys}
    assert own_extras(body) == {}
    assert_round_trips(body)


# The preview


def test_inbox_preview_draws_each_card():
    preview = inbox.preview(reference_example("07_targets_app_inbox_carousel.json").body)
    assert preview["carousel"]
    assert [card.title for card in preview["cards"]] == ["title1", "title2"]
