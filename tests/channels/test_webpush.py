import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import payloads, previews
from campaigns.channels import webpush
from campaigns.channels.webpush import WebPushContentForm
from campaigns.models import Api
from tests import payload_checks
from tests.reference_examples import reference_example, reference_examples
from tests.strategies import line, link_url, paragraph, web_address

CHROME = "content.platform_specific.chrome"
WEBPUSH_EXAMPLES = [example for example in reference_examples() if example.channel == "webpush"]


def webpush_body(**browsers) -> dict:
    content = {"title": "Hi", "body": "Your order has shipped."}
    if browsers:
        content["platform_specific"] = browsers
    return {"name": "x", "target_mode": "webpush", "content": content}


WEBPUSH = payload_checks.ChannelChecks("webpush", WebPushContentForm)
content_extras, assert_round_trips = WEBPUSH.extras, WEBPUSH.assert_round_trips
wrong_type = WEBPUSH.wrong_type


def content_errors(body, **target) -> list[tuple[str, str]]:
    return [(where, message) for where, message, _ in WEBPUSH.errors(body, **target)]


@pytest.mark.parametrize("example", WEBPUSH_EXAMPLES, ids=lambda example: example.name)
def test_reference_webpush_content_is_read_whole_and_is_valid(example):
    api, _ = payloads.infer_target(example.body, example.endpoint)
    assert content_extras(example.body, api=api) == {}
    assert content_errors(example.body, api=api) == []


@pytest.mark.parametrize("api", [Api.TARGETS, Api.SEND])
def test_a_web_push_with_title_and_message_only_is_valid(api):
    assert content_errors(webpush_body(), api=api) == []


@pytest.mark.parametrize(
    "key, message",
    [("title", webpush.TITLE_REQUIRED), ("body", webpush.BODY_REQUIRED)],
)
def test_it_needs_a_title_and_a_message(key, message):
    body = webpush_body()
    del body["content"][key]
    assert content_errors(body) == [(f"content.{key}", message)]


def test_the_browsers_table_says_which_have_settings_and_which_are_estimated():
    assert webpush.SETTINGS_BROWSERS == ("chrome", "firefox", "safari", "kaios")
    assert webpush.ESTIMATE_KEYS == ("chrome", "firefox", "safari", "edge")
    legends = [fieldset.legend for fieldset in WebPushContentForm().helper.layout.fields]
    assert legends == ["Message", "Chrome", "Firefox", "Safari", "KaiOS"]


@pytest.mark.parametrize("browser", webpush.SETTINGS_BROWSERS)
def test_it_rejects_a_negative_time_to_live(browser):
    body = webpush_body(**{browser: {"ttl": -5}})
    where = f"content.platform_specific.{browser}.ttl"
    assert content_errors(body) == [(where, webpush.TTL_NEGATIVE)]


def test_a_time_to_live_written_as_text_is_kept_and_reported():
    body = webpush_body(firefox={"icon": "https://x/i.png", "ttl": "10"})
    where = "content.platform_specific.firefox.ttl"
    assert content_errors(body) == [(where, wrong_type("firefox_ttl", "10"))]
    assert_round_trips(body)


def test_require_interaction_must_be_true_or_false():
    body = webpush_body(chrome={"ttl": 10, "require_interaction": "yes"})
    message = wrong_type("chrome_require_interaction", "yes")
    assert content_errors(body) == [(f"{CHROME}.require_interaction", message)]
    assert_round_trips(body)


@pytest.mark.parametrize("number", [1, 2])
def test_a_button_with_a_link_needs_a_title(number):
    chrome = {"cta_title1": "Open", "cta_link1": "https://x/1", f"cta_link{number}": "https://x"}
    chrome.pop(f"cta_title{number}", None)
    body = webpush_body(chrome=chrome)
    message = webpush.CTA_TITLE_REQUIRED.format(number=number)
    assert content_errors(body) == [(f"{CHROME}.cta_title{number}", message)]


def test_a_button_with_only_an_icon_needs_a_title():
    body = webpush_body(chrome={"cta_iconlink1": "https://x/i.png", "cta_link1": "https://x"})
    message = webpush.CTA_TITLE_REQUIRED.format(number=1)
    assert content_errors(body) == [(f"{CHROME}.cta_title1", message)]


def test_a_button_with_a_title_needs_a_link():
    body = webpush_body(chrome={"cta_title1": "Open"})
    message = webpush.CTA_LINK_REQUIRED.format(number=1)
    assert content_errors(body) == [(f"{CHROME}.cta_link1", message)]


def test_the_second_button_needs_the_first():
    body = webpush_body(chrome={"cta_title2": "Later", "cta_link2": "https://x/2"})
    assert content_errors(body) == [(f"{CHROME}.cta_title1", webpush.CTA_SECOND_WITHOUT_FIRST)]


def test_two_complete_buttons_are_valid_and_round_trip():
    buttons = {f"cta_title{n}": f"title{n}" for n in (1, 2)}
    buttons |= {f"cta_link{n}": f"https://shop.example/{n}" for n in (1, 2)}
    body = webpush_body(chrome={**buttons, "cta_iconlink2": "https://x/i.png"})
    assert content_errors(body) == []
    assert content_extras(body) == {}
    assert_round_trips(body)


def test_kaios_key_values_are_read_into_the_form():
    body = webpush_body(kaios={"ttl": 10, "kaiosKV": {"key1": "value1", "key2": ""}})
    parsed = payloads.parse_body(body, api=Api.TARGETS, channel="webpush")
    assert parsed.data["content-kaios_kv"] == "key1 = value1\nkey2 ="
    assert content_extras(body) == {}
    assert_round_trips(body)


def test_kaios_key_values_that_are_not_texts_are_kept_and_reported():
    kv = {"key1": 1}
    body = webpush_body(kaios={"ttl": 10, "kaiosKV": kv})
    where = "content.platform_specific.kaios.kaiosKV"
    assert content_errors(body) == [(where, wrong_type("kaios_kv", kv))]
    assert_round_trips(body)


def test_a_key_the_browser_does_not_use_is_kept_with_a_notice():
    body = webpush_body(safari={"deep_link": "https://x", "image": "https://x/i.png"})
    parsed = payloads.parse_body(body, api=Api.TARGETS, channel="webpush")
    assert content_extras(body) == {
        ("content", "platform_specific", "safari", "image"): ("https://x/i.png")
    }
    path = "content.platform_specific.safari.image"
    assert payloads.EXTRAS_NOTICE.format(path=path) in parsed.notices
    assert_round_trips(body)


# Generated content round-trips through the rendered forms.

ttl = st.integers(min_value=0, max_value=10**6)
key_values = st.dictionaries(
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True),
    line.map(str.strip),
    min_size=1,
    max_size=3,
)


def button(number: int):
    return st.fixed_dictionaries(
        {f"cta_title{number}": line, f"cta_link{number}": link_url},
        optional={f"cta_iconlink{number}": web_address},
    )


chrome = st.tuples(
    st.fixed_dictionaries(
        {},
        optional={
            "image": web_address,
            "icon": web_address,
            "deep_link": link_url,
            "ttl": ttl,
            "require_interaction": st.booleans(),
        },
    ),
    st.sampled_from([0, 1, 2]).flatmap(
        lambda n: st.tuples(*(button(number) for number in range(1, n + 1)))
    ),
).map(lambda parts: {**parts[0], **{k: v for b in parts[1] for k, v in b.items()}})
browsers = st.fixed_dictionaries(
    {},
    optional={
        "chrome": chrome.filter(bool),
        "firefox": st.fixed_dictionaries(
            {}, optional={"icon": web_address, "deep_link": link_url, "ttl": ttl}
        ).filter(bool),
        "safari": st.fixed_dictionaries({}, optional={"deep_link": link_url, "ttl": ttl}).filter(
            bool
        ),
        "kaios": st.fixed_dictionaries(
            {},
            optional={
                "icon": web_address,
                "deep_link": link_url,
                "ttl": ttl,
                "kaiosKV": key_values,
            },
        ).filter(bool),
    },
)
webpush_content = st.fixed_dictionaries(
    {"title": line, "body": paragraph}, optional={"platform_specific": browsers.filter(bool)}
)


@settings(max_examples=30, deadline=None)
@given(content=webpush_content, api=st.sampled_from([Api.TARGETS, Api.SEND]))
def test_generated_webpush_content_is_read_valid_and_round_trips(content, api):
    body = {"name": "generated", "content": copy.deepcopy(content)}
    if api == Api.TARGETS:
        body["target_mode"] = "webpush"
    assert content_extras(body, api=api) == {}
    assert content_errors(body, api=api) == []
    assert_round_trips(body, api=api)


# The preview


def test_webpush_preview_has_a_card_per_browser():
    preview = webpush.preview(reference_example("01_targets_webpush.json").body)
    assert [card["browser"] for card in preview["cards"]] == [
        "safari",
        "chrome",
        "firefox",
        "kaios",
    ]
    chrome = preview["cards"][1]
    assert chrome["buttons"] == [previews.Button("title", "http://www.example2.com")]


@pytest.mark.parametrize(("field", "at"), [("title", 30), ("body", 50)])
def test_webpush_counters_turn_long_one_past_the_shortest_browser_cut(field, at):
    def counter(length):
        return webpush.preview({"content": {field: "a" * length}})["counters"][field]

    assert (counter(at).state, counter(at).limit) == (previews.FITS, at)
    assert counter(at + 1).state == previews.LONG


def test_webpush_cards_cut_the_title_where_their_browser_does():
    body = {"content": {"title": "t" * 40, "platform_specific": {"safari": {}, "firefox": {}}}}
    cards = {card["browser"]: card for card in webpush.preview(body)["cards"]}
    assert cards["safari"]["title"] == "t" * 30 + previews.ELLIPSIS
    assert cards["firefox"]["title"] == "t" * 40
