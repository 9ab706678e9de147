"""Forms that stand for parts of a CleverTap request body.

A `PayloadForm` maps each field to a path in its JSON object (`paths`) and each repeated part to a
formset of row forms (`rows`). It converts both ways without validating (see `fields.py`), so an
invalid draft still builds a body with everything that was typed, and its normal Django validation
reports the problems, each at the JSON path of its field.

A form may hold one choice between parts of its body (`alternatives`): the parts the chosen value
leaves out are not sent, and stay in the page (greyed and disabled, or hidden) with what was typed
in them, so that choosing again brings them back.

The package: `parts.py` (what a form describes and reports: errors at JSON paths, parsed data,
choices between parts, repeated parts), `form.py` (`PayloadForm`), `rows.py` (the formset of a
repeated part's rows).
"""

from campaigns.forms.base.form import HintedBoundField, PayloadForm
from campaigns.forms.base.parts import (
    APPLY_CHOICE,
    GREYED_HELP,
    HIDDEN_HELP,
    KEEP_AS_READ,
    KEEP_AS_READ_HELP,
    Alternatives,
    ParsedJson,
    PayloadError,
    Rows,
)
from campaigns.forms.base.rows import PayloadFormSet

__all__ = [
    "APPLY_CHOICE",
    "GREYED_HELP",
    "HIDDEN_HELP",
    "KEEP_AS_READ",
    "KEEP_AS_READ_HELP",
    "Alternatives",
    "HintedBoundField",
    "ParsedJson",
    "PayloadError",
    "PayloadForm",
    "PayloadFormSet",
    "Rows",
]
