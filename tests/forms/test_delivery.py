import functools
from datetime import UTC, datetime

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import payloads
from campaigns.forms import delivery
from campaigns.forms import schedule as schedule_forms
from campaigns.forms.options import NO_OPTIONS, AccountOptions
from campaigns.models import Api
from tests import payload_checks
from tests.reference_examples import reference_examples

EMAIL = {"subject": "s", "body": "<p>b</p>", "sender_name": "n"}
BASE = {"name": "x", "target_mode": "email", "content": EMAIL, "where": {}, "when": "now"}
TARGETS = [e for e in reference_examples() if e.endpoint == payloads.TARGETS_ENDPOINT]
DELIVERY_KEYS = {path[0] for path in delivery.DeliveryForm.paths.values()}
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch, settings):
    settings.TIME_ZONE = "UTC"
    monkeypatch.setattr(schedule_forms, "current_time", lambda: NOW)


# These parts are the same for every channel: email stands for them all.
errors = functools.partial(payload_checks.errors, channel="email")
messages_at = functools.partial(payload_checks.messages_at, channel="email")
round_trips = functools.partial(payload_checks.round_trips, channel="email")
extras = functools.partial(payload_checks.extras, channel="email")


@pytest.mark.parametrize("example", TARGETS, ids=lambda e: e.name)
def test_every_targets_examples_delivery_controls_are_read(example):
    parsed = payloads.parse_body(example.body, api=Api.TARGETS, channel=example.channel)
    assert not [path for path in parsed.extras if path[0] in DELIVERY_KEYS]


def test_the_reference_push_example_is_valid_but_for_its_past_absolute_ttl():
    [example] = [e for e in TARGETS if e.name.startswith("02_")]
    found = payloads.body_errors(example.body, api=Api.TARGETS, channel="push", options=NO_OPTIONS)
    assert [(e.where, e.message) for e in found if e.path[0] in DELIVERY_KEYS] == [
        ("ttl.value", delivery.TTL_ABSOLUTE_IN_PAST)
    ]


def test_send_bodies_have_no_delivery_part():
    assert "delivery" not in [s.prefix for s in payloads.sections(Api.SEND, "push")]


@pytest.mark.parametrize("key", ["async_estimate", "skip_estimate"])
def test_publish_options_are_not_draft_fields_and_stay_aside(key):
    body = BASE | {key: True}
    assert extras(body) == {(key,): True}
    assert round_trips(body)


# Limits.


@pytest.mark.parametrize("key", ["users_limit_overall", "upper_cap_for_target_segment"])
def test_a_limit_is_at_least_100(key):
    assert messages_at(BASE | {key: 99}, key) == [delivery.LIMIT_TOO_LOW]
    assert errors(BASE | {key: 100}) == []
    assert errors(BASE | {key: 101}) == []


def test_the_overall_limit_and_the_upper_cap_never_go_together():
    body = BASE | {"users_limit_overall": 250, "upper_cap_for_target_segment": 500}
    assert messages_at(body, "upper_cap_for_target_segment") == [delivery.LIMIT_OR_CAP]


def test_the_rule_sees_a_limit_kept_aside_too():
    body = BASE | {"users_limit_overall": "250", "upper_cap_for_target_segment": 500}
    assert delivery.LIMIT_OR_CAP in messages_at(body, "upper_cap_for_target_segment")
    assert round_trips(body)


def test_the_upper_cap_goes_with_a_segment_too():
    body = {k: v for k, v in BASE.items() if k != "where"}
    assert errors(body | {"segment": 7, "upper_cap_for_target_segment": 500}) == []


def test_a_per_run_limit_is_at_least_one():
    assert messages_at(BASE | {"users_limit_per_run": 0}, "users_limit_per_run") == [
        delivery.PER_RUN_TOO_LOW
    ]
    assert errors(BASE | {"users_limit_per_run": 199}) == []


# Control groups.


@pytest.mark.parametrize(
    "group",
    [{"type": "custom", "name": "Holdout"}, {"type": "campaign", "percentage": 5}],
)
def test_both_kinds_of_control_group_are_read_and_valid(group):
    body = BASE | {"control_group": group, "system_control_group_include": True}
    assert errors(body) == [] and extras(body) == {} and round_trips(body)


def test_a_custom_control_group_the_account_defines_is_valid():
    body = BASE | {"control_group": {"type": "custom", "name": "Holdout"}}
    options = AccountOptions(control_groups=("Holdout", "Loyal"))
    assert errors(body, options=options) == []


@pytest.mark.parametrize(
    "defined, known",
    [
        (("Loyal", "VIP"), delivery.CONTROL_GROUP_KNOWN.format(names="Loyal, VIP")),
        # CleverTap refuses every name when the account defines none.
        ((), delivery.CONTROL_GROUP_NONE_KNOWN),
    ],
)
def test_a_custom_control_group_the_account_does_not_define_is_refused(defined, known):
    body = BASE | {"control_group": {"type": "custom", "name": "Holdout"}}
    found = errors(body, options=AccountOptions(control_groups=defined))
    assert [(e.where, e.message, e.api_message) for e in found] == [
        (
            "control_group.name",
            delivery.CONTROL_GROUP_UNKNOWN.format(name="Holdout", known=known),
            "No custom control group with name Holdout is defined",
        )
    ]


@pytest.mark.parametrize(
    "group, where, message",
    [
        ({"name": "Holdout"}, "control_group.type", delivery.CONTROL_GROUP_TYPE_REQUIRED),
        ({"type": "custom"}, "control_group.name", delivery.CONTROL_GROUP_NAME_REQUIRED),
        (
            {"type": "campaign"},
            "control_group.percentage",
            delivery.CONTROL_GROUP_PERCENTAGE_REQUIRED,
        ),
        (
            {"type": "custom", "name": "H", "percentage": 5},
            "control_group.percentage",
            delivery.CONTROL_GROUP_PERCENTAGE_ONLY_CAMPAIGN,
        ),
        (
            {"type": "campaign", "percentage": 5, "name": "H"},
            "control_group.name",
            delivery.CONTROL_GROUP_NAME_ONLY_CUSTOM,
        ),
        (
            {"type": "campaign", "percentage": 100},
            "control_group.percentage",
            delivery.CONTROL_GROUP_PERCENTAGE_RANGE,
        ),
        (
            {"type": "system", "name": "H"},
            "control_group.type",
            delivery.CONTROL_GROUP_TYPE_UNKNOWN % {"value": "system"},
        ),
    ],
)
def test_control_group_rules(group, where, message):
    body = BASE | {"control_group": group}
    assert messages_at(body, where) == [message]
    assert round_trips(body)


def test_a_control_group_that_is_not_an_object_is_kept_and_reported():
    body = BASE | {"control_group": "Holdout"}
    assert messages_at(body, "control_group") == [
        payloads.MUST_BE_OBJECT.format(path="control_group")
    ]
    assert round_trips(body)


# Time to live.


@pytest.mark.parametrize(
    "ttl",
    [{"ttl_type": "relative", "value": 2880}, {"ttl_type": "absolute", "value": 202607200000}],
)
def test_relative_and_future_absolute_ttls_are_valid(ttl):
    body = BASE | {"ttl": ttl}
    assert errors(body) == [] and extras(body) == {} and round_trips(body)


@pytest.mark.parametrize(
    "ttl, where, message",
    [
        ({"value": 10}, "ttl.ttl_type", delivery.TTL_TYPE_REQUIRED),
        ({"ttl_type": "relative"}, "ttl.value", delivery.TTL_VALUE_REQUIRED),
        ({"ttl_type": "relative", "value": 0}, "ttl.value", delivery.TTL_MINUTES_TOO_LOW),
        (
            {"ttl_type": "absolute", "value": 202207200000},
            "ttl.value",
            delivery.TTL_ABSOLUTE_IN_PAST,
        ),
        ({"ttl_type": "absolute", "value": 20260720}, "ttl.value", delivery.TTL_ABSOLUTE_INVALID),
        (
            {"ttl_type": "absolute", "value": 202613200000},
            "ttl.value",
            delivery.TTL_ABSOLUTE_INVALID,
        ),
        (
            {"ttl_type": "forever", "value": 1},
            "ttl.ttl_type",
            delivery.TTL_TYPE_UNKNOWN % {"value": "forever"},
        ),
    ],
)
def test_ttl_rules(ttl, where, message):
    body = BASE | {"ttl": ttl}
    assert messages_at(body, where) == [message]
    assert round_trips(body)


# Devices.


def test_devices_keep_their_order_through_the_browser():
    for devices in (["ios", "android"], ["android", "ios"], ["web"]):
        body = BASE | {"devices": devices, "send_to_all_devices": False}
        assert errors(body) == [] and extras(body) == {} and round_trips(body)


def test_the_chosen_devices_are_checked_and_listed_first():
    parsed = payloads.parse_body(
        BASE | {"devices": ["web", "ios"]}, api=Api.TARGETS, channel="email"
    )
    forms = payloads.bind_forms(parsed.data, api=Api.TARGETS, channel="email")
    html = render_to_string("campaigns/_payload_form.html", {"form": forms["delivery"]})
    order = [html.index(f'value="{device}"') for device in ("web", "ios", "android")]
    assert order == sorted(order)
    assert html.count("checked") == 2


def test_an_unknown_device_is_shown_kept_and_reported():
    body = BASE | {"devices": ["android", "blackberry"]}
    assert messages_at(body, "devices") == [delivery.DEVICE_UNKNOWN % {"value": "blackberry"}]
    assert round_trips(body) and extras(body) == {}


def test_devices_accept_what_clevertap_accepts_windows_included():
    body = BASE | {"devices": ["windows", "android", "ios", "web"]}
    assert messages_at(body, "devices") == []
    assert round_trips(body) and extras(body) == {}
    labels = dict(delivery.DeliveryForm.base_fields["devices"].choices)
    assert labels["windows"] == "Windows"


def test_repeated_devices_stay_aside_unchanged():
    body = BASE | {"devices": ["ios", "ios"]}
    assert extras(body) == {("devices",): ["ios", "ios"]}
    assert round_trips(body)


def test_devices_left_unchecked_are_left_out():
    data = QueryDict(mutable=True)
    data.update({"delivery-send_to_all_devices": "true"})
    form = delivery.DeliveryForm(data, prefix="delivery")
    assert form.to_json() == {"send_to_all_devices": True}


# Round trips of generated delivery controls.


@st.composite
def controls(draw):
    value: dict = {}
    limit = draw(st.sampled_from(["users_limit_overall", "upper_cap_for_target_segment", None]))
    if limit:
        value[limit] = draw(st.integers(100, 10**7))
    if draw(st.booleans()):
        value["users_limit_per_run"] = draw(st.integers(1, 10**6))
    if draw(st.booleans()):
        value["system_control_group_include"] = draw(st.booleans())
    group = draw(st.sampled_from(["custom", "campaign", None]))
    if group == "custom":
        value["control_group"] = {
            "type": "custom",
            "name": draw(st.from_regex(r"[A-Za-z]{1,9}", fullmatch=True)),
        }
    elif group == "campaign":
        value["control_group"] = {"type": "campaign", "percentage": draw(st.integers(1, 99))}
    ttl = draw(st.sampled_from(["relative", "absolute", None]))
    if ttl == "relative":
        value["ttl"] = {"ttl_type": "relative", "value": draw(st.integers(1, 40320))}
    elif ttl == "absolute":
        day = draw(st.integers(11, 28))
        value["ttl"] = {"ttl_type": "absolute", "value": int(f"202603{day:02}0930")}
    if draw(st.booleans()):
        value["send_to_all_devices"] = draw(st.booleans())
    if draw(st.booleans()):
        names = [name for name, _ in delivery.DEVICES]
        value["devices"] = draw(st.permutations(names).map(lambda p: p[: draw(st.integers(1, 3))]))
    return value


@given(controls())
@settings(max_examples=30, deadline=None)
def test_generated_delivery_controls_round_trip_and_are_read(value):
    body = BASE | value
    assert round_trips(body)
    assert extras(body) == {}
    assert errors(body) == []
