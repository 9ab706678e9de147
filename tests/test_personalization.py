"""The Liquid language as CleverTap documents it, and its rendering for previews."""

import pytest
from liquid.exceptions import LiquidError

from campaigns import personalization

GREETING = 'Hi {{ Profile.Name | default: "there" }}'


def test_a_person_with_the_property_reads_it():
    assert personalization.render(GREETING, {"Name": "Ada"}) == personalization.Rendering("Hi Ada")


@pytest.mark.parametrize("profile", [None, {}, {"Name": ""}, {"Name": None}])
def test_a_person_without_the_property_reads_the_default_and_it_is_marked_missing(profile):
    rendering = personalization.render(GREETING, profile)

    assert rendering.text == "Hi there"
    assert rendering.missing == ("Name",)


def test_bracketed_names_and_the_campaign_id_render():
    rendering = personalization.render(
        '{{ Profile["Customer Type"] | upcase }} {{ Campaign.campaignId }}',
        {"Customer Type": "gold"},
        campaign_id="1700000000",
    )

    assert rendering.text == "GOLD 1700000000"


def test_abort_cancels_the_message_for_that_person():
    text = "{% if Profile.Plan %}Thanks{% else %}{% abort %}{% endif %}"

    assert personalization.render(text, {"Plan": "Pro"}).text == "Thanks"
    assert personalization.render(text, {}).aborted


def test_text_that_does_not_parse_is_shown_as_typed():
    assert personalization.render("Hi {{ Profile.Name", {"Name": "Ada"}) == (
        personalization.Rendering("Hi {{ Profile.Name", failed=True)
    )


def test_text_without_liquid_is_left_alone():
    assert personalization.render("Hi @Profile - Name") == personalization.Rendering(
        "Hi @Profile - Name"
    )


DOCUMENTED = [
    "{% if Profile.A == 1 or Profile.B != 2 and Profile.C contains 'x' %}y"
    "{% elsif Profile.D >= 3 %}z{% else %}w{% endif %}",
    "{% unless Profile.A < 2 %}a{% endunless %}",
    "{% case Profile.A %}{% when 1 %}one{% else %}other{% endcase %}",
    "{% for x in Profile.A limit: 2 offset: 1 reversed %}"
    "{% if x %}{% break %}{% else %}{% continue %}{% endif %}{% endfor %}",
    "{% tablerow x in Profile.A %}{{ x }}{% endtablerow %}",
    "{% assign n = Profile.A | default: 1 %}{{ n | plus: 1 | minus: 1 | times: 2"
    " | divided_by: 2 | modulo: 5 | round | at_least: 0 | at_most: 9 }}",
    "{% raw %}{{ not liquid }}{% endraw %}{% comment %}note{% endcomment %}",
    "{{ Profile.A | default: 'a b' | split: ' ' | first }}"
    "{{ Profile.A | default: 'a' | split: ' ' | last }}",
    "{{ Profile.A | default: ' x ' | strip | lstrip | rstrip | strip_html"
    " | strip_newlines | upcase | downcase | capitalize }}",
    "{{ Profile.A | default: 'x y' | url_encode }}{{ Profile.A | default: 'x y' | url_escape }}"
    "{{ Profile.A | default: 'x&y' | url_param_escape }}",
    '{{ "now" | date: "%Y-%m-%d %H:%M" }}',
    "{% abort %}",
]


@pytest.mark.parametrize("text", DOCUMENTED)
def test_every_documented_tag_operator_and_filter_parses(text):
    personalization.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "{% capture x %}y{% endcapture %}",
        "{% include 'x' %}",
        "{% render 'x' %}",
        "{% cycle 'a', 'b' %}",
        "{% echo Profile.A %}",
    ],
)
def test_undocumented_tags_do_not_parse(text):
    with pytest.raises(LiquidError):
        personalization.parse(text)


def test_undocumented_filters_are_found_where_they_are_and_do_not_render():
    text = "Hi {{ Profile.A | truncate: 3 }} {{ Profile.B | default: 'x' | base64_encode }}"

    assert personalization.undocumented_filters(text) == [
        ("truncate", text.index("truncate")),
        ("base64_encode", text.index("base64_encode")),
    ]
    assert personalization.render(text, {"A": "abcd"}).failed


def test_the_profile_properties_read_are_listed_once_in_order():
    text = "{{ Profile.A }}{% if Profile.B.c %}{{ Profile.A }}{% endif %}{{ Event.X }}"

    assert personalization.profile_properties(text) == ("A", "B")


@pytest.mark.parametrize(
    ("api", "channel", "beta", "rendered"),
    [
        ("targets", "push", True, True),
        ("targets", "push", False, False),
        ("send", "push", True, False),
        ("targets", "email", True, False),
        ("targets", "webpush", True, False),
    ],
)
def test_clevertap_renders_liquid_only_in_api_push_campaigns_of_beta_accounts(
    api, channel, beta, rendered
):
    assert (
        personalization.rendered_by_clevertap(api=api, channel=channel, liquid_api_beta=beta)
        is rendered
    )
