"""Dates and times picked with the browser's inputs: what they post, and what a page from before
the pickers (or a script) posts in CleverTap's own formats, reach the same body."""

import pytest
from django.http import QueryDict

from campaigns.forms import audience, dates, delivery, fields
from campaigns.forms import schedule as schedule_forms
from tests.payload_checks import errors, messages_at, round_trips

BASE = {"name": "Dates", "target_mode": "push", "where": {}, "when": "now"}
PUSH = {"content": {"title": "Hi", "body": "There"}}


def posted(prefix: str, **values: str) -> QueryDict:
    data = QueryDict(mutable=True)
    data[f"{prefix}-SHOWN"] = "1"
    for name, value in values.items():
        data[f"{prefix}-{name}"] = value
    return data


@pytest.mark.parametrize("text", ["2026-03-01", "20260301"])
def test_a_date_is_sent_as_clevertap_writes_it_whichever_way_it_was_posted(text):
    assert dates.JsonDateField().data_to_json(text) == 20260301
    assert dates.JsonDateField(as_string=True).data_to_json(text) == "20260301"
    assert dates.JsonDateField().clean(text).isoformat() == "2026-03-01"


@pytest.mark.parametrize(
    "text", ["2030-01-07T10:00", "2030-01-07T10:00:00", "2030-01-07 10:00", "20300107 10:00"]
)
def test_a_date_and_time_is_sent_as_clevertap_writes_it_whichever_way_it_was_posted(text):
    assert dates.JsonDateTimeField().data_to_json(text) == "20300107 10:00"
    assert dates.JsonDateTimeField(as_number=True).data_to_json(text) == 203001071000
    assert dates.JsonDateTimeField().clean(text).isoformat() == "2030-01-07T10:00:00"


@pytest.mark.parametrize("text", ["2026-02-30", "2026311", "1 March", "20260230"])
def test_a_text_that_is_no_date_is_refused_in_words(text):
    field = dates.JsonDateField()
    with pytest.raises(Exception) as refused:
        field.clean(text)
    assert refused.value.messages == [field.invalid.format(text=text)]


def test_the_picker_shows_a_body_value_the_way_the_browser_posts_it():
    assert dates.JsonDateField().json_to_data(20260301) == "2026-03-01"
    assert dates.JsonDateTimeField().json_to_data("20300107 10:00") == "2030-01-07T10:00"
    assert dates.JsonDateTimeField(as_number=True).json_to_data(203001071000) == "2030-01-07T10:00"
    # Only a real date and time goes in the picker; another number stays with the minutes.
    assert dates.JsonDateTimeField(as_number=True).json_to_data(202613200000) is None
    assert dates.JsonDateTimeField(as_number=True).json_to_data(2880) is None


def test_the_audiences_dates_posted_in_clevertaps_format_reach_the_body():
    data = posted(
        "audience",
        who=audience.FILTERED,
        event_name="Charged",
        from_date="20260101",
        to_date="2026-02-01",
    )
    form = audience.AudienceForm(data, prefix="audience")
    assert form.to_json()["where"] == {"event_name": "Charged", "from": 20260101, "to": 20260201}
    assert form.path_errors() == []


def test_a_schedule_posted_in_clevertaps_format_reaches_the_body(monkeypatch):
    data = posted(
        "schedule",
        style=schedule_forms.FULL,
        type="recurring",
        repeat_type="day",
        repeats_every="1",
        start_time="20300107 10:00",
        end_by_date="20300201",
    )
    form = schedule_forms.ScheduleForm(data, prefix="schedule")
    when = form.to_json()["when"]
    assert (when["start_time"], when["end_by_date"]) == ("20300107 10:00", "20300201")
    assert form.path_errors() == []


@pytest.mark.parametrize(
    "ttl",
    [
        {"ttl_type": "absolute", "value": 203007200930},
        {"ttl_type": "relative", "value": 2880},
        {"ttl_type": "absolute", "value": 20300720},
    ],
)
def test_the_time_to_live_round_trips_through_its_two_inputs(ttl):
    body = BASE | PUSH | {"ttl": ttl}
    assert round_trips(body, channel="push")


def test_an_absolute_time_to_live_is_shown_in_the_picker():
    data = delivery.DeliveryForm.parse_json(
        {"ttl": {"ttl_type": "absolute", "value": 203007200930}}, prefix="delivery"
    ).data
    assert data["delivery-ttl_until"] == "2030-07-20T09:30"
    assert "delivery-ttl_value" not in data


@pytest.mark.parametrize(
    "values",
    [
        {"ttl_until": "2030-07-20T09:30"},
        # As a page from before the picker posted it.
        {"ttl_value": "203007200930"},
    ],
)
def test_an_absolute_time_to_live_is_sent_as_a_number(values):
    form = delivery.DeliveryForm(
        posted("delivery", ttl_type="absolute", **values), prefix="delivery"
    )
    assert form.to_json()["ttl"] == {"ttl_type": "absolute", "value": 203007200930}
    assert form.path_errors() == []


def test_a_date_picked_for_minutes_is_refused_at_the_picker():
    form = delivery.DeliveryForm(
        posted("delivery", ttl_type="relative", ttl_value="60", ttl_until="2030-07-20T09:30"),
        prefix="delivery",
    )
    assert form.to_json()["ttl"] == {"ttl_type": "relative", "value": 60}
    assert [(e.where, e.message) for e in form.path_errors()] == [
        ("ttl.value", delivery.TTL_UNTIL_ONLY_ABSOLUTE)
    ]


def test_an_absolute_time_to_live_in_the_past_is_refused():
    body = BASE | PUSH | {"ttl": {"ttl_type": "absolute", "value": 202001010000}}
    assert messages_at(body, "ttl.value", channel="push") == [delivery.TTL_ABSOLUTE_IN_PAST]


def test_empty_choices_say_what_clevertap_does_without_the_key():
    def blank(form, name):
        return dict(form.base_fields[name].choices)[""]

    assert blank(schedule_forms.ScheduleForm, "message_state") == (
        "CleverTap's default (discard the message)"
    )
    assert blank(delivery.DeliveryForm, "send_to_all_devices") == (
        "CleverTap's default (no: only the last active device)"
    )
    assert blank(delivery.DeliveryForm, "ttl_type") == fields.CLEVERTAP_DEFAULT
    # A choice the body needs asks for one.
    assert blank(audience.ProfileFieldForm, "operator") == fields.CHOOSE
    assert errors(BASE | PUSH, channel="push") == []
