"""How a payload form with many fields is laid out: titled groups, each counted field followed by
its length counter and the reviewers' comments on it."""

from crispy_forms.layout import HTML, Fieldset, Layout

from campaigns.forms.base import PayloadForm

# A field's length counter, under it: drawn from the composer's preview (the channel's preview()
# gives `counters` by field name), empty until there is one; each live preview swaps it again.
# The reviewers' comments on the field follow its counter.
COUNTER_SLOT = (
    '{{% include "campaigns/previews.html#counter" with field="{name}" '
    "counter=preview.device.counters.{name} %}}"
    '{{% include "campaigns/_comments.html#field-comments" '
    'with html_name=form.prefix|add:"-{name}" %}}'
)


def fieldsets(form: PayloadForm, groups: dict[str, list[str]]) -> None:
    """Lay the form out in titled groups (every field must be in one), each counted field
    followed by its counter."""

    def laid_out(name: str) -> list:
        return [name, HTML(COUNTER_SLOT.format(name=name))] if name in form.counted else [name]

    form.helper.layout = Layout(
        *(
            Fieldset(title, *(item for name in names for item in laid_out(name)))
            for title, names in groups.items()
        )
    )
