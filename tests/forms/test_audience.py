import datetime
import functools
import json
import re
from unittest import mock

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import identities, payloads
from campaigns.forms import audience, base
from campaigns.forms import schedule as schedule_forms
from campaigns.forms.options import NO_OPTIONS, AccountOptions
from campaigns.jsonpath import format_path, same_json
from campaigns.models import Api
from devtools.bench.formdata import submitted_data
from tests import payload_checks
from tests.reference_examples import FIXTURES, reference_examples

EMAIL = {"subject": "s", "body": "<p>b</p>", "sender_name": "n"}
BASE = {"name": "x", "target_mode": "email", "content": EMAIL, "where": {}, "when": "now"}
SEND = {"to": {"Identity": ["JohnDoe"]}, "content": EMAIL}
TARGETS = [e for e in reference_examples() if e.endpoint == payloads.TARGETS_ENDPOINT]
SENDS = [e for e in reference_examples() if e.endpoint != payloads.TARGETS_ENDPOINT]
AUDIENCE_KEYS = {"where", "segment", "advanced_query"}


# The audience is the same for every channel: email stands for them all.
errors = functools.partial(payload_checks.errors, channel="email")
messages_at = functools.partial(payload_checks.messages_at, channel="email")
round_trips = functools.partial(payload_checks.round_trips, channel="email")
extras = functools.partial(payload_checks.extras, channel="email")


def with_where(where, **more):
    return BASE | {"where": where} | more


def profile(*rows):
    return with_where({"common_profile_properties": {"profile_fields": list(rows)}})


def test_the_base_body_is_valid():
    assert errors(BASE) == []
    assert errors(SEND, api=Api.SEND) == []


def test_sections_come_in_the_composers_order():
    assert [s.prefix for s in payloads.sections(Api.TARGETS, "push")] == [
        "campaign",
        "audience",
        "content",
        "schedule",
        "goal",
        "delivery",
    ]
    assert [s.prefix for s in payloads.sections(Api.SEND, "sms")] == [
        "campaign",
        "audience",
        "content",
    ]


@pytest.mark.parametrize("example", TARGETS, ids=lambda e: e.name)
def test_every_targets_examples_audience_is_read_by_the_audience_form(example):
    target = {"api": Api.TARGETS, "channel": example.channel}
    assert payload_checks.extras_in(example.body, *AUDIENCE_KEYS, **target) == {}
    assert payload_checks.errors_in(example.body, *AUDIENCE_KEYS, **target) == []


@pytest.mark.parametrize("example", SENDS, ids=lambda e: e.name)
def test_every_send_examples_to_is_read_by_the_recipients_form(example):
    target = {"api": Api.SEND, "channel": example.channel}
    assert payload_checks.extras_in(example.body, "to", **target) == {}
    assert payload_checks.errors_in(example.body, "to", **target) == []


def test_the_advanced_query_fragment_round_trips_and_is_read():
    fragment = json.loads((FIXTURES / "partial_advanced_query_did_all.json").read_text())
    body = BASE | fragment
    assert round_trips(body)
    assert round_trips(fragment)
    assert extras(fragment) == {}
    assert errors(body) == []


# Everyone, filtered, segment.


def test_everyone_comes_back_as_an_empty_where_read_by_the_form():
    assert round_trips(BASE)
    assert extras(BASE) == {}
    parsed = payloads.parse_body(BASE, api=Api.TARGETS, channel="email")
    assert parsed.data["audience-who"] == audience.EVERYONE


def test_a_segment_comes_back_without_gaining_a_where():
    body = {k: v for k, v in BASE.items() if k != "where"} | {"segment": 1234}
    rebuilt = payload_checks.through_the_browser(body, api=Api.TARGETS, channel="email")
    assert "where" not in rebuilt and same_json(rebuilt, body)
    assert extras(body) == {}
    assert errors(body) == []


def test_both_a_segment_and_a_where_is_an_error_and_still_round_trips():
    body = with_where({"event_name": "Charged"}, segment=1234)
    assert messages_at(body, "segment") == [audience.SEGMENT_OR_WHERE]
    assert round_trips(body)
    assert extras(body) == {}
    assert [e.where for e in errors(body)] == ["segment"]


def test_no_where_and_no_segment_is_an_error():
    body = {k: v for k, v in BASE.items() if k != "where"}
    assert messages_at(body, "where") == [audience.WHERE_REQUIRED]


def test_a_where_that_is_not_an_object_is_an_error_and_round_trips():
    body = with_where("everyone")
    assert messages_at(body, "where") == [payloads.MUST_BE_OBJECT.format(path="where")]
    assert round_trips(body)


def test_choosing_everyone_in_the_form_sends_an_empty_where():
    data = QueryDict(mutable=True)
    data.update({"audience-who": audience.EVERYONE, "audience-event_name": "Charged"})
    form = audience.AudienceForm(data, prefix="audience")
    assert form.to_json() == {"where": {}}


def test_choosing_a_segment_in_the_form_sends_no_where():
    data = QueryDict(mutable=True)
    data.update(
        {"audience-who": audience.SEGMENT, "audience-event_name": "x", "audience-segment": "7"}
    )
    form = audience.AudienceForm(data, prefix="audience")
    assert form.to_json() == {"segment": 7}


def test_choosing_filtered_without_a_filter_sends_no_where_which_is_reported():
    body = {k: v for k, v in BASE.items() if k != "where"}
    data = payloads.parse_body(body, api=Api.TARGETS, channel="email").data.copy()
    data["audience-who"] = audience.FILTERED
    forms = payloads.bind_forms(data, api=Api.TARGETS, channel="email")
    errors_found = payloads.form_errors(
        forms, {}, body=payloads.build_body(forms, {}), api=Api.TARGETS, channel="email"
    )
    assert [(e.where, e.message) for e in errors_found] == [("where", audience.WHERE_REQUIRED)]


def test_filters_kept_aside_still_count_as_a_where():
    body = profile(5)
    assert messages_at(body, "where") == []
    assert round_trips(body)


def test_choosing_a_segment_needs_its_id():
    data = QueryDict(mutable=True)
    data.update({"audience-who": audience.SEGMENT})
    form = audience.AudienceForm(data, prefix="audience")
    assert [(e.where, e.message) for e in form.path_errors()] == [
        ("segment", audience.SEGMENT_REQUIRED)
    ]


def test_a_segment_id_is_positive():
    body = {k: v for k, v in BASE.items() if k != "where"} | {"segment": 0}
    assert messages_at(body, "segment") == [audience.SEGMENT_TOO_LOW]


def test_a_segment_id_that_is_not_a_number_is_kept_and_reported():
    body = {k: v for k, v in BASE.items() if k != "where"} | {"segment": "abc"}
    assert messages_at(body, "segment") == ['Saved segment must be a whole number, not "abc".']
    assert round_trips(body)


# The choice sends only its own parts; the others stay in the page, greyed and disabled.

EVENTS = json.loads((FIXTURES / "partial_advanced_query_did_all.json").read_text())
FILTERED_WITH_EVENTS = with_where({"event_name": "Charged"}) | EVENTS


def shown_after(body, **changes):
    """The audience as the page shows it once the person changed `changes` in the page of
    `body`, and what a browser then posts for it."""
    page = payload_checks.rendered_forms_html(body, api=Api.TARGETS, channel="email")
    data = submitted_data(page)
    for name, value in changes.items():
        data[f"audience-{name}"] = value
    form = payloads.bind_forms(data, api=Api.TARGETS, channel="email")["audience"]
    html = render_to_string("campaigns/_payload_form.html", {"form": form})
    return html, submitted_data(html)


def disabled(html, name):
    """Whether the page shows the input named `name` disabled."""
    return bool(re.search(rf'<(input|select|textarea) [^>]*name="{name}"[^>]* disabled[ >]', html))


def built(data):
    return payloads.build_body(payloads.bind_forms(data, api=Api.TARGETS, channel="email"), {})


def test_a_segment_audience_sends_no_advanced_query_nor_where():
    _, posted = shown_after(FILTERED_WITH_EVENTS, who=audience.SEGMENT, segment="7")
    body = built(posted)
    assert body["segment"] == 7
    assert "advanced_query" not in body and "where" not in body


def test_event_occurrences_left_out_by_a_segment_are_disabled_and_come_back_when_chosen_again():
    html, posted = shown_after(FILTERED_WITH_EVENTS, who=audience.SEGMENT, segment="7")
    assert '<fieldset class="rows border rounded p-2 mb-3" id="audience-did_all" disabled>' in html
    assert disabled(html, "audience-did_all-0-event_name")
    assert not disabled(html, "audience-segment")
    assert base.GREYED_HELP in html
    # Disabled inputs are not posted: hidden copies carry the rows and the filters.
    assert posted["audience-did_all-0-event_name"] == "App Launched"
    assert posted["audience-event_name"] == "Charged"
    posted["audience-who"] = audience.FILTERED
    assert same_json(built(posted), {"where": {"event_name": "Charged"}} | EVENTS)


@pytest.fixture
def evening_in_utc_next_morning_in_kolkata(monkeypatch, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    evening = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(schedule_forms, "current_time", lambda: evening)


@pytest.mark.usefixtures("evening_in_utc_next_morning_in_kolkata")
def test_where_to_in_the_future_of_the_accounts_timezone_is_refused():
    body = with_where({"event_name": "Charged", "from": 20260301, "to": 20260312})
    assert messages_at(body, "where.to") == [audience.WHERE_TO_IN_FUTURE.format(today="2026-03-11")]


@pytest.mark.usefixtures("evening_in_utc_next_morning_in_kolkata")
def test_where_to_today_in_the_accounts_timezone_is_accepted_and_did_all_rows_are_left_alone():
    # 2026-03-11 is today in Kolkata (tomorrow in UTC); advanced_query's rows are not checked.
    body = with_where({"event_name": "Charged", "from": 20260301, "to": 20260311})
    body |= {
        "advanced_query": {
            "did_all": [
                {
                    "event_name": "App Launched",
                    "from": 20260301,
                    "to": 20260320,
                    "operator": "equals",
                    "value": 1,
                }
            ]
        }
    }
    assert errors(body) == []


def test_parts_a_choice_leaves_out_report_no_problems():
    broken = {"event_name": "App Launched", "operator": "between", "value": 5}
    body = with_where({"event_name": "Charged", "from": 20240310, "to": 20240301})
    body |= {"advanced_query": {"did_all": [broken]}}
    _, posted = shown_after(body, who=audience.SEGMENT, segment="7")
    forms = payloads.bind_forms(posted, api=Api.TARGETS, channel="email")
    assert forms["audience"].path_errors() == []


def test_everyone_and_filtered_leave_out_a_typed_segment():
    html, posted = shown_after(FILTERED_WITH_EVENTS, segment="7")
    assert disabled(html, "audience-segment") and not disabled(html, "audience-event_name")
    assert "segment" not in built(posted)
    posted["audience-who"] = audience.EVERYONE
    body = built(posted)
    assert "segment" not in body
    assert (body["where"], body["advanced_query"]) == ({}, EVENTS["advanced_query"])


def test_a_body_read_with_a_segment_and_event_occurrences_keeps_both_until_the_box_is_unticked():
    body = {k: v for k, v in BASE.items() if k != "where"} | {"segment": 1234} | EVENTS
    assert round_trips(body)
    assert errors(body) == []
    html, posted = shown_after(body)
    assert base.KEEP_AS_READ in html
    assert posted["audience-who_kept"] == audience.SEGMENT
    del posted["audience-who_kept"]
    assert "advanced_query" not in built(posted)


def test_another_choice_drops_the_box_that_kept_parts_as_read():
    body = with_where({"event_name": "Charged"}, segment=1234)
    html, posted = shown_after(body, who=audience.SEGMENT)
    assert base.KEEP_AS_READ not in html and "audience-who_kept" not in posted
    posted["audience-who"] = audience.FILTERED
    assert "segment" not in built(posted)


# Event and dates.


def test_event_dates_are_yyyymmdd_integers_with_from_not_after_to():
    body = with_where({"event_name": "Charged", "from": 20240310, "to": 20240301})
    assert messages_at(body, "where.from") == [audience.FROM_AFTER_TO]
    assert round_trips(body)


def test_a_date_written_as_text_is_kept_and_reported():
    body = with_where({"event_name": "Charged", "from": "20240301"})
    assert messages_at(body, "where.from") == [
        'Start date must be a date written YYYYMMDD, not "20240301".'
    ]
    assert round_trips(body)


# Profile property filters.

VALID_FILTERS = [
    ("equals", "Platinum"),
    ("not_equals", 3),
    ("greater_than", 10.5),
    ("greater_than_equals", 10),
    ("less_than", "2024-01-01"),
    ("less_than_equals", -1),
    ("contains", "gold"),
    ("does_not_contain", "silver"),
    ("between", [10, 20]),
    ("between", ["a", "b"]),
    ("equals", "3456"),
    ("equals", "true"),
    ("equals", ""),
    ("equals", " padded "),
    ("equals", ["a", "b"]),
    ("equals", False),
    ("equals", None),
]


@pytest.mark.parametrize("operator, value", VALID_FILTERS)
def test_every_operator_with_a_fitting_value_is_read_valid_and_round_trips(operator, value):
    body = profile({"name": "Customer Type", "operator": operator, "value": value})
    assert round_trips(body)
    assert extras(body) == {}
    assert errors(body) == []


@pytest.mark.parametrize("operator", audience.NO_VALUE_OPERATORS)
def test_exists_and_does_not_exist_take_no_value(operator):
    assert errors(profile({"name": "Phone", "operator": operator})) == []
    body = profile({"name": "Phone", "operator": operator, "value": "x"})
    where = "where.common_profile_properties.profile_fields[0].value"
    assert messages_at(body, where) == [audience.VALUE_NOT_ALLOWED.format(operator=operator)]


@pytest.mark.parametrize("value", [5, [5], [1, 2, 3], "1,2"])
def test_between_takes_exactly_two_values(value):
    body = profile({"name": "Age", "operator": "between", "value": value})
    where = "where.common_profile_properties.profile_fields[0].value"
    assert messages_at(body, where) == [audience.BETWEEN_NEEDS_TWO]
    assert round_trips(body)


def test_between_takes_the_low_value_first():
    body = profile({"name": "Age", "operator": "between", "value": [30, 20]})
    where = "where.common_profile_properties.profile_fields[0].value"
    assert messages_at(body, where) == [audience.BETWEEN_LOW_ABOVE_HIGH.format(low=30, high=20)]


def test_a_comparison_needs_a_value():
    body = profile({"name": "Age", "operator": "greater_than"})
    where = "where.common_profile_properties.profile_fields[0].value"
    assert messages_at(body, where) == [audience.VALUE_REQUIRED]


def test_an_unknown_operator_is_shown_kept_and_reported():
    body = profile({"name": "Age", "operator": "is", "value": 3})
    where = "where.common_profile_properties.profile_fields[0].operator"
    assert messages_at(body, where) == [audience.OPERATOR_UNKNOWN % {"value": "is"}]
    assert round_trips(body)
    assert extras(body) == {}


def test_a_filter_needs_a_name_and_an_operator():
    body = profile({"value": 3})
    base = "where.common_profile_properties.profile_fields[0]"
    assert messages_at(body, f"{base}.name") == [audience.PROFILE_FIELD_NAME_REQUIRED]
    assert messages_at(body, f"{base}.operator") == [audience.OPERATOR_REQUIRED]


def test_profile_fields_that_are_not_a_list_of_objects_are_kept_and_reported():
    body = profile("Customer Type = Platinum")
    where = "where.common_profile_properties.profile_fields[0]"
    assert messages_at(body, where) == [payloads.MUST_BE_OBJECT.format(path=where)]
    assert round_trips(body)


def test_unknown_keys_in_a_filter_row_are_kept():
    body = profile({"name": "Age", "operator": "equals", "value": 3, "unit": "years"})
    assert round_trips(body)
    path = ("where", "common_profile_properties", "profile_fields", 0, "unit")
    assert extras(body) == {path: "years"}


# Event occurrences (advanced_query.did_all).


def did_all(*rows):
    return BASE | {"advanced_query": {"did_all": list(rows)}}


def test_an_event_occurrence_needs_an_event_and_an_operator():
    body = did_all({"from": 20200101, "to": 20200218, "value": 5})
    assert messages_at(body, "advanced_query.did_all[0].event_name") == [
        audience.EVENT_NAME_REQUIRED
    ]
    assert messages_at(body, "advanced_query.did_all[0].operator") == [audience.OPERATOR_REQUIRED]


def test_an_event_occurrence_dates_run_forward():
    body = did_all(
        {"event_name": "App Launched", "from": 20200301, "to": 20200218, "operator": "equals"}
        | {"value": 5}
    )
    assert messages_at(body, "advanced_query.did_all[0].from") == [audience.FROM_AFTER_TO]


def test_an_event_occurrence_between_takes_two_counts():
    body = did_all({"event_name": "App Launched", "operator": "between", "value": 5})
    assert messages_at(body, "advanced_query.did_all[0].value") == [audience.BETWEEN_NEEDS_TWO]


def test_did_all_must_be_a_list():
    body = BASE | {"advanced_query": {"did_all": {"event_name": "x"}}}
    assert messages_at(body, "advanced_query.did_all") == [
        payloads.MUST_BE_LIST.format(path="advanced_query.did_all")
    ]
    assert round_trips(body)


# Suggestions.


def test_name_inputs_offer_the_accounts_event_and_property_names_as_a_datalist():
    options = AccountOptions(event_names=("Charged",), property_names=("Amount",))
    assert audience.datalists(options) == {
        audience.EVENT_NAMES_DATALIST: ("Charged",),
        audience.PROPERTY_NAMES_DATALIST: ("Amount",),
    }
    parsed = payloads.parse_body(
        profile({"name": "Anything", "operator": "equals", "value": 1}),
        api=Api.TARGETS,
        channel="email",
    )
    forms = payloads.bind_forms(parsed.data, api=Api.TARGETS, channel="email", options=options)
    html = render_to_string("campaigns/_payload_form.html", {"form": forms["audience"]})
    assert f'list="{audience.PROPERTY_NAMES_DATALIST}"' in html
    assert f'list="{audience.EVENT_NAMES_DATALIST}"' in html
    assert (
        payloads.body_errors(
            profile({"name": "Unlisted", "operator": "exists"}),
            api=Api.TARGETS,
            channel="email",
            options=options,
        )
        == []
    )


# Identities (send).


def send(to, channel="sms"):
    return SEND | {"to": to}


def test_to_missing_or_without_identities_is_code_21():
    for body in [{"content": EMAIL}, send({}), send({"Email": [], "Identity": []})]:
        [error] = [e for e in errors(body, api=Api.SEND) if e.where == "to"]
        assert (error.message, error.code) == (audience.TO_REQUIRED, audience.TO_CODE)


def test_an_unknown_identity_type_is_kept_and_reported():
    body = send({"Identity": ["a"], "Phone": ["+4912"]})
    assert messages_at(body, "to.Phone", api=Api.SEND) == [
        audience.UNKNOWN_IDENTITY_TYPE.format(type="Phone")
    ]
    assert round_trips(body, api=Api.SEND)
    assert extras(body, api=Api.SEND) == {("to", "Phone"): ["+4912"]}


@pytest.mark.parametrize(
    "kind, values, reason",
    [
        ("Email", ["a@x.com", "no-at-sign"], identities.NOT_AN_EMAIL),
        ("FBID", ["102", "1o2"], identities.NOT_DIGITS),
        ("GPID", ["1928", "g1928"], identities.NOT_DIGITS),
    ],
)
def test_malformed_identities_are_warnings_with_type_and_line(kind, values, reason):
    body = send({kind: values})
    expected = identities.MALFORMED_ENTRY.format(type=kind, line=2, value=values[1], reason=reason)
    # CleverTap queues them: a warning at the box, not an error.
    assert warnings_at(body, f"to.{kind}") == [expected]
    assert messages_at(body, f"to.{kind}", api=Api.SEND) == []
    assert round_trips(body, api=Api.SEND)


def test_many_malformed_identities_are_summed_up():
    body = send({"FBID": [f"x{i}" for i in range(15)]})
    found = warnings_at(body, "to.FBID")
    assert len(found) == 11
    assert found[-1] == audience.MORE_MALFORMED.format(count=5, type="FBID")
    assert errors(body, api=Api.SEND) == []


def warnings_at(body, where: str) -> list[str]:
    _, warnings = payloads.body_problems(body, api=Api.SEND, channel="email", options=NO_OPTIONS)
    assert all(warning.field for warning in warnings)
    return [warning.message for warning in warnings if warning.where == where]


@pytest.mark.parametrize(
    "values",
    [["a@x.com", "a@x.com"], [" a@x.com"], ["a@x.com b@x.com"], ["a,b@x.com"], [""]],
)
def test_a_list_the_box_cannot_show_exactly_stays_aside_unchanged(values):
    body = send({"Email": values})
    assert extras(body, api=Api.SEND) == {("to", "Email"): values}
    assert round_trips(body, api=Api.SEND)
    label = str(audience.RecipientsForm.base_fields["email"].label)
    message = audience.RecipientsForm.base_fields["email"].wrong_type_message(label, values)
    assert message in messages_at(body, "to.Email", api=Api.SEND)


def test_an_identity_may_contain_spaces_but_not_commas():
    body = send({"Identity": ["John Doe"]})
    assert extras(body, api=Api.SEND) == {} and round_trips(body, api=Api.SEND)
    body = send({"Identity": ["Doe, John"]})
    assert extras(body, api=Api.SEND) == {("to", "Identity"): ["Doe, John"]}


def test_pasted_identities_split_and_lose_their_repeats():
    data = QueryDict(mutable=True)
    data.update(
        {
            "audience-email": "a@x.com, b@x.com c@x.com\r\na@x.com",
            "audience-identity": "John Doe, Jane\r\nJohn Doe",
        }
    )
    form = audience.RecipientsForm(data, prefix="audience")
    assert form.to_json() == {
        "to": {"Email": ["a@x.com", "b@x.com", "c@x.com"], "Identity": ["John Doe", "Jane"]}
    }
    assert form.is_valid()


# Round trips of generated audiences.

names = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "Zs", "P"), exclude_characters="\r\n"),
    min_size=1,
    max_size=20,
)
scalars = st.one_of(
    names,
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)
dates = (
    st.integers(2015, 2030)
    .flatmap(lambda y: st.tuples(st.just(y), st.integers(1, 12), st.integers(1, 28)))
    .map(lambda t: t[0] * 10000 + t[1] * 100 + t[2])
)


@st.composite
def filter_rows(draw, name_key="name", value_key="value"):
    operator = draw(st.sampled_from([op for op, _ in audience.OPERATORS]))
    row = {name_key: draw(names), "operator": operator}
    if operator == "between":
        row[value_key] = sorted(draw(st.lists(st.integers(0, 1000), min_size=2, max_size=2)))
    elif operator not in audience.NO_VALUE_OPERATORS:
        row[value_key] = draw(scalars)
    return row


@st.composite
def targets_audiences(draw):
    who = draw(st.sampled_from([audience.EVERYONE, audience.FILTERED, audience.SEGMENT]))
    part: dict = {}
    if who == audience.EVERYONE:
        part["where"] = {}
    elif who == audience.SEGMENT:
        part["segment"] = draw(st.integers(1, 10**12))
    else:
        where: dict = {}
        if draw(st.booleans()):
            start, end = sorted([draw(dates), draw(dates)])
            where |= {"event_name": draw(names), "from": start, "to": end}
        rows = draw(st.lists(filter_rows(), min_size=0 if where else 1, max_size=3))
        if rows:
            where["common_profile_properties"] = {"profile_fields": rows}
        part["where"] = where
    if draw(st.booleans()):
        rows = draw(st.lists(filter_rows(name_key="event_name"), min_size=1, max_size=2))
        part["advanced_query"] = {"did_all": rows}
    return part


@given(targets_audiences())
@settings(max_examples=30, deadline=None)
def test_generated_targets_audiences_round_trip_and_are_read(part):
    body = {k: v for k, v in BASE.items() if k != "where"} | part
    assert round_trips(body)
    assert not [format_path(p) for p in extras(body) if p[0] in AUDIENCE_KEYS]
    # Every generated date is past once the clock reads 2031 (a future where.to is refused).
    after_the_dates = datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC)
    with mock.patch.object(schedule_forms, "current_time", lambda: after_the_dates):
        assert not [e for e in errors(body) if e.path[:1] and e.path[0] in AUDIENCE_KEYS]


identity_values = {
    "Email": st.from_regex(r"[a-z0-9._]{1,10}@[a-z]{1,8}\.[a-z]{2,3}", fullmatch=True),
    "Identity": st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_ .@-]{0,14}[A-Za-z0-9_]", fullmatch=True),
    "objectId": st.from_regex(r"[A-Za-z0-9_-]{1,24}", fullmatch=True),
    "FBID": st.from_regex(r"[0-9]{1,16}", fullmatch=True),
    "GPID": st.from_regex(r"[0-9]{1,16}", fullmatch=True),
}


@st.composite
def recipients(draw):
    kinds = draw(st.sets(st.sampled_from(identities.IDENTITY_TYPES), min_size=1))
    return {
        kind: draw(st.lists(identity_values[kind], min_size=1, max_size=5, unique=True))
        for kind in kinds
    }


@given(recipients())
@settings(max_examples=30, deadline=None)
def test_generated_recipients_round_trip_and_are_read(to):
    body = send(to)
    assert round_trips(body, api=Api.SEND)
    assert extras(body, api=Api.SEND) == {}
    assert errors(body, api=Api.SEND) == []
