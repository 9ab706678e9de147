"""CleverTap's request examples, pasted into the import page as the reference page shows them.

The examples are taken from the scraped page itself (../shared/reference/, beside the project),
not from the cleaned fixtures: comments, trailing commas, the stray quote left from the curl
wrapping and the scraper's hidden e-mail addresses included. Each is paired, in page order, with
its cleaned fixture (tests/fixtures/reference/, whose index.json is in page order too).
"""

import html
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from campaigns import jsonfile
from campaigns.models import Campaign
from campaigns.views import forms as view_forms
from tests.reference_examples import FIXTURES, reference_examples

pytestmark = pytest.mark.django_db

PAGE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "reference"
    / "clevertap-create-campaign-api.txt"
)
# How the request bodies are found in the page's text:
# - the curl examples' payloads: a line `curl ... -d '<body>' \`, the body between the quotes;
# - the JSON blocks: from a line that is only `{` at the margin to the next line that starts with
#   `}` at the margin (with what follows it on that line: the stray `'` of some examples).
#   Request bodies are the blocks that name a `"target_mode"` or open with a `"to"` object; the
#   others are the example responses, the event-occurrence snippet and scraps of the page's
#   tables.
CURL_PAYLOAD = re.compile(r"^curl .*?-d '(?P<body>.*)' \\$", re.MULTILINE)
JSON_BLOCK = re.compile(r"^\{[ \t]*\n.*?^\}[^\n]*", re.MULTILINE | re.DOTALL)
REQUEST_BODY = re.compile(r'"target_mode"|\A\{\s*"to"\s*:\s*\{')
CURL_PAYLOADS, JSON_BLOCKS, JSON_REQUEST_BODIES = 2, 51, 39
# The scraper hid e-mail addresses behind this placeholder; the fixtures hold distinct addresses.
HIDDEN_ADDRESS = "[email\xa0protected]"
FIXTURE_ADDRESS = re.compile(r"user\d+@example\.com")

# What reading each example forgives, by its number in page order (its fixture's number).
STRICT_JSON = {1, 3, 5, 10, 22, 23, 24, 25, 26, 28, 29, 30, 32, 34, 35, 36, 37, 39, 40, 41}
COMMENTS = {6: 2, 7: 1, 8: 1, 9: 1, 11: 4, **dict.fromkeys(range(12, 18), 2), 27: 1, 31: 2, 33: 1}
TRAILING_COMMAS = {38: 1}
STRAY_QUOTE = {4, 18, 19, 20, 21}
# 02 has a closing brace too many, which closes the body before its last keys.
UNREADABLE = {2: (75, 6)}


def page_request_bodies() -> list[str]:
    """The request bodies of the reference page, in page order, as the page shows them."""
    text = PAGE.read_text(encoding="utf-8")
    payloads = [(match.start(), match["body"]) for match in CURL_PAYLOAD.finditer(text)]
    blocks = [(match.start(), match.group()) for match in JSON_BLOCK.finditer(text)]
    assert (len(payloads), len(blocks)) == (CURL_PAYLOADS, JSON_BLOCKS)
    bodies = [(start, block) for start, block in blocks if REQUEST_BODY.search(block)]
    assert len(bodies) == JSON_REQUEST_BODIES
    return [body for _, body in sorted(payloads + bodies)]


BODIES = page_request_bodies()
EXAMPLES = reference_examples()
READABLE = [
    pytest.param(number, body, example, id=example.name)
    for number, (body, example) in enumerate(zip(BODIES, EXAMPLES, strict=True), start=1)
    if number not in UNREADABLE
]


def cleaned(example) -> dict:
    """The cleaned example as the page would give it: its e-mail addresses hidden again."""
    text = FIXTURE_ADDRESS.sub(HIDDEN_ADDRESS, (FIXTURES / example.name).read_text())
    return json.loads(text)


def forgiven_notice(number: int) -> str | None:
    forms = jsonfile.FORGIVEN_FORMS[jsonfile.REMOVED]
    if number in COMMENTS:
        count, (one, several) = COMMENTS[number], forms["comment"]
    elif number in TRAILING_COMMAS:
        count, (one, several) = TRAILING_COMMAS[number], forms["trailing comma"]
    elif number in STRAY_QUOTE:
        count, one = 1, jsonfile.STRAY_QUOTE
    else:
        return None
    removed = (one if count == 1 else several).format(count=count)
    changes = jsonfile.REMOVED.format(forms=removed, verb="was" if count == 1 else "were")
    return jsonfile.LENIENT_NOTICE.format(changes=changes)


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
    expected = {key: value for key, value in cleaned(example).items() if key != "estimate_only"}
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
