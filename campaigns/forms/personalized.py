"""The fields CleverTap personalizes with Liquid, on a payload form (`PayloadForm.personalized`):
marked for "Insert personalization" where CleverTap renders Liquid, and checked by the rules of
`personalization_checks` (errors there; elsewhere a warning that the tags go as typed)."""

from campaigns import personalization_checks
from campaigns.forms.fields import TextField


def mark(form) -> None:
    """Mark the fields beside which static/js/personalization.js puts its button (the value is
    the field's label, for the button's name)."""
    if form.options is not None and form.options.liquid_rendered:
        # A field's group on the page tells apart fields of one label (iOS's and Android's links).
        groups = getattr(form, "GROUPS", {})
        for name in form.personalized:
            label = form.fields[name].label
            group = groups.get(name.split("_")[0])
            form.fields[name].widget.attrs["data-personalize"] = (
                f"{label} ({group})" if group else label
            )


def check(form) -> None:
    """Liquid where CleverTap renders it is checked; anywhere else it is sent as typed."""
    options = form.options
    rendered = bool(options and options.liquid_rendered)
    reason = personalization_checks.WHY_FIELD if rendered else ""
    reason = reason or (options and options.liquid_literal_reason) or ""
    sample = options.sample_missing if options else None
    for name, form_field in form.fields.items():
        text = form.raw(name) if isinstance(form_field, TextField) else None
        if not isinstance(text, str) or name in form.left_out:
            continue
        if rendered and name in form.personalized:
            for message in personalization_checks.liquid_errors(text, sample_missing=sample):
                form.add_error(name, message)
            said = personalization_checks.at_profile_warning(text)
        else:
            said = personalization_checks.literal_warning(text, reason=reason)
        if said:
            form.add_warning(name, said)
