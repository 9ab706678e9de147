import html
import json
import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import previews
from campaigns.channels import registry


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


def test_each_key_names_its_path_as_the_fields_hints_write_it():
    highlighted = str(previews.highlight_json({"content": {"title": "Hi"}, "to": {"A b": ["x"]}}))
    paths = re.findall(r'<span class="j-key" data-path="([^"]*)">', highlighted)
    assert [html.unescape(path) for path in paths] == [
        "content",
        "content.title",
        "to",
        'to["A b"]',
    ]


def test_highlighting_escapes_html():
    highlighted = str(previews.highlight_json({"<b>": "</pre><script>"}))
    assert "<script>" not in highlighted and "&lt;script&gt;" in highlighted


def test_request_count_is_a_thousand_identities_per_request():
    assert previews.request_count({"content": {}}) is None
    to = {"Email": [f"{n}@x.io" for n in range(999)], "Identity": ["a", "b"]}
    assert previews.request_count({"to": to}) == previews.Requests(1001, 2)
    assert previews.request_count({"to": {"Email": ["a@b.c"]}}) == previews.Requests(1, 1)


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


# The schedule delivered in user time (issue 18, item 4).

UTC_ZONE = ZoneInfo("UTC")
MONDAY_10 = {"type": "later", "delivery_date_time": ["20260302 10:00"], "delivery_timezone": "user"}
NOW = datetime(2026, 3, 1, tzinfo=UTC)
AUDIENCE = {"Asia/Kolkata": 1200, "Europe/London": 1, "America/New_York": 450}


def user_time_preview(when: dict, audience=None) -> dict:
    return previews.schedule_preview(
        {"when": when}, now=NOW, account_tz=UTC_ZONE, audience_timezones=lambda: audience
    )


def test_in_user_time_the_preview_says_so_and_spreads_the_run_over_the_audience():
    preview = user_time_preview(MONDAY_10, AUDIENCE)

    assert preview["note"] == previews.USER_TIME_KNOWN.format(count=3, timezone="UTC")
    assert "Times in UTC" not in preview["note"]
    [run] = preview["runs"]
    assert run.wall == datetime(2026, 3, 2, 10, 0)
    assert run.summary == previews.RUN_SPREAD.format(
        first_local="10:00",
        first_zone="Asia/Kolkata",
        first_at="Mon 2 Mar, 04:30",
        last_local="10:00",
        last_zone="America/New_York",
        last_at="Mon 2 Mar, 15:00",
    )
    assert [zone.label for zone in run.zones] == [
        "Asia/Kolkata (1,200 profiles)",
        "Europe/London (1 profile)",
        "America/New_York (450 profiles)",
    ]
    assert [zone.note for zone in run.zones] == ["", "", ""]


def test_in_user_time_a_cutoff_that_removes_sends_is_applied_and_said():
    preview = user_time_preview({**MONDAY_10, "campaign_cutoff": "12:00"}, AUDIENCE)

    [run] = preview["runs"]
    assert run.summary.endswith(previews.RUN_NOT_SENT.format(count=1, total=3))
    assert "to 10:00 in Europe/London (Mon 2 Mar, 10:00)" in run.summary
    new_york = run.zones[2]
    assert new_york.send.at is None
    assert new_york.note == previews.ZONE_AFTER_CUTOFF.format(
        local="10:00", at="Mon 2 Mar, 15:00", cutoff="Mon 2 Mar, 12:00"
    )


def test_in_user_time_without_the_audiences_timezones_the_preview_gives_the_range():
    preview = user_time_preview(MONDAY_10, None)

    assert preview["note"] == previews.USER_TIME_UNKNOWN.format(
        first="Pacific/Kiritimati", last="Pacific/Pago_Pago", timezone="UTC"
    )
    [run] = preview["runs"]
    # 10:00 comes first at UTC+14 (20:00 UTC the day before) and last at UTC-11 (21:00 UTC).
    assert run.summary == previews.RUN_SPREAD.format(
        first_local="10:00",
        first_zone="Pacific/Kiritimati",
        first_at="Sun 1 Mar, 20:00",
        last_local="10:00",
        last_zone="Pacific/Pago_Pago",
        last_at="Mon 2 Mar, 21:00",
    )


def test_in_user_time_the_next_day_and_dnd_are_said_per_timezone():
    when = {
        **MONDAY_10,
        "user_timezone_wrap_around": True,
        "dnd": {
            "message_state": "delay",
            "dnd_timezone": "user",
            "dnd_info": {"2": ["09:00", "11:00"]},
        },
    }
    now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 10:00 has passed in Kolkata only
    preview = previews.schedule_preview(
        {"when": when}, now=now, account_tz=UTC_ZONE, audience_timezones=lambda: AUDIENCE
    )
    notes = {zone.send.zone: zone.note for zone in preview["runs"][0].zones}
    assert notes["Asia/Kolkata"] == previews.ZONE_NEXT_DAY
    assert notes["Europe/London"] == previews.ZONE_HELD.format(local="10:00")


def test_the_audience_is_asked_for_only_when_the_schedule_is_in_user_time():
    def audience():
        raise AssertionError("asked")

    body = {"when": {**MONDAY_10, "delivery_timezone": "account"}}
    preview = previews.schedule_preview(
        body, now=NOW, account_tz=UTC_ZONE, audience_timezones=audience
    )
    assert "user_time" not in preview
    assert [send["at"] for send in preview["times"]] == [datetime(2026, 3, 2, 10, 0, tzinfo=UTC)]


# Images in device previews (issue 18, item 11): never a request for a relative address.


@pytest.mark.parametrize(
    ("url", "src", "not_loaded"),
    [
        ("https://cdn.example.com/a.jpg", "https://cdn.example.com/a.jpg", ""),
        ("example.com", "", previews.IMAGE_NOT_LOADED.format(url="example.com")),
        ("/drafts/22/a.png", "", previews.IMAGE_NOT_LOADED.format(url="/drafts/22/a.png")),
        (
            "//cdn.example.com/a.jpg",
            "",
            previews.IMAGE_NOT_LOADED.format(url="//cdn.example.com/a.jpg"),
        ),
        ("javascript:alert(1)", "", previews.IMAGE_NOT_LOADED.format(url="javascript:alert(1)")),
        ("http://example.png", "", previews.IMAGE_HTTP_NOT_LOADED.format(url="http://example.png")),
        ("", "", ""),
    ],
)
def test_a_preview_image_loads_only_from_a_whole_https_address(url, src, not_loaded):
    image = previews.image_at({"image": url}, "image")
    assert (image.src, image.not_loaded, bool(image)) == (src, not_loaded, bool(url))
    assert image.alt == f"Image: {url}"


def test_the_device_previews_never_point_an_img_at_a_relative_address():
    images = {"ct_mediaUrl": "example.com"}
    android = {"background_image": "not a url", "large_icon": "https://cdn.example.com/i.png"}
    body = {
        "content": {
            "title": "t",
            "body": "b",
            "platform_specific": {"ios": images, "android": android},
        }
    }
    page = render_to_string(
        registry.preview_template("push"),
        {"device": registry.device_preview("push", body, options=None)},
    )
    assert re.findall(r'<img[^>]* src="([^"]*)"', page) == ["https://cdn.example.com/i.png"]
    assert html.escape(previews.IMAGE_NOT_LOADED.format(url="example.com")) in page
    assert html.escape(previews.IMAGE_NOT_LOADED.format(url="not a url")) in page


# Length counters

CUTS = [previews.Cut("android", "Android", 65), previews.Cut("ios", "iOS", 50)]


@pytest.mark.parametrize(
    ("length", "state"),
    [(0, previews.FITS), (50, previews.FITS), (51, previews.LONG), (300, previews.LONG)],
)
def test_a_counter_is_long_one_past_the_shortest_cut(length, state):
    counter = previews.length_counter("a" * length, what="title", cuts=CUTS)
    assert (counter.count, counter.limit, counter.state) == (length, 50, state)


def test_a_counter_says_in_words_which_devices_cut_the_text():
    assert previews.length_counter("a" * 50, what="title", cuts=CUTS).words == (
        previews.COUNTER_FITS.format(count=50, limit=50, where="iOS")
    )
    assert previews.length_counter("a" * 62, what="title", cuts=CUTS).words == (
        "62 / 50 characters: iOS cuts the title after about 50 characters "
        "in a collapsed notification."
    )
    assert previews.length_counter("a" * 66, what="message", cuts=CUTS).words == (
        "66 / 50 characters: iOS cuts the message after about 50 characters "
        "in a collapsed notification, Android after about 65."
    )
    assert previews.length_counter("a" * 99, what="title", cuts=[]) == previews.Counter(
        99, None, previews.FITS, previews.COUNTER_PLAIN.format(count=99)
    )


def test_a_counter_counts_personalization_tags_as_typed_and_says_so():
    text = "Hi {{ Profile.first_name }}"
    counter = previews.length_counter(text, what="title", cuts=CUTS)
    assert counter.count == len(text)
    assert counter.words.endswith(previews.TAGS_AS_TYPED)
    assert previews.TAGS_AS_TYPED == "Personalization tags ({{…}}) count as typed."


def test_a_device_preview_cuts_the_text_where_its_device_does():
    assert previews.cut_text("a" * 50, CUTS, "ios") == "a" * 50
    assert previews.cut_text("a" * 51, CUTS, "ios") == "a" * 50 + previews.ELLIPSIS
    assert previews.cut_text("a" * 51, CUTS, "android") == "a" * 51
    assert previews.cut_text("a" * 49 + " b", CUTS, "ios") == "a" * 49 + previews.ELLIPSIS
    assert previews.cut_text("a" * 99, CUTS, "firefox") == "a" * 99
