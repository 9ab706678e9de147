"""The live preview reuses each section's JSON and problems kept by what was posted
(campaigns/section_cache.py); whatever the edits, every preview must equal the body built from
scratch. Random sequences of edits to random reference bodies, each posted to the preview with
the cache in play, each compared with a build that finds nothing kept."""

import html
import json
import re
from datetime import UTC, datetime

import pytest
from django.http import QueryDict
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns import composer, payloads, selectors, services
from campaigns.forms import schedule as schedule_forms
from devtools.bench.formdata import submitted_data
from tests.reference_examples import reference_examples

pytestmark = pytest.mark.django_db
EXAMPLES = reference_examples()
# A fixed instant: a build a minute later may rightly differ (a send time now in the past).
NOW = datetime(2026, 6, 1, 9, 30, 15, tzinfo=UTC)
NOTHING_KEPT = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
_PREVIEW_JSON = re.compile(r'id="preview-json"[^>]*><code>(.*?)</code></pre>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")

values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "3",
            "-1",
            "on",
            "true",
            "now",
            "later",
            "recurring",
            "week",
            "day",
            "20991231 10:00",
            "20200101 10:00",
            "2099-12-31T10:00",
            "10:00",
            "email",
            "push",
            "https://example.com/a",
            "Charged",
            "{{ Profile.name }}",
            "[1, 2]",
            '{"a": 1}',
        ]
    ),
)
# One keystroke's edit: a value typed into an input, an input put back as the page had it, or
# an input the page no longer posts (an unticked box, a row gone).
edits = st.tuples(st.sampled_from(["type", "revert", "drop"]), st.integers(0, 10_000), values)


def shown_body(response) -> dict:
    """The request body as the preview shows it (its highlighted JSON, read back)."""
    match = _PREVIEW_JSON.search(response.content.decode())
    assert match, "the preview answer shows no JSON"
    return json.loads(html.unescape(_TAG.sub("", match.group(1))))


def bound(campaign, posted: dict[str, list[str]]) -> composer.Composer:
    data = QueryDict(mutable=True)
    for key, items in posted.items():
        data.setlist(key, items)
    return composer.composer_bind(data, campaign, options=selectors.account_options(composing=True))


def problems(state: composer.Composer) -> tuple[list, list]:
    return list(state.errors), list(state.warnings)


def test_every_preview_equals_the_body_built_from_scratch(
    composer_client, composer_user, monkeypatch
):
    monkeypatch.setattr(schedule_forms, "current_time", lambda: NOW)

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(example=st.sampled_from(EXAMPLES), steps=st.lists(edits, min_size=1, max_size=6))
    def previews(example, steps):
        campaign = services.campaign_import(
            user=composer_user, body=example.body, endpoint=example.endpoint
        ).campaign
        page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk]))
        original = dict(submitted_data(page.content.decode()).lists())
        prefixes = tuple(f"{s.prefix}-" for s in payloads.sections(campaign.api, campaign.channel))
        names = sorted(key for key in original if key.startswith(prefixes))
        url = reverse("campaigns:composer_preview", args=[campaign.pk])
        posted = dict(original)
        for kind, pick, value in steps:
            name = names[pick % len(names)]
            if kind == "type":
                posted[name] = [value]
            elif kind == "revert":
                posted[name] = original[name]
            else:
                posted.pop(name, None)
            response = composer_client.post(url, posted, headers={"HX-Request": "true"})
            assert response.status_code == 200, (example.name, steps)
            kept = bound(campaign, posted)
            with override_settings(CACHES=NOTHING_KEPT):
                scratch = bound(campaign, posted)
            assert shown_body(response) == scratch.body, (example.name, steps)
            assert kept.body == scratch.body, (example.name, steps)
            assert problems(kept) == problems(scratch), (example.name, steps)

    previews()
