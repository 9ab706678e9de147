import html
import json
import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import previews


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
