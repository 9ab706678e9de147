import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import payloads
from campaigns.forms import audience, goal
from tests import payload_checks
from tests.reference_examples import reference_examples

EMAIL = {"subject": "s", "body": "<p>b</p>", "sender_name": "n"}
BASE = {"name": "x", "target_mode": "email", "content": EMAIL, "where": {}, "when": "now"}
[EXAMPLE] = [e for e in reference_examples() if e.name == "02_targets_push_conversion_goal.json"]
GOAL = EXAMPLE.body["conversion_goal"]
FILTERS = "conversion_goal.filter_type"


def with_goal(value):
    return BASE | {"conversion_goal": value}


def with_filter(**parts):
    return with_goal(GOAL | {"filter_type": GOAL["filter_type"] | parts})


# These parts are the same for every channel: email stands for them all.
errors = functools.partial(payload_checks.errors, channel="email")
messages_at = functools.partial(payload_checks.messages_at, channel="email")
round_trips = functools.partial(payload_checks.round_trips, channel="email")
extras = functools.partial(payload_checks.extras, channel="email")


def test_the_reference_goal_is_read_valid_and_round_trips():
    assert payload_checks.extras_in(EXAMPLE.body, "conversion_goal", channel="push") == {}
    body = with_goal(GOAL)
    assert errors(body) == [] and extras(body) == {} and round_trips(body)


def test_a_goal_is_optional():
    assert errors(BASE) == []


@pytest.mark.parametrize(
    "missing, message",
    [
        ("event_name", goal.GOAL_EVENT_REQUIRED),
        ("conversion_time", goal.GOAL_CONVERSION_TIME_REQUIRED),
        ("revenue_property", goal.GOAL_REVENUE_PROPERTY_REQUIRED),
    ],
)
def test_a_set_goal_needs_its_event_conversion_time_and_revenue_property(missing, message):
    body = with_goal({k: v for k, v in GOAL.items() if k != missing})
    assert messages_at(body, f"conversion_goal.{missing}") == [message]


def test_an_empty_goal_is_a_set_goal_missing_its_parts():
    body = with_goal({})
    assert messages_at(body, "conversion_goal.event_name") == [goal.GOAL_EVENT_REQUIRED]
    assert messages_at(body, "conversion_goal.conversion_time") == [
        goal.GOAL_CONVERSION_TIME_REQUIRED
    ]
    assert round_trips(body)


def test_a_goal_that_is_not_an_object_is_kept_and_reported():
    body = with_goal("Charged")
    assert messages_at(body, "conversion_goal") == [
        payloads.MUST_BE_OBJECT.format(path="conversion_goal")
    ]
    assert round_trips(body)


def test_a_required_part_of_the_wrong_type_is_reported_once():
    body = with_goal(GOAL | {"event_name": 5})
    assert messages_at(body, "conversion_goal.event_name") == [
        "Conversion event must be text, not 5."
    ]
    assert round_trips(body)


@pytest.mark.parametrize("value", ["3d", "0D", "3 days", "D", "1.5H"])
def test_the_conversion_time_is_a_number_and_a_unit(value):
    body = with_goal(GOAL | {"conversion_time": value})
    assert messages_at(body, "conversion_goal.conversion_time") == [goal.CONVERSION_TIME_INVALID]
    assert round_trips(body)


@pytest.mark.parametrize("value", ["30m", "12H", "3D", "2W", "1M"])
def test_every_conversion_time_unit_is_valid(value):
    assert errors(with_goal(GOAL | {"conversion_time": value})) == []


@pytest.mark.parametrize(
    "posted, sent",
    [
        ({"conversion_time_0": "3", "conversion_time_1": "D"}, "3D"),
        # A script, or a page from before the two inputs, posts the whole text.
        ({"conversion_time": "12H"}, "12H"),
        ({"conversion_time_0": "3", "conversion_time_1": ""}, "3"),
    ],
)
def test_the_conversion_time_is_posted_as_a_number_and_a_unit(posted, sent):
    data = {f"goal-{name}": value for name, value in posted.items()}
    form = goal.GoalForm(data | {"goal-SHOWN": "1"}, prefix="goal")
    assert form.to_json()["conversion_goal"]["conversion_time"] == sent


@pytest.mark.parametrize("value", ["3D", "90m", "3 days", "3d", "0D"])
def test_a_conversion_time_comes_back_exactly_through_its_two_inputs(value):
    assert round_trips(with_goal(GOAL | {"conversion_time": value}))


def test_the_conversion_times_units_are_spelled_out():
    html = payload_checks.rendered_forms_html(with_goal(GOAL), api="targets", channel="email")
    for unit in ("minutes", "hours", "days", "weeks", "months"):
        assert f">{unit}</option>" in html
    assert 'id="id_goal-conversion_time"' in html


def test_first_and_last_time_are_yes_or_no():
    body = with_filter(first_time="true")
    assert messages_at(body, f"{FILTERS}.first_time") == [goal.YES_NO_UNKNOWN % {"value": "true"}]
    assert round_trips(body) and extras(body) == {}


def test_days_of_the_month_are_1_to_31():
    body = with_filter(day_of_month=[0, 32])
    assert messages_at(body, f"{FILTERS}.day_of_month")
    assert round_trips(body)


def test_days_of_the_week_are_1_to_7_and_otherwise_kept_and_reported():
    body = with_filter(day_of_week=[1, 8])
    assert messages_at(body, f"{FILTERS}.day_of_week")
    assert round_trips(body)


def test_nested_item_properties_and_all_operators_are_read():
    rows = [
        {"property_name": "Items|Book name", "operator": "contains", "property_value": "war"},
        {"property_name": "Amount", "operator": "between", "property_value": [10, 99.5]},
        {"property_name": "Coupon", "operator": "does_not_exist"},
        {"property_name": "Amount", "operator": "greater_than_equals", "property_value": 3456},
        {"property_name": "Code", "operator": "equals", "property_value": "3456"},
    ]
    body = with_filter(event_property=rows)
    assert errors(body) == [] and extras(body) == {} and round_trips(body)


def test_between_needs_two_values_in_a_goal_too():
    rows = [{"property_name": "Amount", "operator": "between", "property_value": 10}]
    body = with_filter(event_property=rows)
    assert messages_at(body, f"{FILTERS}.event_property[0].property_value") == [
        audience.BETWEEN_NEEDS_TWO
    ]


def test_exists_takes_no_value_in_a_goal_too():
    rows = [{"property_name": "Coupon", "operator": "exists", "property_value": "x"}]
    body = with_filter(event_property=rows)
    assert messages_at(body, f"{FILTERS}.event_property[0].property_value") == [
        audience.VALUE_NOT_ALLOWED.format(operator="exists")
    ]


def test_an_event_property_filter_needs_its_name():
    body = with_filter(event_property=[{"operator": "equals", "property_value": "x"}])
    assert messages_at(body, f"{FILTERS}.event_property[0].property_name") == [
        goal.GOAL_PROPERTY_NAME_REQUIRED
    ]


def test_time_of_day_windows_are_pairs_of_times():
    body = with_filter(time_of_day=[["21:00", "23:00"], ["9:00", "10:00"]])
    assert messages_at(body, f"{FILTERS}.time_of_day[1]") == [goal_window_message()]
    assert round_trips(body)
    body = with_filter(time_of_day=[["21:00", "21:00"]])
    assert messages_at(body, f"{FILTERS}.time_of_day[0][1]") == [
        payloads.schedule_forms.WINDOW_EMPTY
    ]


def goal_window_message():
    return payloads.schedule_forms.WINDOW_NOT_PAIR


# Round trips of generated goals.

names = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "Zs"), exclude_characters="\r\n"),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s)
clock = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02}:{t[1]:02}")


@st.composite
def goals(draw):
    value = {
        "event_name": draw(names),
        "conversion_time": f"{draw(st.integers(1, 99))}{draw(st.sampled_from('mHDWM'))}",
        "revenue_property": draw(names),
    }
    filters: dict = {}
    if draw(st.booleans()):
        rows = []
        for _ in range(draw(st.integers(1, 3))):
            operator = draw(st.sampled_from([op for op, _ in audience.OPERATORS]))
            row = {"property_name": draw(names), "operator": operator}
            if operator == "between":
                row["property_value"] = sorted(
                    draw(st.lists(st.integers(), min_size=2, max_size=2))
                )
            elif operator not in audience.NO_VALUE_OPERATORS:
                row["property_value"] = draw(st.one_of(names, st.integers(), st.booleans()))
            rows.append(row)
        filters["event_property"] = rows
    for key in ("first_time", "last_time"):
        if draw(st.booleans()):
            filters[key] = draw(st.sampled_from(["yes", "no"]))
    if draw(st.booleans()):
        pairs = st.tuples(clock, clock).filter(lambda w: w[0] != w[1]).map(list)
        filters["time_of_day"] = draw(st.lists(pairs, min_size=1, max_size=3))
    if draw(st.booleans()):
        filters["day_of_week"] = sorted(draw(st.sets(st.integers(1, 7), min_size=1)))
    if draw(st.booleans()):
        filters["day_of_month"] = draw(st.lists(st.integers(1, 31), min_size=1, max_size=4))
    if filters:
        value["filter_type"] = filters
    return value


@given(goals())
@settings(max_examples=30, deadline=None)
def test_generated_goals_round_trip_and_are_read(value):
    body = with_goal(value)
    assert round_trips(body)
    assert extras(body) == {}
    assert errors(body) == []
