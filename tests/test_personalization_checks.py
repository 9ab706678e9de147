"""The Liquid checks where the text is typed: what CleverTap would refuse in push with its Liquid
beta, and what it would send as typed everywhere else."""

import pytest

from campaigns import payloads, personalization_checks
from campaigns.forms.options import AccountOptions
from campaigns.models import Api
from tests.test_personalization import DOCUMENTED

BETA = AccountOptions(liquid_api_beta=True)
PUSH = {"name": "Hi", "target_mode": "push", "where": {}, "when": "now"}


def problems(content: dict, *, api=Api.TARGETS, channel="push", options=BETA, body=None):
    body = body or {**PUSH, "content": content}
    if api == Api.SEND:
        body = {"to": {"Identity": ["a"]}, "content": content}
    return payloads.body_problems(body, api=api, channel=channel, options=options)


def messages_at(found, path: tuple) -> list[str]:
    return [problem.message for problem in found if problem.path == path]


@pytest.mark.parametrize("text", [*DOCUMENTED, 'Hi {{ Profile.Name | default: "there" }}'])
def test_every_documented_construct_is_accepted_in_push_with_the_beta(text):
    errors, warnings = problems({"title": text, "body": text})

    assert errors == [] and warnings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {{ Profile.Name", "The Liquid at character 4 does not parse"),
        ("{% capture x %}y{% endcapture %}", "“capture” is not a Liquid tag CleverTap documents"),
        ('{{ Shop.name | default: "x" }}', "“Shop.name” at character 4 is not something"),
        ('{{ Campaign.name | default: "x" }}', "gives only Campaign.campaignId"),
        (
            'Buy {{ Event.Product | default: "it" }}',
            "“Event.Product” at character 8 is an event property: API campaigns cannot use "
            "event properties",
        ),
        (
            '{{ Profile.A | default: "x" | truncate: 3 }}',
            "The filter “truncate” at character 31 is not one CleverTap documents",
        ),
        ("Hi {{ Profile.Name }}", "“{{ Profile.Name }}” at character 4 has no default"),
    ],
)
@pytest.mark.parametrize(
    ("name", "path"),
    [("title", ("content", "title")), ("body", ("content", "body"))],
)
def test_each_undocumented_or_malformed_construct_is_refused_at_its_field_with_its_position(
    text, expected, name, path
):
    errors, _ = problems({"title": "T", "body": "B", name: text})

    found = [error for error in errors if error.path == path]
    assert len(found) == 1 and expected in found[0].message
    assert found[0].field == f"content-{name}"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hi\n  {{ Profile.Name }}", "“{{ Profile.Name }}” at line 2, column 3 has no default"),
        ("Hi\nthere\n{% if Profile.A %}x", "The Liquid at line 3, column 1 does not parse"),
    ],
)
def test_a_message_of_several_lines_gives_the_line_and_column(body, expected):
    errors, _ = problems({"title": "T", "body": body})

    (message,) = messages_at(errors, ("content", "body"))
    assert message.startswith(expected)


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("Hi {{ Profile.Name", personalization_checks.NOT_CLOSED_OUTPUT),
        ("{% if Profile.A %}x", personalization_checks.NOT_CLOSED_BLOCK.format(name="endif")),
        ("{% if %}x{% endif %}", personalization_checks.NOTHING_INSIDE),
        ("{{ }}", personalization_checks.NOTHING_INSIDE),
        ('{{ Profile.A | default: "x" | }}', personalization_checks.NO_FILTER_NAME),
    ],
)
def test_common_parse_errors_are_said_in_words_not_as_the_engines_text(title, reason):
    errors, _ = problems({"title": title, "body": "B"})

    (message,) = messages_at(errors, ("content", "title"))
    assert f"does not parse: {reason}. " in message


def test_links_image_urls_and_button_texts_are_checked_too():
    android = {
        "wzrk_cid": "general",
        "deep_link": "https://shop.example/{{ Profile.Code }}",
        "wzrk_acts": [{"l": "{{ Event.X }}", "dl": "app://x", "id": "a"}],
    }
    content = {"title": "T", "body": "B", "platform_specific": {"android": android}}
    errors, _ = problems(content)

    where = ("content", "platform_specific", "android")
    assert "has no default" in " ".join(messages_at(errors, (*where, "deep_link")))
    assert "event property" in " ".join(messages_at(errors, (*where, "wzrk_acts", 0, "l")))


def test_a_missing_default_gives_the_share_of_the_sample_audience_lacking_the_property():
    options = AccountOptions(liquid_api_beta=True, sample_missing={"Name": 0.314})
    errors, _ = problems({"title": "Hi {{ Profile.Name }}", "body": "B"}, options=options)

    assert messages_at(errors, ("content", "title"))[0].endswith(
        "31% of the sample audience has no Name."
    )
    # A property nobody in the sample has.
    assert (
        "100% of the sample audience has no Plan."
        in personalization_checks.liquid_errors("{{ Profile.Plan }}", sample_missing={"Name": 0.3})[
            0
        ]
    )


def test_without_a_sample_the_share_is_left_out():
    (message,) = personalization_checks.liquid_errors("{{ Profile.Name }}", sample_missing=None)

    assert "sample audience" not in message


@pytest.mark.parametrize(
    ("api", "channel", "options", "content", "path", "why"),
    [
        (Api.TARGETS, "push", AccountOptions(), {"title": "T", "body": "B"}, "title", "beta"),
        (Api.SEND, "push", BETA, {"title": "T", "body": "B"}, "title", "send by identity"),
        (Api.TARGETS, "sms", BETA, {"body": "B"}, "body", "push only"),
        (
            Api.TARGETS,
            "email",
            BETA,
            {"subject": "S", "body": "<p>B</p>", "sender_name": "Shop"},
            "subject",
            "push only",
        ),
    ],
)
@pytest.mark.parametrize("text", ["Hi {{ Profile.Name }}", "{% if x %}", "Hi @Profile - Name"])
def test_where_liquid_is_not_rendered_tags_and_at_profile_are_warned_as_literal(
    api, channel, options, content, path, why, text
):
    content = {**content, path: text}
    body = {**PUSH, "target_mode": channel, "content": content}
    errors, warnings = problems(content, api=api, channel=channel, options=options, body=body)

    said = messages_at(warnings, ("content", path))
    assert len(said) == 1 and said[0].startswith("CleverTap will send “")
    assert "as typed" in said[0]
    if "@Profile" not in text:
        assert why in said[0]
    assert not [error for error in errors if error.path == ("content", path)]


def test_at_profile_is_a_warning_even_where_liquid_is_rendered():
    errors, warnings = problems({"title": "Hi @Profile - Name", "body": "B"})

    assert errors == []
    (warning,) = messages_at(warnings, ("content", "title"))
    assert "@Profile" in warning
    # What it suggests is a tag that passes the checks: with a default.
    suggested = warning.split("write ", 1)[1].removesuffix(" instead.")
    assert suggested == '{{ Profile.Name | default: "there" }}'
    assert problems({"title": suggested, "body": "B"}) == ([], [])


def test_a_field_push_does_not_personalize_warns_with_the_beta_on():
    ios = {"sound_file": "{{ Profile.Sound }}.caf"}
    content = {"title": "T", "body": "B", "platform_specific": {"ios": ios}}
    errors, warnings = problems(content)

    path = ("content", "platform_specific", "ios", "sound_file")
    assert errors == []
    assert personalization_checks.WHY_FIELD in messages_at(warnings, path)[0]
