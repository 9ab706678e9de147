"""Who receives a campaign: filters, a segment or everyone (targets), identities (send).

targets/create.json: `where` (event and profile filters; `{}` for everyone), or `segment` (a
segment id) instead, and `advanced_query.did_all` event-occurrence conditions. The person's choice
of everyone / filtered / segment is the `who` field, read from the body on import so that
`"where": {}` comes back as `{}` and a segment never gains a `where`. A segment sends neither
filters nor event occurrences, and everyone or filtered no segment: what a choice leaves out stays
in the page, greyed (forms.base.Alternatives). A body read with both keeps both (who: the where's
choice) behind a ticked box, and a where with a segment is reported.

send/<channel>.json: `to`, a list of identities per type, one box each; an entry that does not
look like its type is a warning, not an error.

The filter rows (profile fields here, event properties in the conversion goal) share the
operators of NOTES.md and one set of value rules (`filter_value_error`).
"""

import json
from functools import cached_property
from typing import Any

from crispy_forms.layout import HTML, Layout
from django import forms
from django.conf import settings

from campaigns import identities
from campaigns.forms import dates, fields, pickers
from campaigns.forms import schedule as schedule_forms
from campaigns.forms.base import Alternatives, PayloadForm, Rows
from campaigns.forms.fields import MISSING
from campaigns.models import IdentityList, identity_lists

# The composer renders <datalist> elements with these ids from AccountOptions (see `datalists`).
EVENT_NAMES_DATALIST = "ct-event-names"
PROPERTY_NAMES_DATALIST = "ct-property-names"

OPERATORS = [
    ("equals", "equals"),
    ("not_equals", "does not equal"),
    ("greater_than", "greater than"),
    ("greater_than_equals", "greater than or equal to"),
    ("less_than", "less than"),
    ("less_than_equals", "less than or equal to"),
    ("contains", "contains"),
    ("does_not_contain", "does not contain"),
    ("exists", "exists (no value)"),
    ("does_not_exist", "does not exist (no value)"),
    ("between", "between (two values)"),
]
NO_VALUE_OPERATORS = ("exists", "does_not_exist")

OPERATOR_REQUIRED = "Choose an operator."
OPERATOR_UNKNOWN = (
    "“%(value)s” is not an operator; use one of: " + ", ".join(op for op, _ in OPERATORS) + "."
)
VALUE_REQUIRED = "Give a value to compare with."
VALUE_NOT_ALLOWED = "“{operator}” takes no value: leave the value empty."
BETWEEN_NEEDS_TWO = "“between” needs exactly two values, low then high, written like [10, 20]."
BETWEEN_LOW_ABOVE_HIGH = "“between” takes the low value first: {low} is more than {high}."
PROFILE_FIELD_NAME_REQUIRED = "Give the profile property's name."
EVENT_NAME_REQUIRED = "Choose the event."
FROM_AFTER_TO = "The start date is after the end date."
WHERE_TO_IN_FUTURE = (
    "The end date is after today ({today}, in the account's timezone): CleverTap refuses an "
    "event range that ends in the future."
)
SEGMENT_REQUIRED = "Give the segment id."
SEGMENT_TOO_LOW = "A segment id is a positive number."
MORE_MALFORMED = "…and {count} more malformed {type} entries."
LIST_NOT_STORED = (
    "The uploaded identity list is no longer stored (it was never saved with a draft): upload "
    "the file again."
)
# A stored list longer than this opens as a summary (its hash posted) rather than in the boxes.
LIST_SHOWN_AS_TEXT = 2000
WHERE_REQUIRED = (
    "Choose who receives the campaign: everyone, people who match filters, or a saved segment."
)
SEGMENT_OR_WHERE = "Send either to a saved segment or to people who match filters, not both."
TO_REQUIRED = '"to" is a mandatory field'
TO_CODE = 21
UNKNOWN_IDENTITY_TYPE = (
    "“{type}” is not an identity type; use " + ", ".join(identities.IDENTITY_TYPES) + "."
)

VALUE_HELP = "Text as typed, or a number, true or false; for between, two values like [10, 20]."

EVERYONE = "everyone"
FILTERED = "filtered"
SEGMENT = "segment"
# The New page's answers to "Who should get it?" that the composer opens on (`start_data`):
# people who did an event, people with a profile property, a saved segment. "Everyone" needs
# none: its body says it ("where": {}).
START_EVENT = "event"
START_PROPERTY = "property"
STARTS = (START_EVENT, START_PROPERTY, SEGMENT)


def datalists(options) -> dict[str, tuple[str, ...]]:
    """The suggestions the composer renders as <datalist id=...> for the name inputs."""
    if options is None:
        return {EVENT_NAMES_DATALIST: (), PROPERTY_NAMES_DATALIST: ()}
    return {
        EVENT_NAMES_DATALIST: tuple(options.event_names),
        PROPERTY_NAMES_DATALIST: tuple(options.property_names),
    }


def suggested(datalist: str) -> forms.TextInput:
    return forms.TextInput(attrs={"list": datalist, "autocomplete": "off"})


def filter_value_error(operator: Any, value: Any) -> str | None:
    """What is wrong with a filter's value for its operator (MISSING: no value), or None."""
    if operator in NO_VALUE_OPERATORS:
        return None if value is MISSING else VALUE_NOT_ALLOWED.format(operator=operator)
    if value is MISSING:
        return VALUE_REQUIRED
    if operator == "between":
        if not isinstance(value, list) or len(value) != 2:
            return BETWEEN_NEEDS_TWO
        low, high = value
        comparable = all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value
        ) or all(isinstance(v, str) for v in value)
        if comparable and low > high:
            return BETWEEN_LOW_ABOVE_HIGH.format(low=json.dumps(low), high=json.dumps(high))
    return None


def operator_field(**kwargs) -> fields.ChoiceField:
    return fields.ChoiceField(
        label="Condition",
        choices=OPERATORS,
        blank_label=fields.CHOOSE,
        error_messages={"invalid_choice": OPERATOR_UNKNOWN},
        **kwargs,
    )


class FilterRowForm(PayloadForm):
    """A name, an operator and a value; subclasses name the three fields."""

    name_field = "name"
    value_field = "value"
    name_required = PROFILE_FIELD_NAME_REQUIRED

    def clean(self):
        data = super().clean()
        if not data.get(self.name_field) and self.name_field not in self.errors:
            self.add_error(self.name_field, self.name_required)
        operator = data.get("operator")
        if not operator:
            if "operator" not in self.errors:
                self.add_error("operator", OPERATOR_REQUIRED)
            return data
        if "operator" in self.errors:
            return data
        message = filter_value_error(operator, self.json_value(self.value_field))
        if message:
            self.add_error(self.value_field, message)
        return data


class ProfileFieldForm(FilterRowForm):
    """One row of `where.common_profile_properties.profile_fields`."""

    name = fields.TextField(
        label="Profile property", max_length=500, widget=suggested(PROPERTY_NAMES_DATALIST)
    )
    operator = operator_field()
    value = fields.JsonValueField(
        label="Value",
        help_text=VALUE_HELP,
    )

    paths = {"name": ("name",), "operator": ("operator",), "value": ("value",)}


class FromToMixin:
    """`from` and `to` dates (YYYYMMDD) where the start may not come after the end."""

    def check_dates(self, data: dict) -> None:
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and start > end:
            self.add_error("from_date", FROM_AFTER_TO)


class EventOccurrenceForm(FromToMixin, FilterRowForm):
    """One row of `advanced_query.did_all`: how often the event happened between two dates."""

    name_field = "event_name"
    name_required = EVENT_NAME_REQUIRED

    event_name = fields.TextField(
        label="Event", max_length=500, widget=suggested(EVENT_NAMES_DATALIST)
    )
    from_date = dates.JsonDateField(label="Start date")
    to_date = dates.JsonDateField(label="End date")
    operator = operator_field()
    value = fields.JsonValueField(
        label="Number of times", help_text="How many times, e.g. 5; for between, [2, 4]."
    )

    paths = {
        "event_name": ("event_name",),
        "from_date": ("from",),
        "to_date": ("to",),
        "operator": ("operator",),
        "value": ("value",),
    }

    def clean(self):
        data = super().clean()
        self.check_dates(data)
        return data


class AudienceForm(FromToMixin, PayloadForm):
    """targets/create.json: everyone, people matching filters (`where`), or a segment."""

    who = forms.ChoiceField(
        label="Who receives it",
        required=False,
        choices=[
            (EVERYONE, "Everyone"),
            (FILTERED, "People who match the filters below"),
            (SEGMENT, "People in a saved segment"),
        ],
        widget=forms.RadioSelect,
    )
    event_name = fields.TextField(
        label="Did the event",
        max_length=500,
        widget=suggested(EVENT_NAMES_DATALIST),
        help_text="Between the start and end dates below, when they are given.",
    )
    from_date = dates.JsonDateField(label="Start date")
    to_date = dates.JsonDateField(label="End date")
    segment = fields.IntegerField(
        label="Saved segment",
        help_text="CleverTap creates the campaign only once the segment has been processed.",
    )

    paths = {
        "event_name": ("where", "event_name"),
        "from_date": ("where", "from"),
        "to_date": ("where", "to"),
        "segment": ("segment",),
    }
    alternatives = Alternatives(
        "who",
        # Everyone and filtered leave out the same part: switching between them changes nothing
        # in the page (the filters typed with "everyone" wait for "filtered", as before).
        {
            EVERYONE: (("segment",),),
            FILTERED: (("segment",),),
            SEGMENT: (("where",), ("advanced_query",)),
        },
    )
    rows = {
        "profile_fields": Rows(
            ("where", "common_profile_properties", "profile_fields"),
            ProfileFieldForm,
            label="Profile properties",
            item="profile property",
            add="Add a profile property",
        ),
        "did_all": Rows(
            ("advanced_query", "did_all"),
            EventOccurrenceForm,
            label="How often they did events (all must hold)",
            item="event condition",
            add="Add an event condition",
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.options is not None:
            note = pickers.NO_SANDBOX_SEGMENTS if settings.SANDBOX_ENABLED else pickers.NO_SEGMENTS
            choices = pickers.segment_choices(self.options)
            pickers.offer(self, "segment", choices, what="a segment", note=note)

    @classmethod
    def parse_json(cls, obj, *, prefix, base=()):
        parsed = super().parse_json(obj, prefix=prefix, base=base)
        if not isinstance(obj, dict):
            return parsed
        where = obj.get("where")
        if isinstance(where, dict):
            who = FILTERED if where else EVERYONE
            if not where:
                parsed.claimed.add(base + ("where",))
        elif "segment" in obj:
            who = SEGMENT
        else:
            return parsed
        parsed.data[f"{prefix}-who"] = who
        # Again, now that the choice is known: a body with a where and a segment keeps both.
        return cls.keep_as_read(parsed, prefix=prefix)

    def build_json(self):
        # A segment kept with a where, as the body was read, is an error the person sees
        # (payloads.cross_part_errors), rather than a value dropped unseen.
        result = super().build_json()
        who = self.raw("who")
        if who == EVERYONE:
            result["where"] = {}
        elif who == SEGMENT:
            result.pop("where", None)
        return result

    def clean(self):
        data = super().clean()
        # "Filtered" without a filter sends no where: payloads.cross_part_errors reports that,
        # after looking in the extras too.
        who = data.get("who")
        if who == SEGMENT and data.get("segment") is None and "segment" not in self.errors:
            self.add_error("segment", SEGMENT_REQUIRED)
        segment = data.get("segment")
        if segment is not None and segment < 1:
            self.add_error("segment", SEGMENT_TOO_LOW)
        self.check_dates(data)
        # Only the where's own range: the reference says nothing of advanced_query's rows.
        today = schedule_forms.account_now().date()
        end = data.get("to_date")
        if end and end > today and "to_date" not in self.errors:
            self.add_error("to_date", WHERE_TO_IN_FUTURE.format(today=today.isoformat()))
        return data


def start_data(start: str, *, body: dict, prefix: str) -> dict[str, str]:
    """The audience form's data for the New page's answer `start` (one of STARTS), for a draft
    whose body has chosen no audience yet; nothing once it has, so that an answer never undoes
    what was chosen since. The choice alone sends nothing: the body stays without a where."""
    if any(key in body for key in ("where", "segment", "advanced_query")):
        return {}
    if start in (START_EVENT, START_PROPERTY):
        data = {f"{prefix}-who": FILTERED}
        if start == START_PROPERTY:
            # One empty row of profile properties, ready to fill.
            rows = f"{prefix}-profile_fields"
            data |= {f"{rows}-TOTAL_FORMS": "1", f"{rows}-INITIAL_FORMS": "0"}
        return data
    if start == SEGMENT:
        return {f"{prefix}-who": SEGMENT}
    return {}


class IdentityListField(fields.LinesField):
    """One identity type of `to`, pasted one per line (or separated by commas, see identities)."""

    expected = "a list of distinct, non-empty identities without surrounding spaces"
    shown_limit = 10

    def __init__(self, *, identity_type: str, **kwargs):
        self.identity_type = identity_type
        spaces = identities.splits_on_spaces(identity_type)
        kwargs.setdefault(
            "help_text",
            "One per line; commas"
            + (" and spaces" if spaces else "")
            + " also separate. Repeats are dropped.",
        )
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))
        kwargs.setdefault("max_length", None)
        super().__init__(**kwargs)

    def json_to_data(self, value):
        text = super().json_to_data(value)
        if text is None or len(set(value)) != len(value):
            return None
        spaces = identities.splits_on_spaces(self.identity_type)
        if any("," in item or (spaces and len(item.split()) != 1) for item in value):
            return None
        return text

    def data_to_json(self, raw):
        found = identities.entries(fields.text_posted(raw), self.identity_type)
        return list(dict.fromkeys(found)) or MISSING

    def to_python(self, value):
        return [] if value in self.empty_values else self.data_to_json(value)

    def clean(self, value):
        text = fields.text_posted(value)
        if not text.strip():
            return []
        return self.data_to_json(value)

    def malformed(self, value) -> list[str]:
        """What looks wrong with the entries (a warning: CleverTap queues them anyway)."""
        text = fields.text_posted(value)
        if not text.strip():
            return []
        found = identities.parse_text(text, self.identity_type).malformed
        messages = [item.message for item in found[: self.shown_limit]]
        if len(found) > self.shown_limit:
            left = len(found) - self.shown_limit
            messages.append(MORE_MALFORMED.format(count=left, type=self.identity_type))
        return messages


def long_list(campaign) -> IdentityList | None:
    """The draft's stored list when it is longer than LIST_SHOWN_AS_TEXT: the composer opens
    it named by its hash (`RecipientsForm.identity_list`) rather than filling the boxes."""
    listed, stored = campaign.identity_list, campaign.stored_body
    if listed is None or listed.total <= LIST_SHOWN_AS_TEXT or not isinstance(stored, dict):
        return None
    return listed if identity_lists.marker_hash(stored.get("to")) == listed.sha256 else None


class RecipientsForm(PayloadForm):
    """send/<channel>.json: `to`, the people to send to by identity, at most 1000 per request.

    A list typed or pasted into the boxes is posted whole. A long list (an uploaded file, or a
    stored list longer than LIST_SHOWN_AS_TEXT) is not: the page posts its content hash
    (`identity_list`) and `to` is read from its stored row, so that an autosave of a million
    identities sends a few bytes.
    """

    identity_list = forms.CharField(required=False, widget=forms.HiddenInput)
    identity_types = identities.IDENTITY_TYPES

    email = IdentityListField(identity_type="Email", label="Email addresses")
    identity = IdentityListField(identity_type="Identity", label="Identities")
    object_id = IdentityListField(identity_type="objectId", label="CleverTap IDs")
    fbid = IdentityListField(identity_type="FBID", label="Facebook IDs")
    gpid = IdentityListField(identity_type="GPID", label="Google Plus IDs")

    paths = {
        "email": ("to", "Email"),
        "identity": ("to", "Identity"),
        "object_id": ("to", "objectId"),
        "fbid": ("to", "FBID"),
        "gpid": ("to", "GPID"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Beside a stored list the boxes are not shown (nor posted): the list is the whole `to`.
        boxes = () if self.raw("identity_list") else tuple(self.paths)
        self.helper.layout = Layout(
            HTML('{% include "campaigns/_identity_list.html" %}'), "identity_list", *boxes
        )
        # What an upload read, or why it read nothing: shown once (set by the upload's view).
        self.upload_summary: list[str] = []
        self.upload_errors: list[str] = []

    @classmethod
    def reads_only_posted(cls, data, prefix: str) -> bool:
        # A list named by its hash is read from the database (`stored_list`).
        return not data.get(f"{prefix}-identity_list")

    @cached_property
    def stored_list(self) -> IdentityList | None:
        """The stored list the page names by its hash, or None (none named, or none stored)."""
        digest = self.raw("identity_list")
        if not digest or not isinstance(digest, str):
            return None
        return IdentityList.objects.filter(sha256=digest.strip()).first()

    def build_json(self) -> Any:
        result = super().build_json()
        if self.stored_list is not None:
            # The boxes are not shown beside a stored list: it is the whole of `to`.
            result["to"] = dict(self.stored_list.to)
        return result

    def clean(self):
        # Entries that do not look like their type (an FBID with letters, an Email without @)
        # are warnings: CleverTap queued such sends (CLEVERTAP-READS, recorded requests).
        data = super().clean()
        if self.raw("identity_list") and self.stored_list is None:
            self.add_error("identity_list", LIST_NOT_STORED)
        for name in self.paths:
            for message in self.fields[name].malformed(self[name].data):
                self.add_warning(name, message)
        return data
