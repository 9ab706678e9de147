"""The payload forms' inputs drawn in Python (forms.widget_html) are Django's own widget HTML, and
the composer page draws each field with its label, API path, classes and errors at the field."""

import copy
import re

import pytest
from django.forms import CheckboxSelectMultiple, RadioSelect
from django.forms.renderers import DjangoTemplates
from django.template.loader import get_template
from django.urls import reverse

from campaigns import composer, selectors, services
from campaigns.forms import rendering
from campaigns.forms.base import PayloadForm
from devtools.bench.formdata import submitted_data
from tests.drafts import PUSH_BODY
from tests.reference_examples import reference_examples

pytestmark = pytest.mark.django_db

DJANGO = DjangoTemplates()
HOSTILE = "<b>\"x\" & 'y'</b>"


def every_form(form: PayloadForm):
    yield form
    for formset in form.formsets.values():
        for row in formset.forms:
            yield from every_form(row)


def widgets_both_ways(state: composer.Composer) -> tuple[list[str], list[str]]:
    ours, djangos = [], []
    for section in state.forms.values():
        if section is None:
            continue
        for form in every_form(section):
            for field in form:
                ours.append(str(field))
                form.renderer = DJANGO
                djangos.append(str(field))
                form.renderer = type(form).default_renderer
    return ours, djangos


@pytest.mark.parametrize("example", reference_examples()[::4], ids=lambda e: e.name)
def test_every_input_of_a_reference_draft_is_djangos_own_html(composer_user, example):
    campaign = services.campaign_import(
        user=composer_user, body=example.body, endpoint=example.endpoint
    ).campaign
    state = composer.composer_load(campaign, options=selectors.account_options(composing=True))
    ours, djangos = widgets_both_ways(state)
    assert len(ours) > 10
    assert ours == djangos


def test_typed_markup_is_escaped_as_django_escapes_it(composer_user):
    body = copy.deepcopy(PUSH_BODY)
    body["name"] = HOSTILE
    body["content"]["title"] = HOSTILE
    body["content"]["body"] = HOSTILE
    campaign = services.campaign_import(
        user=composer_user, body=body, endpoint="targets/create.json"
    ).campaign
    state = composer.composer_load(campaign, options=selectors.account_options(composing=True))
    ours, djangos = widgets_both_ways(state)
    assert ours == djangos
    assert sum("&lt;b&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/b&gt;" in html for html in ours) >= 3
    assert not any(HOSTILE in html for html in ours)


def test_a_field_shows_its_label_path_classes_and_error_at_it(composer_client, composer_user):
    body = copy.deepcopy(PUSH_BODY)
    campaign = services.campaign_import(
        user=composer_user, body=body, endpoint="targets/create.json"
    ).campaign
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    title = html[html.index('id="div_id_content-title"') :]
    title = " ".join(title[: title.index('id="div_id_', 10)].split())
    assert '<label for="id_content-title" class="form-label' in title
    assert '<code class="api-path">content.title</code>' in title
    assert 'class="textinput form-control' in title or 'class="textarea form-control' in title
    assert "is-invalid" not in title
    # Without JavaScript the page is posted to be previewed: errors show at their fields.
    data = dict(submitted_data(html).lists())
    data["content-ios_badge_count"] = ["lots"]
    data["composer-action"] = ["preview"]
    url = reverse("campaigns:composer", args=[campaign.pk])
    html = composer_client.post(url, data).content.decode()
    text = html[html.index('id="div_id_content-ios_badge_count"') :]
    text = " ".join(text[: text.index('id="div_id_', 10)].split())
    assert "is-invalid" in text
    assert 'class="invalid-feedback"' in text and "<strong>" in text


def markup(html: str) -> str:
    """HTML with whitespace between tags and inside them left out (none of it is shown)."""
    html = re.sub(r">\s+<", "><", html.strip())
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s+>", ">", html).replace("> ", ">").replace(" <", "<")


def test_lists_of_choices_are_crispys_markup_errors_included(composer_client, composer_user):
    campaign = services.campaign_import(
        user=composer_user, body=copy.deepcopy(PUSH_BODY), endpoint="targets/create.json"
    ).campaign
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    data = submitted_data(html)
    data.setlist("audience-who", ["nobody-in-particular"])
    data.setlist("delivery-devices", ["android", "toaster"])
    state = composer.composer_bind(
        data, campaign, options=selectors.account_options(composing=True)
    )
    crispy = get_template("bootstrap5/layout/radio_checkbox_select.html")
    compared, invalid = 0, 0
    for section in state.forms.values():
        for form in every_form(section) if section is not None else ():
            for field in form:
                if not isinstance(field.field.widget, RadioSelect | CheckboxSelectMultiple):
                    continue
                ours = rendering._choices(field) + rendering._help_text(field)
                theirs = crispy.render({"field": field, "form_show_errors": True})
                assert markup(ours) == markup(theirs)
                compared += 1
                invalid += bool(field.errors)
    assert compared >= 2
    assert invalid >= 1
