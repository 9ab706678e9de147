"""Estimates against counts computed here, in plain Python, over the same seeded rows."""

import collections
import dataclasses
import datetime

import pytest

from campaigns.channels import webpush
from sandbox import audience, seeding, testing
from sandbox.models import Event, Profile, Segment

CREATE = "targets/create.json"
D = seeding.yyyymmdd


def days_ago(days: int) -> int:
    return D(testing.TODAY - datetime.timedelta(days=days))


@dataclasses.dataclass
class Rows:
    profiles: list[Profile]
    events: list[Event]

    def ids(self, keep=lambda profile: True) -> set[int]:
        return {profile.id for profile in self.profiles if keep(profile)}

    def did(self, name: str, day_from: int | None = None, day_to: int | None = None) -> set[int]:
        return {
            event.profile_id
            for event in self.events
            if event.name == name
            and (day_from is None or event.day >= day_from)
            and (day_to is None or event.day <= day_to)
        }

    def times(self, name: str, day_from: int, day_to: int) -> collections.Counter:
        return collections.Counter(
            event.profile_id
            for event in self.events
            if event.name == name and day_from <= event.day <= day_to
        )


@pytest.fixture
def rows(db) -> Rows:
    testing.audience_small(profiles=300, events_per_profile=6)
    return Rows(list(Profile.objects.all()), list(Event.objects.all()))


def webhook_reach(where: dict | None, **extra) -> int:
    """A webhook reaches the whole target segment: its estimate is the segment's size.
    `where=None` leaves `where` out, as a body that targets a segment does."""
    body = {"target_mode": "webhook", **({} if where is None else {"where": where}), **extra}
    return audience.estimate(body=body, endpoint=CREATE)["webhook"]


def profile_fields(*rows: dict) -> dict:
    return {"common_profile_properties": {"profile_fields": list(rows)}}


def prop(profile: Profile, name: str):
    return profile.properties.get(name)


def test_empty_where_targets_everyone(rows):
    assert webhook_reach({}) == len(rows.profiles) == 300


def test_event_in_a_date_range_counts_users_who_did_it_at_least_once(rows):
    expected = rows.did("Charged", days_ago(90), days_ago(0))
    assert 0 < len(expected) < 300
    assert webhook_reach({"event_name": "Charged", "from": days_ago(90), "to": days_ago(0)}) == (
        len(expected)
    )


def test_event_range_is_inclusive_at_both_ends(rows):
    day = max(event.day for event in rows.events if event.name == "Product Viewed")
    expected = rows.did("Product Viewed", day, day)
    assert expected
    assert webhook_reach({"event_name": "Product Viewed", "from": day, "to": day}) == len(expected)


def test_event_without_dates_means_ever(rows):
    assert webhook_reach({"event_name": "Searched"}) == len(rows.did("Searched"))


@pytest.mark.parametrize(
    ("row", "keep"),
    [
        (
            {"name": "Customer Type", "operator": "equals", "value": "Gold"},
            lambda p: prop(p, "Customer Type") == "Gold",
        ),
        (
            {"name": "Customer Type", "operator": "equals", "value": ["Gold", "Platinum"]},
            lambda p: prop(p, "Customer Type") in ("Gold", "Platinum"),
        ),
        (
            {"name": "Customer Type", "operator": "not_equals", "value": "Silver"},
            lambda p: prop(p, "Customer Type") not in (None, "Silver"),
        ),
        (
            {"name": "Age", "operator": "greater_than", "value": 40},
            lambda p: prop(p, "Age") is not None and prop(p, "Age") > 40,
        ),
        (
            {"name": "Age", "operator": "greater_than_equals", "value": "40"},
            lambda p: prop(p, "Age") is not None and prop(p, "Age") >= 40,
        ),
        (
            {"name": "Age", "operator": "less_than", "value": 25},
            lambda p: prop(p, "Age") is not None and prop(p, "Age") < 25,
        ),
        (
            {"name": "Age", "operator": "less_than_equals", "value": 25},
            lambda p: prop(p, "Age") is not None and prop(p, "Age") <= 25,
        ),
        (
            {"name": "Age", "operator": "between", "value": [30, 39]},
            lambda p: prop(p, "Age") is not None and 30 <= prop(p, "Age") <= 39,
        ),
        (
            {"name": "Age", "operator": "equals", "value": "33"},
            lambda p: prop(p, "Age") == 33,
        ),
        (
            {"name": "City", "operator": "contains", "value": "BAI"},
            lambda p: "bai" in prop(p, "City").lower(),
        ),
        (
            {"name": "City", "operator": "does_not_contain", "value": "bai"},
            lambda p: "bai" not in prop(p, "City").lower(),
        ),
        ({"name": "Age", "operator": "exists"}, lambda p: "Age" in p.properties),
        ({"name": "Gender", "operator": "does_not_exist"}, lambda p: "Gender" not in p.properties),
        (
            {"name": "Email", "operator": "contains", "value": "gmail"},
            lambda p: "gmail" in p.email,
        ),
        ({"name": "phone", "operator": "exists"}, lambda p: p.phone != ""),
        (
            {"name": "Identity", "operator": "equals", "value": "cust-0000007"},
            lambda p: p.identity == "cust-0000007",
        ),
    ],
    ids=lambda value: f"{value['name']} {value['operator']}" if isinstance(value, dict) else "",
)
def test_profile_field_operators_match_a_count_made_in_python(rows, row, keep):
    expected = rows.ids(keep)
    assert 0 < len(expected) < 300, "the sample must make this filter meaningful"
    assert webhook_reach(profile_fields(row)) == len(expected)


def test_numbers_compare_as_numbers_not_as_text(rows):
    # As text "9" > "40"; as numbers no age is 9 or below, so nothing is under 10.
    assert webhook_reach(profile_fields({"name": "Age", "operator": "less_than", "value": 10})) == 0
    older = rows.ids(lambda p: prop(p, "Age") is not None and prop(p, "Age") > 9)
    assert webhook_reach(
        profile_fields({"name": "Age", "operator": "greater_than", "value": 9})
    ) == (len(older))


def test_event_and_profile_fields_combine_with_and(rows):
    expected = rows.did("App Launched", days_ago(30), days_ago(0)) & rows.ids(
        lambda p: prop(p, "Customer Type") == "Platinum"
    )
    assert expected
    where = {
        "event_name": "App Launched",
        "from": days_ago(30),
        "to": days_ago(0),
        **profile_fields({"name": "Customer Type", "operator": "equals", "value": "Platinum"}),
    }
    assert webhook_reach(where) == len(expected)


@pytest.mark.parametrize(
    ("operator", "value", "holds"),
    [
        ("greater_than_equals", 2, lambda n: n >= 2),
        ("greater_than", 1, lambda n: n > 1),
        ("equals", 0, lambda n: n == 0),
        ("equals", 1, lambda n: n == 1),
        ("not_equals", 0, lambda n: n != 0),
        ("less_than", 2, lambda n: n < 2),
        ("less_than_equals", 1, lambda n: n <= 1),
        ("between", [1, 2], lambda n: 1 <= n <= 2),
    ],
)
def test_did_all_counts_times_in_the_range_including_users_who_never_did_it(
    rows, operator, value, holds
):
    day_from, day_to = days_ago(180), days_ago(0)
    times = rows.times("App Launched", day_from, day_to)
    expected = rows.ids(lambda p: holds(times.get(p.id, 0)))
    assert 0 < len(expected) < 300
    did_all = [
        {
            "event_name": "App Launched",
            "from": day_from,
            "to": day_to,
            "operator": operator,
            "value": value,
        }
    ]
    assert webhook_reach({}, advanced_query={"did_all": did_all}) == len(expected)
    assert webhook_reach({"advanced_query": {"did_all": did_all}}) == len(expected)


def test_did_all_rows_all_have_to_hold(rows):
    viewed = rows.times("Product Viewed", days_ago(365), days_ago(0))
    charged = rows.times("Charged", days_ago(365), days_ago(0))
    expected = rows.ids(lambda p: viewed.get(p.id, 0) >= 3 and charged.get(p.id, 0) == 0)
    assert expected
    did_all = [
        {
            "event_name": "Product Viewed",
            "from": days_ago(365),
            "to": days_ago(0),
            "operator": "greater_than_equals",
            "value": 3,
        },
        {
            "event_name": "Charged",
            "from": days_ago(365),
            "to": days_ago(0),
            "operator": "equals",
            "value": 0,
        },
    ]
    assert webhook_reach({}, advanced_query={"did_all": did_all}) == len(expected)


def test_segment_applies_its_stored_where(rows):
    platinum = Segment.objects.get(name="Platinum customers")
    expected = rows.ids(lambda p: prop(p, "Customer Type") == "Platinum")
    assert webhook_reach(None, segment=platinum.id) == len(expected)
    cart = Segment.objects.get(name="Abandoned a cart this week")
    added = rows.did("Added To Cart", days_ago(7), days_ago(0))
    bought = rows.did("Charged", days_ago(7), days_ago(0))
    assert added - bought
    assert webhook_reach(None, segment=str(cart.id)) == len(added - bought)


def test_segment_and_where_both_hold(rows):
    # The payload core refuses a body with both (the API never counts one); the audience module
    # still reads both as documented.
    platinum = Segment.objects.get(name="Platinum customers")
    expected = rows.did("Charged") & rows.ids(lambda p: prop(p, "Customer Type") == "Platinum")
    assert webhook_reach({"event_name": "Charged"}, segment=platinum.id) == len(expected)


def test_unknown_segment_is_refused(rows):
    with pytest.raises(audience.AudienceError) as raised:
        webhook_reach(None, segment=999)
    assert raised.value.message == audience.ERROR_UNKNOWN_SEGMENT.format(segment=999)


# Reachability per channel


def estimate(**body) -> dict[str, int]:
    return audience.estimate(body={"where": {}, **body}, endpoint=CREATE)


def test_push_counts_users_with_both_apps_once_on_the_last_device(rows):
    android = rows.ids(
        lambda p: p.has_android and (not p.has_ios or p.last_push_device == "android")
    )
    ios = rows.ids(lambda p: p.has_ios and (not p.has_android or p.last_push_device == "ios"))
    assert rows.ids(lambda p: p.has_android and p.has_ios), "some users must have both apps"
    # No one in the sample audience has the Windows app: answered 0, as CleverTap answers it.
    assert estimate(target_mode="push") == {"android": len(android), "ios": len(ios), "windows": 0}


def test_push_to_all_devices_counts_every_app(rows):
    result = estimate(target_mode="push", send_to_all_devices=True)
    assert result == {
        "android": len(rows.ids(lambda p: p.has_android)),
        "ios": len(rows.ids(lambda p: p.has_ios)),
        "windows": 0,
    }


def test_push_devices_restrict_the_platforms(rows):
    assert estimate(target_mode="push", devices=["ios"]) == {
        "ios": len(rows.ids(lambda p: p.has_ios))
    }
    assert estimate(target_mode="push", devices=["windows", "android"]) == {
        "android": len(rows.ids(lambda p: p.has_android)),
        "windows": 0,
    }


def test_notification_inbox_reaches_the_app_users_like_push(rows):
    assert estimate(target_mode="notificationinbox") == estimate(target_mode="push")


def test_webpush_counts_per_browser(rows):
    result = estimate(target_mode="webpush")
    assert set(result) == {"chrome", "firefox", "safari", "edge"}
    assert result["chrome"] == len(rows.ids(lambda p: p.last_web_browser == "chrome"))
    everywhere = estimate(target_mode="webpush", send_to_all_devices=True)
    assert everywhere["chrome"] == len(rows.ids(lambda p: p.has_chrome))
    assert sum(everywhere.values()) >= sum(result.values())


def test_email_skips_opted_out_users_unless_told_otherwise(rows):
    reachable = rows.ids(lambda p: p.email and not p.email_opt_out)
    with_address = rows.ids(lambda p: p.email)
    assert reachable < with_address
    assert estimate(target_mode="email") == {"email": len(reachable)}
    overridden = estimate(target_mode="email", send_email_to_opted_out_users=True)
    assert overridden == {"email": len(with_address)}


def test_sms_and_whatsapp_need_a_phone_and_no_opt_out(rows):
    assert estimate(target_mode="sms") == {
        "sms": len(rows.ids(lambda p: p.phone and not p.sms_opt_out))
    }
    assert estimate(target_mode="whatsapp") == {
        "whatsapp": len(rows.ids(lambda p: p.phone and not p.whatsapp_opt_out))
    }
    assert estimate(target_mode="whatsapp", respect_communication_preference=False) == {
        "whatsapp": len(rows.ids(lambda p: p.phone))
    }


def test_a_create_without_target_mode_is_estimated_as_push(rows):
    body = {"where": {}}
    assert audience.estimate(body=body, endpoint="targets/create.json") == estimate(
        target_mode="push"
    )


def test_unknown_target_mode_is_refused(rows):
    with pytest.raises(audience.AudienceError) as raised:
        estimate(target_mode="pigeon")
    assert raised.value.message == audience.ERROR_UNKNOWN_TARGET_MODE


# Holdouts and caps


def test_campaign_control_group_holds_out_its_percentage(rows):
    kept = rows.ids(lambda p: p.email and not p.email_opt_out and p.control_bucket >= 20)
    result = estimate(target_mode="email", control_group={"type": "campaign", "percentage": 20})
    assert result == {"email": len(kept)}
    assert len(kept) < estimate(target_mode="email")["email"]


def test_system_control_group_holds_out_five_percent(rows):
    kept = rows.ids(lambda p: p.control_bucket < 95)
    assert estimate(target_mode="webhook", system_control_group_include=True) == {
        "webhook": len(kept)
    }


def test_users_limit_overall_scales_every_key_down_in_proportion(rows):
    full = estimate(target_mode="push")
    assert sum(full.values()) > 100
    capped = estimate(target_mode="push", users_limit_overall=100)
    assert sum(capped.values()) == 100
    assert capped["android"] == pytest.approx(100 * full["android"] / sum(full.values()), abs=1)


def test_users_limit_per_run_caps_too_and_the_smaller_limit_wins(rows):
    assert sum(estimate(target_mode="push", users_limit_per_run=120).values()) == 120
    both = estimate(target_mode="push", users_limit_overall=150, users_limit_per_run=110)
    assert sum(both.values()) == 110


def test_a_limit_above_the_reach_changes_nothing(rows):
    assert estimate(target_mode="sms", users_limit_overall=100_000) == estimate(target_mode="sms")


def test_upper_cap_exceeded_fails_with_the_segment_size(rows):
    with pytest.raises(audience.UpperCapExceeded) as raised:
        estimate(target_mode="push", upper_cap_for_target_segment=100)
    assert raised.value.message == audience.ERROR_UPPER_CAP_EXCEEDED.format(size=300, cap=100)


def test_upper_cap_not_exceeded_estimates_normally(rows):
    assert estimate(target_mode="push", upper_cap_for_target_segment=300) == estimate(
        target_mode="push"
    )


def test_upper_cap_counts_the_segment_before_reachability_and_holdouts(rows):
    result = audience.reach(
        body={
            "target_mode": "email",
            "where": {},
            "control_group": {"type": "campaign", "percentage": 50},
        },
        endpoint=CREATE,
    )
    assert result.target_size == 300
    assert result.estimates["email"] < 150


# Send endpoints: the recipients named in "to"


def test_send_estimates_count_the_named_recipients(rows):
    first, second, third = rows.profiles[:3]
    to = {
        "Identity": [first.identity, "nobody"],
        "Email": [second.email.upper()] if second.email else [],
        "objectId": [third.object_id],
    }
    named = [p for p in (first, second, third) if p.email or p is not second]
    result = audience.estimate(body={"to": to}, endpoint="/1/send/webpush.json")
    expected = collections.Counter(p.last_web_browser for p in named if p.last_web_browser)
    assert result == {browser: expected.get(browser, 0) for browser in webpush.ESTIMATE_KEYS}
    assert audience.target_profiles(body={"to": to}, endpoint="send/sms.json").count() == len(named)


def test_send_to_nobody_known_reaches_nobody(rows):
    assert audience.estimate(body={"to": {"Identity": ["x"]}}, endpoint="send/email.json") == {
        "email": 0
    }


def test_unknown_endpoint_is_refused(rows):
    with pytest.raises(audience.AudienceError) as raised:
        audience.estimate(body={"to": {}}, endpoint="send/fax.json")
    assert raised.value.message == audience.ERROR_UNKNOWN_ENDPOINT


# Bad filters fail clearly instead of counting something else


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            profile_fields({"name": "Age", "operator": "about", "value": 3}),
            audience.ERROR_UNKNOWN_OPERATOR.format(operator="about"),
        ),
        (
            profile_fields({"name": "Age", "operator": "between", "value": [1]}),
            audience.ERROR_BETWEEN_VALUE,
        ),
        ({"event_name": "Charged", "from": "last week"}, audience.ERROR_DATE.format(key="from")),
        ([], audience.ERROR_WHERE_NOT_OBJECT),
    ],
)
def test_malformed_filters_are_refused_with_a_message(rows, where, message):
    with pytest.raises(audience.AudienceError) as raised:
        audience.estimate(body={"target_mode": "push", "where": where}, endpoint=CREATE)
    assert raised.value.message == message
