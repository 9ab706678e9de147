"""The composer's kept sections (campaigns/section_cache.py) are reused only where the result
would be the same: the same posted data, and the same account options and minute, which the
preview's exactness test (tests/views/test_preview_exactness.py) holds fixed."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from campaigns import payloads, section_cache
from campaigns.forms import delivery
from campaigns.forms import schedule as schedule_forms
from campaigns.forms.options import AccountOptions
from campaigns.models import Api

BODY = {
    "name": "Spring sale",
    "target_mode": "push",
    "where": {},
    "when": "20300101 10:00",
    "content": {"title": "Sale", "body": "Half price"},
    "control_group": {"type": "custom", "name": "Holdouts"},
}


def built(options: AccountOptions) -> dict[str, payloads.Built]:
    data = payloads.parse_body(BODY, api=Api.TARGETS, channel="push").data
    forms = payloads.BoundForms(data, api=Api.TARGETS, channel="push", options=options)
    return section_cache.built_sections(
        forms, data, api=Api.TARGETS, channel="push", options=options
    )


def messages(result: dict[str, payloads.Built], prefix: str) -> list[str]:
    return [error.message for error in result[prefix].errors]


def at(hour: int, minute: int):
    moment = datetime(2030, 1, 1, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return lambda: moment


def test_a_kept_section_is_built_again_once_the_minute_has_passed(monkeypatch):
    options = AccountOptions(control_groups=("Holdouts",))
    monkeypatch.setattr(schedule_forms, "current_time", at(9, 59))
    before = built(options)
    monkeypatch.setattr(schedule_forms, "current_time", at(10, 1))
    after = built(options)

    assert schedule_forms.DATE_TIME_IN_PAST not in messages(before, "schedule")
    assert schedule_forms.DATE_TIME_IN_PAST in messages(after, "schedule")


def test_a_kept_section_is_built_again_for_other_account_options(monkeypatch):
    monkeypatch.setattr(schedule_forms, "current_time", at(9, 0))
    known = built(AccountOptions(control_groups=("Holdouts",)))
    unknown = built(AccountOptions(control_groups=("Others",)))

    def unknown_group(result) -> bool:
        prefix = delivery.CONTROL_GROUP_UNKNOWN.split("{")[0]
        return any(message.startswith(prefix) for message in messages(result, "delivery"))

    assert not unknown_group(known)
    assert unknown_group(unknown)


def test_the_same_data_options_and_minute_reuse_the_kept_result(monkeypatch):
    monkeypatch.setattr(schedule_forms, "current_time", at(9, 0))
    options = AccountOptions(control_groups=("Holdouts",))
    first = built(options)
    again = built(options)

    assert again == first
    # Read back from the cache, not made again: equal, but not the same objects.
    assert all(again[prefix] is not first[prefix] for prefix in first)
