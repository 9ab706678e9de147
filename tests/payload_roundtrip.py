"""Round trips through the forms, as the composer does them."""

from django.template.loader import render_to_string

from campaigns import payloads
from campaigns.forms.additional import AdditionalFieldsForm
from devtools.bench.formdata import submitted_data


def rendered_forms_html(body: dict, *, api: str, channel: str) -> str:
    parsed = payloads.parse_body(body, api=api, channel=channel)
    forms = payloads.bind_forms(parsed.data, api=api, channel=channel)
    html = [render_to_string("campaigns/_payload_form.html", {"form": f}) for f in forms.values()]
    additional = AdditionalFieldsForm(parsed.data)
    html.append(render_to_string("campaigns/_payload_form.html", {"form": additional}))
    return "\n".join(html)


def through_the_browser(body: dict, *, api: str, channel: str) -> dict:
    """Parse, render the forms, post what a browser would post unchanged, and build again."""
    posted = submitted_data(rendered_forms_html(body, api=api, channel=channel))
    forms = payloads.bind_forms(posted, api=api, channel=channel)
    extras = AdditionalFieldsForm.load(posted.get(AdditionalFieldsForm.FIELD, ""))
    return payloads.build_body(forms, extras)
