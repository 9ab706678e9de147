"""The composer's list of audience inputs, for the script that refreshes the reach after an edit
of one of them (`static/js/reach.js`)."""

import json

from django import template

from campaigns.publishing import audience_keys

register = template.Library()


@register.simple_tag
def audience_inputs_json() -> str:
    return json.dumps(list(audience_keys.audience_inputs_everywhere()))
