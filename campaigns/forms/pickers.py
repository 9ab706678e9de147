"""Pickers for the account's data: a text field whose values the account lists (providers,
WhatsApp templates, webhook endpoints, Android notification channels, segments) is shown as a
select of those values; with none listed it stays free text, with a note saying where to add them.

Only the widget changes: the field, and so the value it stands for in the body, is the same
whether it was picked or typed. A value the list does not hold (an imported or older draft) stays
in the select as one more option, marked, and the field's own rule still reports it.
"""

from django import forms

from campaigns.forms import fields
from campaigns.forms.options import AccountOptions

CHOOSE = "Choose {what}…"
NOT_LISTED = "{value} (not in the account's list)"
# Where the admin lists each kind of value: Django's admin, the Campaigns app.
WHERE_TO_ADD = "Your admin can list them in the admin, under Campaigns → {page}."
NONE_LISTED = "The account lists no {what} yet: type it as CleverTap names it. " + WHERE_TO_ADD
NO_SEGMENTS = (
    "No segments are listed here: type the segment's id as CleverTap's dashboard shows it, "
    "under Segments."
)
NO_SANDBOX_SEGMENTS = (
    "The sandbox has no segments yet: type a segment's id. Sandbox operators can add segments "
    "in the admin, under Sandbox → Segments."
)
SEGMENT_LABEL = "{name} (id {id})"
SEGMENT_SIZED = "{name} (id {id}, about {size:,} {people})"


class AccountSelect(fields.ChoiceSelect):
    """The account's values, and the current value too when the list does not hold it."""

    unlisted = NOT_LISTED


def offer(
    form: forms.Form,
    name: str,
    choices: list[tuple[str, str]],
    *,
    what: str,
    note: str,
) -> None:
    """Show the field `name` as a select of `choices` (value, label), or, with none, as the
    free text it is with `note` under it. Nothing changes when the form has no account loaded."""
    if getattr(form, "options", None) is None:
        return
    field = form.fields[name]
    if not choices:
        help_text(form, name, f"{field.help_text} {note}".strip())
        return
    attrs = {k: v for k, v in field.widget.attrs.items() if k not in ("maxlength", "inputmode")}
    field.widget = AccountSelect(attrs=attrs, choices=[("", CHOOSE.format(what=what)), *choices])


def help_text(form: forms.Form, name: str, text: str) -> None:
    """Set a field's help text, on its bound field too: a form that read the field's value
    already holds one, made with the help text it had then."""
    form.fields[name].help_text = text
    form[name].help_text = text


def same(values) -> list[tuple[str, str]]:
    """Choices whose labels are their values."""
    return [(value, value) for value in dict.fromkeys(values)]


def offer_provider(form: forms.Form, name: str, channel: str, *, label: str) -> None:
    """The account's providers of `channel` (`label`: "SMS", "WhatsApp")."""
    options: AccountOptions | None = form.options
    names = options.providers.get(channel, ()) if options else ()
    what = f"{label} providers"
    offer(
        form,
        name,
        same(names),
        what="a provider",
        note=NONE_LISTED.format(what=what, page="Providers"),
    )


def segment_choices(options: AccountOptions) -> list[tuple[str, str]]:
    choices = []
    for segment in options.segments:
        if segment.size is None:
            label = SEGMENT_LABEL.format(name=segment.name, id=segment.id)
        else:
            people = "person" if segment.size == 1 else "people"
            label = SEGMENT_SIZED.format(
                name=segment.name, id=segment.id, size=segment.size, people=people
            )
        choices.append((str(segment.id), label))
    return choices
