import html
import json
import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import previews
from campaigns.forms.options import AccountOptions, WhatsAppTemplateOption
from tests.reference_examples import reference_examples

EXAMPLES = {example.name: example for example in reference_examples()}


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", previews.GSM7, 0, 0),
        ("Hello", previews.GSM7, 5, 1),
        ("a" * 160, previews.GSM7, 160, 1),
        ("a" * 161, previews.GSM7, 161, 2),
        ("a" * 306, previews.GSM7, 306, 2),
        ("a" * 307, previews.GSM7, 307, 3),
        ("€" * 80, previews.GSM7, 160, 1),  # extension characters count twice
        ("€" * 81, previews.GSM7, 162, 2),
        ("Ça coûte 5€", previews.UCS2, 11, 1),  # û is not in GSM-7
        ("é" * 160, previews.GSM7, 160, 1),  # é is
        ("ы" * 70, previews.UCS2, 70, 1),
        ("ы" * 71, previews.UCS2, 71, 2),
        ("ы" * 134, previews.UCS2, 134, 2),
        ("ы" * 135, previews.UCS2, 135, 3),
        ("😀" * 35, previews.UCS2, 70, 1),  # a surrogate pair is two units
    ],
)
def test_sms_count_gives_encoding_units_and_segments(text, encoding, units, segments):
    count = previews.sms_count(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_an_escape_pair_is_never_split_across_two_parts():
    # 152 plain characters and one € (2 septets) do not fit 153: the € moves to part two.
    count = previews.sms_count("a" * 152 + "€" + "a" * 10)
    assert count.segments == 2
    assert previews.sms_count("a" * 151 + "€" + "a" * 153).segments == 2
    assert previews.sms_count("a" * 152 + "€" + "a" * 152).segments == 3


def test_the_counter_says_how_many_units_are_left():
    assert previews.sms_count("Hello").remaining == 155
    assert previews.sms_count("a" * 200).remaining == 306 - 200


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_highlighted_json_reads_as_the_same_text_json_dumps_writes(value):
    highlighted = str(previews.highlight_json(value))
    text = html.unescape(re.sub(r"<[^>]+>", "", highlighted))
    assert text == json.dumps(value, indent=2, ensure_ascii=False)


def test_highlighting_escapes_html():
    highlighted = str(previews.highlight_json({"<b>": "</pre><script>"}))
    assert "<script>" not in highlighted and "&lt;script&gt;" in highlighted


def test_request_count_is_a_thousand_identities_per_request():
    assert previews.request_count({"content": {}}) is None
    to = {"Email": [f"{n}@x.io" for n in range(999)], "Identity": ["a", "b"]}
    assert previews.request_count({"to": to}) == previews.Requests(1001, 2)
    assert previews.request_count({"to": {"Email": ["a@b.c"]}}) == previews.Requests(1, 1)


def test_push_preview_reads_title_image_buttons_and_carousel():
    preview = previews.push_preview(EXAMPLES["11_targets_push_ios_carousel.json"].body)
    assert preview["title"] == "Hi!"
    assert [slide.caption for slide in preview["ios"]["carousel"]] == [
        "caption one",
        "caption two",
    ]
    assert preview["show_ios"] and not preview["show_android"]
    body = {"content": {"platform_specific": {"android": {"wzrk_acts": [{"l": "Buy", "dl": "x"}]}}}}
    assert previews.push_preview(body)["android"]["buttons"] == [previews.Button("Buy", "x")]


def test_webpush_preview_has_a_card_per_browser():
    preview = previews.webpush_preview(EXAMPLES["01_targets_webpush.json"].body)
    assert [card["browser"] for card in preview["cards"]] == [
        "safari",
        "chrome",
        "firefox",
        "kaios",
    ]
    chrome = preview["cards"][1]
    assert chrome["buttons"] == [previews.Button("title", "http://www.example2.com")]


def test_email_preview_blocks_remote_images_until_allowed():
    body = {"content": {"subject": "S", "body": '<img src="https://t.example/p.gif">'}}
    blocked = previews.email_preview(body)["srcdoc"]
    assert blocked.index(previews.EMAIL_CSP_BLOCKED) < blocked.index("<img")
    assert previews.EMAIL_CSP_REMOTE in previews.email_preview(body, remote_images=True)["srcdoc"]


def test_whatsapp_preview_fills_the_template_placeholders():
    options = AccountOptions(
        whatsapp_templates=(WhatsAppTemplateOption("otp", "en", "text", 1, 2, (1,)),)
    )
    preview = previews.whatsapp_preview(EXAMPLES["10_targets_whatsapp_standard.json"].body, options)
    bubble = preview["bubble"]
    assert bubble.header_text == "test"
    assert bubble.body_values == [(1, "Dummy User"), (2, "")]  # the second one is missing
    assert bubble.buttons == [[(1, "suffix")]]


def test_whatsapp_preview_of_a_freeform_message():
    bubble = previews.whatsapp_preview(EXAMPLES["35_send_whatsapp_freeform_text.json"].body)[
        "bubble"
    ]
    assert bubble.freeform and bubble.text == "Hi, How can we help you"


def test_webhook_preview_lists_its_key_values():
    preview = previews.webhook_preview(EXAMPLES["05_targets_webhook.json"].body)
    assert preview["endpoint"] == "Recommendation Endpoint"
    assert preview["key_values"] == [("k1", "v1"), ("k2", "v2")]


def test_inbox_preview_draws_each_card():
    preview = previews.inbox_preview(EXAMPLES["07_targets_app_inbox_carousel.json"].body)
    assert preview["carousel"]
    assert [card.title for card in preview["cards"]] == ["title1", "title2"]


@pytest.mark.parametrize("example", EXAMPLES.values(), ids=lambda e: e.name)
def test_every_reference_example_has_a_device_preview(example):
    from campaigns import payloads
    from campaigns.channels import registry

    api, channel = payloads.infer_target(example.body, example.endpoint)
    preview = previews.device_preview(
        registry.CHANNELS[channel].preview, example.body, options=None
    )
    assert preview


def test_previews_of_bodies_of_the_wrong_shape_are_empty_not_errors():
    for body in [{}, {"content": []}, {"content": {"platform_specific": "x"}}, {"to": "x"}]:
        for name in ["push", "webpush", "email", "sms", "whatsapp", "webhook", "inbox"]:
            previews.device_preview(name, body, options=None)


def test_schedule_preview_gives_the_next_sends_and_the_quiet_windows():
    body = {
        "when": {
            "type": "recurring",
            "repeat_type": "week",
            "repeats_every": 1,
            "repeat_on_days_of_week": [2],
            "start_time": "20300107 10:00",
            "dnd": {"message_state": "delay", "dnd_info": {"2": ["21:00", "06:00"]}},
        }
    }
    now = datetime(2029, 12, 1, tzinfo=UTC)
    preview = previews.schedule_preview(body, now=now, account_tz=ZoneInfo("UTC"))
    assert len(preview["times"]) == 10
    assert preview["times"][0]["at"] == datetime(2030, 1, 7, 10, 0, tzinfo=ZoneInfo("UTC"))
    monday, tuesday = preview["days"][1], preview["days"][2]
    assert [(b.start, b.end) for b in monday.blocks] == [(time(21, 0), time.max)]
    assert [(b.start, b.end) for b in tuesday.blocks] == [(time(0, 0), time(6, 0))]
    assert monday.blocks[0].top == 87.5 and monday.blocks[0].height == 12.5
    assert previews.schedule_preview({"name": "x"}, now=now, account_tz=ZoneInfo("UTC")) is None
