"""Each step's line in words, read from bodies of every shape (imports can hold anything)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import step_summaries as summaries
from tests.reference_examples import reference_examples

GOLD = {"name": "Customer Type", "operator": "equals", "value": "Gold"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {
                "where": {
                    "event_name": "Charged",
                    "from": 20261101,
                    "to": 20261130,
                    "common_profile_properties": {"profile_fields": [GOLD]},
                }
            },
            "People who did Charged between 1 and 30 Nov 2026, Customer Type is Gold",
        ),
        ({"where": {}}, "Everyone"),
        ({"segment": 3}, "Segment 3"),
        (
            {"to": {"Email": [f"u{n}@example.com" for n in range(25_000)]}},
            "25,000 people from a list",
        ),
        ({"to": {"Email": ["a@example.com"]}}, "1 person from a list"),
        ({"to": {"Email": ["a@x.io"], "Identity": ["7", "8"]}}, "3 people from a list"),
        (
            {"where": {"event_name": "Charged", "from": "20171001", "to": "20171220"}},
            "People who did Charged between 1 Oct and 20 Dec 2017",
        ),
        (
            {"where": {"event_name": "Charged", "from": 20151201, "to": 20160110}},
            "People who did Charged between 1 Dec 2015 and 10 Jan 2016",
        ),
        (
            {"where": {"event_name": "Charged", "from": 20261101}},
            "People who did Charged since 1 Nov 2026",
        ),
        ({"where": {"event_name": "Charged"}}, "People who did Charged"),
        (
            {"where": {"common_profile_properties": {"profile_fields": [GOLD]}}},
            "People whose Customer Type is Gold",
        ),
        (
            {
                "where": {
                    "common_profile_properties": {
                        "profile_fields": [
                            {"name": "Age", "operator": "between", "value": [18, 30]},
                            {"name": "Email", "operator": "exists"},
                            {"name": "City", "operator": "not_equals", "value": "Pune"},
                            {"name": "Plan", "operator": "contains", "value": "pro"},
                        ]
                    }
                }
            },
            "People whose Age is between 18 and 30, Email is set, City is not Pune and 1 more",
        ),
        (
            {
                "where": {},
                "advanced_query": {
                    "did_all": [
                        {
                            "event_name": "App Launched",
                            "operator": "greater_than",
                            "value": 5,
                            "from": 20260101,
                            "to": 20260131,
                        },
                    ]
                },
            },
            "People who did App Launched more than 5 times between 1 and 31 Jan 2026",
        ),
        ({}, summaries.NOT_CHOSEN),
        ({"where": {"unknown": 1}}, summaries.FILTERED),
    ],
)
def test_who_says_whom_in_words(body, expected):
    assert summaries.who(body) == expected


@pytest.mark.parametrize(
    ("body", "channel", "expected"),
    [
        ({"content": {"title": "Spring sale", "body": "40% off"}}, "push", "“Spring sale”"),
        ({"content": {"body": "40% off"}}, "push", "“40% off”"),
        ({"content": {"title": "Hi!"}}, "webpush", "“Hi!”"),
        ({"content": {"subject": "Welcome", "body": "<p>x</p>"}}, "email", "“Welcome”"),
        ({"content": {"body": "<p>x</p>"}}, "email", summaries.NO_TITLE),
        ({"content": {"body": "Your code is 1234"}}, "sms", "“Your code is 1234”"),
        ({"content": {"template_name": "otp"}}, "whatsapp", "Template otp"),
        ({"content": {"template": {"template_name": "otp"}}}, "whatsapp", "Template otp"),
        ({"content": {"freeform": {"body": {"text": "Hi"}}}}, "whatsapp", "“Hi”"),
        (
            {"content": {"freeform": {"body": {"type": "location", "media": {}}}}},
            "whatsapp",
            "A message of type location",
        ),
        ({"webhook_endpoint_name": "Recs"}, "webhook", "Webhook Recs"),
        ({"content": [{"title": {"text": "Inbox!"}}]}, "notificationinbox", "“Inbox!”"),
        ({"content": {"title": "x" * 200}}, "push", "“" + "x" * 59 + "…”"),
        ({"content": {"title": "  two\n lines "}}, "push", "“two lines”"),
        ({}, "push", summaries.NO_TITLE),
    ],
)
def test_what_says_the_message_by_its_title(body, channel, expected):
    assert summaries.what(body, channel=channel) == expected


WEEKLY = {
    "type": "recurring",
    "repeat_type": "week",
    "repeats_every": 1,
    "repeat_on_days_of_week": [2],
    "start_time": "20261214 09:00",
}


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("now", "Now"),
        ({"type": "now"}, "Now"),
        ("20261212 10:00", "Once, 12 Dec 2026 at 10:00"),
        (
            {
                "type": "later",
                "delivery_date_time": ["20261212 10:00"],
                "delivery_timezone": "user",
            },
            "Once, 12 Dec 2026 at 10:00 (each person's timezone)",
        ),
        (
            {"type": "later", "delivery_date_time": ["20261213 10:00", "20261212 10:00"]},
            "2 times, first 12 Dec 2026 at 10:00",
        ),
        (WEEKLY, "Every week on Monday at 09:00, from 14 Dec 2026"),
        (
            WEEKLY
            | {"repeats_every": 2, "repeat_on_days_of_week": [2, 6], "end_by_occurrences": 4},
            "Every 2 weeks on Monday and Friday at 09:00, from 14 Dec 2026, 4 times",
        ),
        (
            {
                "type": "recurring",
                "repeat_type": "day",
                "repeats_every": 3,
                "start_time": "20261214 09:00",
                "end_by_date": "20270131",
            },
            "Every 3 days at 09:00, from 14 Dec 2026 until 31 Jan 2027",
        ),
        # Quiet hours half typed leave the repeats readable.
        (
            WEEKLY | {"dnd": {"message_state": "delay"}},
            "Every week on Monday at 09:00, from 14 Dec 2026",
        ),
        ({"type": "later", "delivery_date_time": []}, summaries.NOT_CHOSEN),
        ({}, summaries.NOT_CHOSEN),
        ("tomorrow", summaries.UNREADABLE_WHEN),
        ({"type": "recurring"}, summaries.UNREADABLE_WHEN),
        ({"type": "sometimes"}, summaries.UNREADABLE_WHEN),
        (7, summaries.UNREADABLE_WHEN),
    ],
)
def test_when_says_the_schedule_in_words(when, expected):
    assert summaries.when({"when": when}) == expected


def test_when_without_a_schedule_is_not_chosen():
    assert summaries.when({}) == summaries.NOT_CHOSEN


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ({"event_name": "Charged", "conversion_time": "2D"}, "Charged within 2 days"),
        ({"event_name": "Charged", "conversion_time": "1H"}, "Charged within 1 hour"),
        ({"event_name": "Charged", "conversion_time": "30m"}, "Charged within 30 minutes"),
        ({"event_name": "Charged", "conversion_time": "3X"}, "Charged"),
        ({"conversion_time": "2D"}, summaries.GOAL_WITHOUT_EVENT),
        ("Charged", summaries.GOAL_WITHOUT_EVENT),
    ],
)
def test_goal_says_the_event_and_its_time(goal, expected):
    assert summaries.goal({"conversion_goal": goal}) == expected


def test_no_goal_says_so():
    assert summaries.goal({"name": "x"}) == summaries.NO_GOAL


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, summaries.NO_LIMITS),
        ({"users_limit_overall": 5000}, "At most 5,000 people"),
        (
            {"users_limit_per_run": 100, "upper_cap_for_target_segment": 100_000},
            "At most 100 a run; not sent if more than 100,000 qualify",
        ),
        ({"control_group": {"type": "custom", "name": "Holdout"}}, "Control group “Holdout”"),
        ({"control_group": {"type": "campaign", "percentage": 10}}, "10% kept as a control group"),
        ({"ttl": {"ttl_type": "relative", "value": 2880}}, "Expires after 2 days"),
        ({"ttl": {"ttl_type": "relative", "value": 90}}, "Expires after 90 minutes"),
        ({"ttl": {"ttl_type": "absolute", "value": 202607200000}}, "Expires 20 Jul 2026 at 00:00"),
        ({"respect_frequency_caps": False}, "Frequency caps ignored"),
        (
            {
                "when": {
                    "dnd": {
                        "dnd_timezone": "user",
                        "message_state": "delay",
                        "dnd_info": {str(d): ["21:00", "09:00"] for d in range(1, 8)},
                    }
                }
            },
            "Do Not Disturb 21:00–09:00 every day, messages held until it ends",
        ),
        (
            {"when": {"dnd": {"dnd_info": {"2": ["21:00", "09:00"], "3": ["22:00", "08:00"]}}}},
            "Do Not Disturb on 2 days, messages dropped",
        ),
        (
            {"when": {"dnd": {"dnd_info": {"2": ["21:00", "09:00"]}}, "campaign_cutoff": "22:00"}},
            "Do Not Disturb 21:00–09:00 on Mon, messages dropped; nothing sent after 22:00",
        ),
        ({"devices": ["android", "ios"]}, "Android and iOS only"),
    ],
)
def test_delivery_says_limits_and_quiet_hours_in_words(body, expected):
    assert summaries.delivery(body) == expected


def test_the_campaign_and_the_additional_fields_in_words():
    assert summaries.campaign({"name": "Weekly"}, channel_label="Push") == "“Weekly” · Push"
    assert summaries.campaign({}, channel_label="SMS") == f"{summaries.UNNAMED} · SMS"
    assert summaries.additional({}) == summaries.NO_EXTRAS
    assert summaries.additional({("a",): 1, ("b", "c"): 2}) == "a, b.c"


def test_every_reference_body_reads_in_words():
    for example in reference_examples():
        body = example.body
        assert summaries.who(body) != summaries.NOT_CHOSEN, example.name
        if (
            example.name != "08_targets_app_inbox_carousel_image.json"
        ):  # its first card has no title
            assert summaries.what(body, channel=example.channel) != summaries.NO_TITLE, example.name


# Anything at all: a builder never raises and always answers a line of text.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=8) | st.sampled_from(["1", "2", "7"]), children, max_size=4
        )
    ),
    max_leaves=12,
)
KEYS = [
    "where",
    "segment",
    "advanced_query",
    "to",
    "content",
    "when",
    "conversion_goal",
    "name",
    "users_limit_overall",
    "users_limit_per_run",
    "upper_cap_for_target_segment",
    "control_group",
    "system_control_group_include",
    "ttl",
    "respect_frequency_caps",
    "respect_throttle",
    "send_to_all_devices",
    "devices",
    "webhook_endpoint_name",
]
bodies = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6) | json_values


@settings(deadline=None, max_examples=400)
@given(
    bodies,
    st.sampled_from(
        ["push", "webpush", "email", "sms", "whatsapp", "webhook", "notificationinbox", "other"]
    ),
)
def test_no_body_makes_a_summary_raise(body, channel):
    lines = [
        summaries.who(body),
        summaries.what(body, channel=channel),
        summaries.when(body),
        summaries.goal(body),
        summaries.delivery(body),
        summaries.campaign(body, channel_label="Push"),
    ]
    assert all(isinstance(line, str) and line for line in lines)


@settings(deadline=None, max_examples=200)
@given(
    st.fixed_dictionaries(
        {
            "where": st.fixed_dictionaries(
                {},
                optional={
                    "event_name": json_values,
                    "from": json_values,
                    "to": json_values,
                    "common_profile_properties": st.fixed_dictionaries(
                        {
                            "profile_fields": st.lists(
                                st.dictionaries(
                                    st.sampled_from(["name", "operator", "value"]), json_values
                                ),
                                max_size=3,
                            )
                        }
                    ),
                },
            ),
            "when": st.fixed_dictionaries(
                {"type": st.sampled_from(["now", "later", "recurring", 3])},
                optional={k: json_values for k in summaries.RECURRENCE_KEYS[1:]}
                | {"delivery_date_time": json_values, "dnd": json_values},
            ),
            "conversion_goal": st.dictionaries(
                st.sampled_from(["event_name", "conversion_time"]), json_values
            ),
            "ttl": st.dictionaries(st.sampled_from(["ttl_type", "value"]), json_values),
        }
    )
)
def test_nearly_right_bodies_never_make_a_summary_raise(body):
    for line in (
        summaries.who(body),
        summaries.when(body),
        summaries.goal(body),
        summaries.delivery(body),
    ):
        assert isinstance(line, str) and line
