import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def json_pretty(value: Any) -> str:
    """Indented JSON, as plain text: the template escapes it like any other string."""
    if value is None:
        return ""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


@register.filter
def thousands(value: Any) -> str:
    """12345 -> "12,345" (django.contrib.humanize is not installed)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def json_compact(value: Any) -> str:
    """One-line JSON, as plain text."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)
