"""The composer in a marketer's words: every label says what a field is, its JSON path is only a
hint beside it, and an empty choice says what CleverTap does without the key."""

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from campaigns import composer, selectors, services
from campaigns.channels import registry
from campaigns.forms.base import PayloadForm
from campaigns.forms.fields import MISSING
from campaigns.jsonpath import get_path, has_path, parse_path
from campaigns.models import Api
from devtools.bench.formdata import submitted_data
from tests.reference_examples import reference_examples

pytestmark = pytest.mark.django_db

FAMILIES = [(Api.TARGETS, channel) for channel in registry.CHANNELS] + [
    (Api.SEND, channel) for channel in registry.SEND_CHANNELS
]
# A JSON path (where.from), an API key (users_limit_overall, ct_mediaUrl), an endpoint's name.
API_WORDS = re.compile(r"\w\.\w|_|\b[a-z]+[A-Z][a-z]|\.json")
# The export's curl command names the environment variable that holds the passcode, on purpose.
TECHNICAL_LABELS = {"As a curl command (the passcode stays $CLEVERTAP_PASSCODE)"}


class Labels(HTMLParser):
    """The texts of a page's <label> and <legend> elements, and its path hints by the id of the
    field's wrapper (`div_id_<html name>`) or the rows' fieldset."""

    def __init__(self):
        super().__init__()
        self.labels: list[str] = []
        self.hints: dict[str, str] = {}
        self._open: list[str] | None = None
        self._in_hint = False
        self._wrappers: list[str] = []
        self._hint = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("label", "legend"):
            self._open = []
        element_id = attrs.get("id") or ""
        if tag == "div" and element_id.startswith("div_id_") or tag == "fieldset" and element_id:
            self._wrappers.append(element_id)
        elif tag in ("div", "fieldset"):
            self._wrappers.append("")
        if tag == "code" and "api-path" in (attrs.get("class") or ""):
            self._in_hint, self._hint = True, ""

    def handle_endtag(self, tag):
        if tag in ("label", "legend") and self._open is not None:
            self.labels.append(" ".join("".join(self._open).split()))
            self._open = None
        if tag in ("div", "fieldset") and self._wrappers:
            self._wrappers.pop()
        if tag == "code" and self._in_hint:
            self._in_hint = False
            owner = next((w for w in reversed(self._wrappers) if w), "")
            self.hints[owner.removeprefix("div_id_")] = self._hint

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)
        if self._in_hint:
            self._hint += data


def read(html: str | bytes) -> Labels:
    parser = Labels()
    parser.feed(html if isinstance(html, str) else html.decode())
    return parser


def with_a_row_of_each(client, campaign) -> str:
    """The composer page with at least one row in every repeated part (rows inside rows too),
    as its "Add" buttons would make them without JavaScript."""
    url = reverse("campaigns:composer", args=[campaign.pk])
    html = client.get(url).content.decode()
    for _ in range(3):
        data = dict(submitted_data(html).lists())
        for key, values in data.items():
            if key.endswith("-TOTAL_FORMS") and values == ["0"]:
                data[key] = ["1"]
        data["composer-action"] = "preview"
        response = client.post(url, data)
        assert response.status_code == 200
        html = response.content.decode()
    return html


@pytest.mark.parametrize("api, channel", FAMILIES)
def test_no_label_of_the_composer_names_the_api(composer_client, composer_user, api, channel):
    campaign = services.campaign_create(user=composer_user, api=api, channel=channel)
    page = read(with_a_row_of_each(composer_client, campaign))
    assert len(page.labels) > 10
    named = [text for text in page.labels if API_WORDS.search(text)]
    assert set(named) <= TECHNICAL_LABELS


def every_form(form: PayloadForm) -> Iterator[PayloadForm]:
    yield form
    for formset in form.formsets.values():
        for row in formset.forms:
            yield from every_form(row)


@pytest.mark.parametrize("example", reference_examples(), ids=lambda e: e.name)
def test_each_path_hint_is_where_its_fields_value_is_in_the_body(
    composer_client, composer_user, example
):
    campaign = services.campaign_import(
        user=composer_user, body=example.body, endpoint=example.endpoint
    ).campaign
    state = composer.composer_load(campaign, options=selectors.account_options())
    shown = read(composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content)
    checked = 0
    for section in state.sections:
        for form in every_form(section.form) if section.form else ():
            for name in form.fields:
                hint = form.api_path(name)
                # The page shows the field's path beside it, and that is where its value goes.
                assert shown.hints.get(form.add_prefix(name), "") == hint
                if not hint or name in form.left_out:
                    continue
                value = form.json_value(name)
                path = parse_path(hint)
                if value is MISSING or value in ([], "") and not has_path(state.body, path):
                    # Left empty: an empty list a template's header does without is not sent.
                    continue
                found = get_path(state.body, path)
                if form.rows_of and name == form.rows_of.spec.keyed_by:
                    # A row keyed by this field is at its value, in its object.
                    assert (found is not None, path[-1]) == (True, value), (name, hint)
                elif name in getattr(form, "custom_keys", {}):
                    # Custom key-values sit in their object beside its documented keys.
                    assert value.items() <= found.items(), (name, hint)
                else:
                    assert found == value, (name, hint)
                checked += 1
    assert checked


def test_no_choice_in_the_composer_reads_not_set(composer_client, composer_user):
    for api, channel in FAMILIES:
        campaign = services.campaign_create(user=composer_user, api=api, channel=channel)
        html = with_a_row_of_each(composer_client, campaign)
        assert "(not set" not in html
