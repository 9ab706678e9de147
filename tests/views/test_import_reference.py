"""CleverTap's request examples, pasted into the import page as the reference page shows them.

The examples are taken from the scraped page itself (tests/fixtures/reference/page.txt),
not from the cleaned fixtures: comments, trailing commas, the stray quote left from the curl
wrapping and the scraper's hidden e-mail addresses included. Each is paired, in page order, with
its cleaned fixture (tests/fixtures/reference/, whose index.json is in page order too).
"""

import html
import json

import pytest
from django.urls import reverse

from campaigns import jsonfile
from campaigns.models import Campaign
from campaigns.views import forms as view_forms
from tests import payload_checks
from tests.reference_examples import (
    BODIES,
    COMMENTS,
    EXAMPLES,
    FIXTURE_ADDRESS,
    FIXTURES,
    HIDDEN_ADDRESS,
    STRAY_QUOTE,
    STRICT_JSON,
    TRAILING_COMMAS,
    UNREADABLE,
    forgiven_notice,
)

pytestmark = pytest.mark.django_db

READABLE = [
    pytest.param(number, body, example, id=example.name)
    for number, (body, example) in enumerate(zip(BODIES, EXAMPLES, strict=True), start=1)
    if number not in UNREADABLE
]


def cleaned(example) -> dict:
    """The cleaned example as the page would give it: its e-mail addresses hidden again."""
    text = FIXTURE_ADDRESS.sub(HIDDEN_ADDRESS, (FIXTURES / example.name).read_text())
    return json.loads(text)


def paste(client, text: str, endpoint: str, **data):
    url = reverse("campaigns:campaign_import")
    return client.post(url, {"text": text, "endpoint": endpoint, **data}, follow=True)


def test_the_page_has_one_request_body_per_cleaned_example_and_the_reading_is_known():
    assert len(BODIES) == len(EXAMPLES) == 41
    numbers = set(range(1, len(BODIES) + 1))
    lenient = set(COMMENTS) | set(TRAILING_COMMAS) | STRAY_QUOTE
    assert STRICT_JSON | lenient | set(UNREADABLE) == numbers
    assert len(STRICT_JSON) + len(lenient) + len(UNREADABLE) == len(numbers)
    assert len(READABLE) == 40
    for number, body in enumerate(BODIES, start=1):
        try:
            json.loads(body)
        except ValueError:
            assert number not in STRICT_JSON, number
        else:
            assert number in STRICT_JSON, number


@pytest.mark.parametrize(("number", "body", "example"), READABLE)
def test_each_readable_example_pasted_as_the_page_shows_it_becomes_a_draft(
    composer_client, number, body, example
):
    response = paste(composer_client, body, example.endpoint)
    campaign = Campaign.objects.get()
    assert response.redirect_chain == [(reverse("campaigns:composer", args=[campaign.pk]), 302)]
    expected = payload_checks.as_drafted(cleaned(example))
    assert campaign.body == expected
    assert (campaign.api, campaign.channel) == (example.endpoint.split("/")[0], example.channel)

    shown = [str(message) for message in response.context["messages"]]
    notice = forgiven_notice(number)
    if notice is None:
        assert not any(text.startswith("The body was not strict JSON") for text in shown)
    else:
        assert shown.count(notice) == 1
        assert html.escape(notice) in response.content.decode()

    export = composer_client.get(reverse("campaigns:campaign_export", args=[campaign.pk]))
    assert export["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(export.content.decode("utf-8")) == expected


def test_the_example_with_a_brace_too_many_is_refused_with_its_line_marked(composer_client):
    ((number, (line, column)),) = UNREADABLE.items()
    body, example = BODIES[number - 1], EXAMPLES[number - 1]
    response = paste(composer_client, body, example.endpoint)
    assert response.status_code == 200
    assert not Campaign.objects.exists()
    page = response.content.decode()
    message = jsonfile.UNREADABLE.format(
        name=view_forms.PASTED, line=line, column=column, problem=jsonfile.MORE_AFTER_END
    )
    assert html.escape(message) in page
    marked = body.split("\n")[line - 1]
    assert f'<mark class="p-0">{line} | {html.escape(marked)}</mark>' in page
    assert f"{' ' * len(str(line))} | {' ' * (column - 1)}^" in page
    # The paste is still there to correct.
    assert html.escape(body) in page
