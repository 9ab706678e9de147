"""The composer's htmx endpoints answer 200 fragments for any posted data, never a 500 (a save
of part of the form: a 400 that says so)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns import composer, payloads, services
from devtools.bench.formdata import submitted_data
from tests.reference_examples import reference_examples

pytestmark = pytest.mark.django_db
EXAMPLES = {example.name: example for example in reference_examples()}
FUZZED = [
    "02_targets_push_conversion_goal.json",
    "04_targets_sms_message_info.json",
    "07_targets_app_inbox_carousel.json",
    "27_send_whatsapp_template_video_cta.json",
]

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e999",
            "true",
            "null",
            "[]",
            "{}",
            "[1, 2]",
            '{"a": 1}',
            "99999999999999999999",
            "2026-13-45",
            "25:99",
            "20260101 10:00",
            "recurring",
            "week",
            "send",
            "targets",
            "pigeon",
            "campaign-name",
            "audience-profile_fields",
            "content-message_info-0",
            "on",
            "\x00",
            "é😀",
        ]
    ),
)


def fuzzed_data(base: dict[str, list[str]], names: list[str]):
    """The page's real data with some values replaced and some odd keys added."""
    changed = st.dictionaries(st.sampled_from(names), st.lists(texts, max_size=3), max_size=12)
    odd_keys = st.one_of(
        st.sampled_from(
            [
                "add_row",
                "remove_row",
                "composer-overwrite_version",
                "composer-base_version",
                "composer-api",
                "composer-channel",
                "composer-shown_api",
                "composer-shown_channel",
                "additional-extras",
                "composer-remote_images",
            ]
        ),
        st.builds(lambda name, n: f"{name}-{n}-DELETE", st.sampled_from(names), st.integers(0, 5)),
        st.builds(lambda name: f"{name}-TOTAL_FORMS", st.sampled_from(names)),
        st.text(max_size=20),
    )
    extra = st.dictionaries(odd_keys, st.lists(texts, min_size=1, max_size=2), max_size=6)
    drop = st.sets(st.sampled_from(names), max_size=6)
    return st.tuples(changed, extra, drop).map(
        lambda parts: {
            key: values
            for key, values in (base | parts[0] | parts[1]).items()
            if key not in parts[2]
        }
    )


@pytest.mark.parametrize("example_name", FUZZED)
def test_the_htmx_endpoints_answer_200_for_any_posted_data(
    composer_client, demo_users, example_name
):
    example = EXAMPLES[example_name]
    user = get_user_model().objects.get(username="composer")
    campaign = services.campaign_import(
        user=user, body=example.body, endpoint=example.endpoint
    ).campaign
    page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk]))
    base = dict(submitted_data(page.content.decode()).lists())
    names = sorted(base)
    prefixes = [s.prefix for s in payloads.sections(campaign.api, campaign.channel)]
    urls = [
        reverse("campaigns:composer_preview", args=[campaign.pk]),
        reverse("campaigns:composer_save", args=[campaign.pk]),
        reverse("campaigns:composer_target", args=[campaign.pk]),
        *(reverse("campaigns:composer_section", args=[campaign.pk, p]) for p in prefixes),
        reverse("campaigns:composer", args=[campaign.pk]),
    ]

    saves = {urls[1], urls[-1]}
    refused = composer.NOT_SAVED_INCOMPLETE.split("{parts}")[0]

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=fuzzed_data(base, names), url=st.sampled_from(urls))
    def posts(data, url):
        response = composer_client.post(url, data, headers={"HX-Request": "true"})
        if response.status_code == 400:
            # A save of part of the form is refused in words (tests/views/test_composer.py).
            assert url in saves and refused in response.content.decode(), (url, data)
        else:
            assert response.status_code in (200, 302), (url, data)

    posts()
