"""What a payload form describes and reports: errors at JSON paths, the form data a JSON object
stands for, a choice between parts of a body, a repeated part; and the words the page shows
beside a choice."""

from dataclasses import dataclass, field
from typing import Any

from django import forms

from campaigns.jsonpath import Path, format_path


@dataclass(frozen=True)
class PayloadError:
    path: Path
    message: str
    # The CleverTap error code the rule answers with, where the API documents one.
    code: int | None = None
    # The form field's HTML name, when the error belongs to one.
    field: str | None = None
    # CleverTap's own text for this error, where the reference records it and ours says more:
    # what the sandbox answers (`PayloadForm.answers`).
    api_message: str | None = None

    @property
    def where(self) -> str:
        return format_path(self.path) or "(body)"


@dataclass
class ParsedJson:
    """Form data for one JSON object, and the paths of the values that the data stands for."""

    data: dict[str, Any] = field(default_factory=dict)
    claimed: set[Path] = field(default_factory=set)

    def update(self, other: "ParsedJson") -> None:
        self.data.update(other.data)
        self.claimed |= other.claimed


@dataclass(frozen=True)
class Alternatives:
    """A choice between parts of a body: each value of the `choice` field leaves out the parts
    at the paths `leaves_out[value]` (the fields and rows under them), which are not sent.

    Left-out parts stay in the page with what was typed in them: greyed and disabled where they
    stand (their values posted by hidden copies, as a disabled input is not posted), or hidden
    (`hide`). A body read with parts that its choice leaves out keeps them, behind a ticked box,
    until the person unticks it or makes another choice.
    """

    choice: str
    leaves_out: dict[str, tuple[Path, ...]]
    hide: bool = False


KEEP_AS_READ = "Keep the other parts as imported"
KEEP_AS_READ_HELP = (
    "The imported campaign also has parts this choice does not send; they are sent while this "
    "is ticked. Untick it to send only the parts of this choice."
)
GREYED_HELP = (
    "What is greyed out below is not sent with this choice; it stays here, so choosing again "
    "brings it back."
)
HIDDEN_HELP = (
    "Only the fields of this choice are shown and sent; choosing the other again brings back "
    "what you typed in it."
)
# Without JavaScript a changed choice shows its parts once the composer's page is posted.
APPLY_CHOICE = (
    '<noscript><button type="submit" class="btn btn-outline-secondary btn-sm mb-3" '
    'name="composer-action" value="preview">Apply this choice</button></noscript>'
)


@dataclass(frozen=True)
class Rows:
    """A repeated part: a list of objects, or an object keyed by one of the row's fields.

    `label` titles the part ("Send times"); `item` names one row on its remove button ("Remove
    send time 2"), and `add` is the text of the button that adds one ("Add a send time").
    """

    path: Path
    # A PayloadForm (`form.py`, which imports this module).
    form: type[forms.Form]
    label: str
    item: str
    add: str
    keyed_by: str | None = None
    max_rows: int = 200
