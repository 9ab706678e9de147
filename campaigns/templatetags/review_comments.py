"""Where the composer shows the reviewers' comments (`review.comments.ComposerComments`): the
page asks by the field's HTML name or the section's prefix, which a template cannot look up."""

from django import template

register = template.Library()


@register.filter
def at_field(comments, html_name: str) -> list:
    """The open comments on this field; none on a page without comments."""
    return comments.at_field(html_name) if hasattr(comments, "at_field") else []


@register.filter
def at_section(comments, prefix: str) -> list:
    """The open comments on this section (on no field of it the page shows)."""
    return comments.at_section(prefix) if hasattr(comments, "at_section") else []
