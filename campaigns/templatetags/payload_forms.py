"""`{% payload_fields form %}`: a payload form's fields in its layout (forms.rendering);
`{% section_form section section_url %}`: a composer section's form (section_html)."""

from django import template

from campaigns import section_html
from campaigns.forms import rendering

register = template.Library()


@register.simple_tag(takes_context=True)
def payload_fields(context, form):
    return rendering.render_form(form, context)


@register.simple_tag(takes_context=True)
def section_form(context, section, section_url):
    """A composer section's form, drawn or taken from the page's kept drawings."""
    return section_html.section_form(context, section, section_url)
