import copy
import re

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import payloads, previews
from campaigns.channels import push
from campaigns.channels.push import PushContentForm
from campaigns.forms import fields, links
from campaigns.forms.options import AccountOptions
from campaigns.models import Api
from tests import payload_checks
from tests.reference_examples import reference_example, reference_examples
from tests.strategies import line, link_url, paragraph, web_address

IOS = "content.platform_specific.ios"
ANDROID = "content.platform_specific.android"
PUSH_EXAMPLES = [example for example in reference_examples() if example.channel == "push"]


def push_body(**platforms) -> dict:
    content = {"title": "Hi", "body": "Your order has shipped."}
    if platforms:
        content["platform_specific"] = platforms
    return {"name": "x", "target_mode": "push", "content": content}


PUSH = payload_checks.ChannelChecks("push", PushContentForm)
content_extras, assert_round_trips, wrong_type = (
    PUSH.extras,
    PUSH.assert_round_trips,
    PUSH.wrong_type,
)


def content_errors(body, **target) -> list[tuple[str, str]]:
    return [(where, message) for where, message, _ in PUSH.errors(body, **target)]


# The reference examples.


@pytest.mark.parametrize("example", PUSH_EXAMPLES, ids=lambda example: example.name)
def test_reference_push_content_is_read_whole_by_the_form(example):
    api, _ = payloads.infer_target(example.body, example.endpoint)
    assert content_extras(example.body, api=api) == {}


def test_the_send_example_without_a_channel_id_is_reported_for_android():
    # Its deep links are the page's placeholder "example.com": not a whole link, which CleverTap
    # sends as typed, so a warning at each (links.py).
    example = next(e for e in PUSH_EXAMPLES if e.name == "24_send_push.json")
    not_whole = links.LINK_NOT_WHOLE.format(value="example.com")
    assert content_errors(example.body, api=Api.SEND) == [
        (f"{ANDROID}.wzrk_cid", push.CHANNEL_ID_REQUIRED),
    ]
    for where in (f"{IOS}.deep_link", f"{ANDROID}.deep_link"):
        found = payload_checks.warnings_at(example.body, where, api=Api.SEND, channel="push")
        assert found == [not_whole]


# Title and message.


@pytest.mark.parametrize("api", [Api.TARGETS, Api.SEND])
def test_a_push_with_title_and_message_only_is_valid(api):
    assert content_errors(push_body(), api=api) == []


@pytest.mark.parametrize(
    "key, message",
    [("title", push.TITLE_REQUIRED), ("body", push.BODY_REQUIRED)],
)
def test_it_needs_a_title_and_a_message(key, message):
    body = push_body()
    del body["content"][key]
    assert content_errors(body) == [(f"content.{key}", message)]


# Android notification channel (wzrk_cid).


def test_it_needs_a_channel_id_when_the_push_has_android_settings():
    body = push_body(android={"deep_link": "app://home"})
    assert content_errors(body) == [(f"{ANDROID}.wzrk_cid", push.CHANNEL_ID_REQUIRED)]


def test_a_missing_channel_id_carries_clevertaps_code_9_and_text():
    body = push_body(android={"deep_link": "app://home"})
    for api in (Api.TARGETS, Api.SEND):
        sent = body if api == Api.TARGETS else {**body, "to": {"Identity": ["a"]}}
        found = [
            error
            for error in payload_checks.errors(sent, api=api, channel="push")
            if error.where == f"{ANDROID}.wzrk_cid"
        ]
        assert [(e.message, e.code, e.api_message) for e in found] == [
            (push.CHANNEL_ID_REQUIRED, 9, push.API_CHANNEL_ID_REQUIRED)
        ]
    assert "Android 8.0 or above" in push.CHANNEL_ID_REQUIRED


def test_android_custom_key_values_alone_also_need_a_channel_id():
    body = push_body(android={"coupon": "SPRING"})
    assert content_errors(body) == [(f"{ANDROID}.wzrk_cid", push.CHANNEL_ID_REQUIRED)]


def test_an_ios_only_push_needs_no_channel_id():
    assert content_errors(push_body(ios={"deep_link": "app://home"})) == []


def test_it_rejects_a_channel_id_the_account_does_not_have():
    options = AccountOptions(android_channels=("Marketing", "Orders"))
    body = push_body(android={"wzrk_cid": "Promos"})
    message = push.CHANNEL_ID_UNKNOWN.format(value="Promos", choices="Marketing, Orders")
    assert content_errors(body, options=options) == [(f"{ANDROID}.wzrk_cid", message)]


def test_it_accepts_a_channel_id_of_the_account():
    options = AccountOptions(android_channels=("Marketing",))
    body = push_body(android={"wzrk_cid": "Marketing"})
    assert content_errors(body, options=options) == []


def test_any_channel_id_is_accepted_when_the_account_lists_none():
    assert content_errors(push_body(android={"wzrk_cid": "Anything"})) == []


# Numbers and choices.


@pytest.mark.parametrize(
    "platform, key", [("ios", "badge_count"), ("android", "wzrk_bc")], ids=["ios", "android"]
)
def test_it_rejects_a_negative_badge_count(platform, key):
    values = {key: -1, **({"wzrk_cid": "c"} if platform == "android" else {})}
    body = push_body(**{platform: values})
    where = f"content.platform_specific.{platform}.{key}"
    assert content_errors(body) == [(where, push.BADGE_COUNT_NEGATIVE)]


def test_a_badge_count_written_as_text_is_kept_and_reported():
    body = push_body(ios={"sound_file": "ding.caf", "badge_count": "1"})
    assert content_errors(body) == [(f"{IOS}.badge_count", wrong_type("ios_badge_count", "1"))]
    assert_round_trips(body)


def test_a_lone_value_of_the_wrong_type_is_reported_at_its_own_path():
    body = push_body(ios={"badge_count": "1"})
    assert content_errors(body) == [(f"{IOS}.badge_count", wrong_type("ios_badge_count", "1"))]


@pytest.mark.parametrize(
    "key, name",
    [
        ("notification_tray_priority", "android_tray_priority"),
        ("delivery_priority", "android_delivery_priority"),
        ("wzrk_bi", "android_badge_icon"),
    ],
)
def test_an_unknown_choice_stays_in_the_draft_and_is_reported(key, name):
    body = push_body(android={"wzrk_cid": "c", key: "urgent"})
    field = PushContentForm.base_fields[name]
    message = field.error_messages["invalid_choice"] % {"value": "urgent"}
    assert content_errors(body) == [(f"{ANDROID}.{key}", message)]
    assert_round_trips(body)


@pytest.mark.parametrize("value", ["#1DA1F2", "#801DA1F2"])
def test_it_accepts_a_hex_icon_colour(value):
    assert content_errors(push_body(android={"wzrk_cid": "c", "wzrk_clr": value})) == []


@pytest.mark.parametrize("value", ["1DA1F2", "# 1DA1F2", "blue", "#12345"])
def test_it_rejects_an_icon_colour_that_is_not_hex(value):
    body = push_body(android={"wzrk_cid": "c", "wzrk_clr": value})
    assert content_errors(body) == [(f"{ANDROID}.wzrk_clr", push.ICON_COLOR_INVALID)]


@pytest.mark.parametrize("value", ["thread-1", 42])
def test_collapse_keys_are_text_or_numbers(value):
    body = push_body(
        ios={"ios_collapse": value}, android={"wzrk_cid": "c", "android_collapse": value}
    )
    assert content_errors(body) == []
    assert content_extras(body) == {}
    assert_round_trips(body)


# mutable-content: the table says Boolean, the examples write the text "true".


@pytest.mark.parametrize("value", [True, False, "true", "false"])
def test_mutable_content_is_read_as_boolean_or_text_and_keeps_its_type(value):
    body = push_body(ios={"mutable-content": value})
    assert content_extras(body) == {}
    assert content_errors(body) == []
    assert_round_trips(body)


@pytest.mark.parametrize("value", ["yes", 1])
def test_another_mutable_content_value_is_kept_and_reported(value):
    body = push_body(ios={"sound_file": "ding.caf", "mutable-content": value})
    message = wrong_type("ios_mutable_content", value)
    assert content_errors(body) == [(f"{IOS}.mutable-content", message)]
    assert_round_trips(body)


def test_the_flag_field_converts_both_ways():
    field = push.FlagField()
    assert [field.json_to_data(v) for v in (True, False, "true", "false", 1, "no")] == [
        "true",
        "false",
        '"true"',
        '"false"',
        None,
        None,
    ]
    assert [field.data_to_json(raw) for raw in ("true", '"false"', "")] == [
        True,
        "false",
        fields.MISSING,
    ]
    assert [field.clean(raw) for raw in ("false", '"true"', "")] == [False, "true", None]


# Custom key-values.


def test_custom_key_values_are_read_into_the_form_per_platform():
    body = push_body(
        ios={"deep_link": "app://x", "Key": "Value_ios", "empty": ""},
        android={"wzrk_cid": "c", "Key": "Value_android"},
    )
    parsed = payloads.parse_body(body, api=Api.TARGETS, channel="push")
    assert parsed.data["content-ios_custom"] == "Key = Value_ios\nempty ="
    assert parsed.data["content-android_custom"] == "Key = Value_android"
    assert content_extras(body) == {}
    assert not any("Key" in notice for notice in parsed.notices)
    assert_round_trips(body)


def test_platform_keys_that_are_not_texts_are_not_custom_key_values_and_stay_aside():
    body = push_body(ios={"Key": "v", "priority": 5, "nested": {"a": "b"}})
    assert content_extras(body) == {
        ("content", "platform_specific", "ios", "priority"): 5,
        ("content", "platform_specific", "ios", "nested"): {"a": "b"},
    }
    assert_round_trips(body)


def test_a_custom_key_the_form_cannot_show_exactly_stays_aside():
    body = push_body(ios={"padded": " v ", "Key": "v"})
    assert content_extras(body) == {("content", "platform_specific", "ios", "padded"): " v "}
    assert_round_trips(body)


def bound_push_form(**data) -> PushContentForm:
    posted = QueryDict(mutable=True)
    for name, value in {"title": "Hi", "body": "b", **data}.items():
        posted[f"content-{name}"] = value
    return PushContentForm(posted, prefix="content")


def test_a_custom_key_that_has_its_own_field_is_reported_and_the_field_wins():
    form = bound_push_form(ios_deep_link="app://field", ios_custom="deep_link = app://custom")
    message = push.CUSTOM_KEY_HAS_A_FIELD.format(key="deep_link")
    assert [(e.where, e.message, e.field) for e in form.path_errors()] == [
        (IOS, message, "content-ios_custom")
    ]
    assert form.to_json()["content"]["platform_specific"]["ios"] == {"deep_link": "app://field"}


def test_a_custom_key_value_without_a_key_is_reported_at_its_platform():
    form = bound_push_form(android_channel_id="c", android_custom="= value")
    assert [(e.where, e.field) for e in form.path_errors()] == [(ANDROID, "content-android_custom")]


# Android action buttons and the iOS carousel.


def action(**overrides) -> dict:
    return {"l": "Track", "dl": "app://track", "id": "track", "ico": "ic_track", **overrides}


@pytest.mark.parametrize(
    "key, message",
    [("l", push.ACTION_TITLE_REQUIRED), ("id", push.ACTION_ID_REQUIRED)],
)
def test_an_action_button_needs_a_title_and_an_id(key, message):
    button = action()
    del button[key]
    body = push_body(android={"wzrk_cid": "c", "wzrk_acts": [action(), button]})
    assert content_errors(body) == [(f"{ANDROID}.wzrk_acts[1].{key}", message)]


def test_it_allows_three_action_buttons_at_most():
    buttons = [action(id=str(number)) for number in range(4)]
    body = push_body(android={"wzrk_cid": "c", "wzrk_acts": buttons})
    assert content_errors(body) == [(f"{ANDROID}.wzrk_acts", push.TOO_MANY_ACTIONS)]
    body["content"]["platform_specific"]["android"]["wzrk_acts"].pop()
    assert content_errors(body) == []
    assert_round_trips(body)


SLIDER = f"{IOS}.ct_ContentSlider"


def test_a_carousel_item_needs_an_image():
    slider = {"items": [{"imageUrl": "https://x/1.jpg"}, {"caption": "two"}]}
    body = push_body(ios={"ct_ContentSlider": slider})
    assert content_errors(body) == [(f"{SLIDER}.items[1].imageUrl", push.SLIDER_IMAGE_REQUIRED)]


def test_a_carousel_needs_items():
    body = push_body(ios={"ct_ContentSlider": {"orientation": "landscape", "autoPlay": True}})
    assert content_errors(body) == [(f"{SLIDER}.items", push.SLIDER_ITEMS_REQUIRED)]


def test_a_carousel_orientation_is_landscape_or_portrait():
    slider = {"orientation": "sideways", "items": [{"imageUrl": "https://x/1.jpg"}]}
    body = push_body(ios={"ct_ContentSlider": slider})
    assert [where for where, _ in content_errors(body)] == [f"{SLIDER}.orientation"]
    assert_round_trips(body)


# Generated content round-trips through the rendered forms.

count = st.integers(min_value=0, max_value=10**6)
flag = st.booleans()
collapse = st.one_of(
    st.integers(min_value=0, max_value=10**9),
    line.filter(lambda text: not re.fullmatch(r"[+-]?\d+", text)),
)
custom_value = line.map(str.strip)


def with_custom_keys(platform, container):
    """A platform's settings plus custom key-values that no field of the form models."""
    modelled = PushContentForm.modelled_keys(container)
    key = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
        lambda k: k not in modelled
    )
    custom = st.dictionaries(key, custom_value, max_size=3)
    return st.builds(lambda settings, pairs: {**pairs, **settings}, platform, custom)


def optional(**strategies):
    """Objects with any subset of the given keys."""
    return st.fixed_dictionaries({}, optional=strategies)


slider = st.fixed_dictionaries(
    {
        "items": st.lists(
            st.fixed_dictionaries(
                {"imageUrl": web_address},
                optional={"caption": line, "subcaption": line, "actionUrl": link_url},
            ),
            min_size=1,
            max_size=3,
        )
    },
    optional={
        "orientation": st.sampled_from(["landscape", "portrait"]),
        "showsPaging": flag,
        "autoPlay": flag,
        "autoDismiss": flag,
    },
)
ios = with_custom_keys(
    optional(
        deep_link=link_url,
        sound_file=line,
        category=line,
        badge_count=count,
        ct_mediaUrl=web_address,
        ios_collapse=collapse,
        ct_ContentSlider=slider,
        **{"mutable-content": st.sampled_from([True, False, "true", "false"])},
    ),
    push.IOS,
).filter(bool)
android = with_custom_keys(
    st.fixed_dictionaries(
        {"wzrk_cid": line},
        optional={
            "deep_link": link_url,
            "background_image": web_address,
            "large_icon": web_address,
            "default_sound": flag,
            "enable_rendermax": flag,
            "notification_tray_priority": st.sampled_from(["max", "high", "default"]),
            "delivery_priority": st.sampled_from(["normal", "high"]),
            "android_collapse": collapse,
            "summary": line,
            "subtitle": line,
            "wzrk_bc": count,
            "wzrk_bi": st.sampled_from(["app icon", "notification icon"]),
            "wzrk_clr": st.from_regex(r"#[0-9A-F]{6}", fullmatch=True),
            "wzrk_acts": st.lists(
                st.fixed_dictionaries(
                    {"l": line, "id": line}, optional={"dl": link_url, "ico": line}
                ),
                min_size=1,
                max_size=3,
            ),
        },
    ),
    push.ANDROID,
)
push_content = st.fixed_dictionaries(
    {"title": line, "body": paragraph},
    optional={"platform_specific": optional(ios=ios, android=android).filter(bool)},
)


@settings(max_examples=30, deadline=None)
@given(content=push_content, api=st.sampled_from([Api.TARGETS, Api.SEND]))
def test_generated_push_content_is_read_valid_and_round_trips(content, api):
    body = {"name": "generated", "content": copy.deepcopy(content)}
    if api == Api.TARGETS:
        body["target_mode"] = "push"
    assert content_extras(body, api=api) == {}
    assert content_errors(body, api=api) == []
    assert_round_trips(body, api=api)


# The preview


def test_push_preview_reads_title_image_buttons_and_carousel():
    preview = push.preview(reference_example("11_targets_push_ios_carousel.json").body)
    assert preview["title"] == "Hi!"
    assert [slide.caption for slide in preview["ios"]["carousel"]] == [
        "caption one",
        "caption two",
    ]
    assert preview["show_ios"] and not preview["show_android"]
    body = {"content": {"platform_specific": {"android": {"wzrk_acts": [{"l": "Buy", "dl": "x"}]}}}}
    assert push.preview(body)["android"]["buttons"] == [previews.Button("Buy", "x")]


@pytest.mark.parametrize(
    ("field", "devices", "at", "where"),
    [
        ("title", None, 50, "iOS"),
        ("title", ["android"], 65, "Android"),
        ("body", None, 150, "iOS"),
        ("body", ["android"], 240, "Android"),
    ],
)
def test_push_counters_turn_long_one_past_where_the_devices_shown_cut(field, devices, at, where):
    def counter(length):
        body = {"content": {field: "a" * length}} | ({"devices": devices} if devices else {})
        return push.preview(body)["counters"][field]

    assert (counter(at).state, counter(at).limit) == (previews.FITS, at)
    assert counter(at + 1).state == previews.LONG
    assert f"{where} cuts the" in counter(at + 1).words


def test_push_preview_cuts_the_title_and_message_where_each_device_does():
    preview = push.preview({"content": {"title": "t" * 70, "body": "b" * 200}})
    assert preview["ios"]["title"] == "t" * 50 + previews.ELLIPSIS
    assert preview["android"]["title"] == "t" * 65 + previews.ELLIPSIS
    assert preview["ios"]["message"] == "b" * 150 + previews.ELLIPSIS
    assert preview["android"]["message"] == "b" * 200
    assert preview["title"] == "t" * 70
