"""The pages' own forms: a new draft, an import, the drafts list's filters, the publish
confirmation, comments, the audit log's filters and the CleverTap campaigns' days and filters. The
payload's forms (the request body's parts) live in `campaigns/forms/` and `campaigns/channels/`."""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import formats, timezone

from campaigns import identities, jsonfile, models, payloads, reports
from campaigns.channels import registry
from campaigns.forms import audience
from campaigns.models import Api, Channel, Status
from campaigns.publishing import recipients
from campaigns.review import comments

IMPORT_EMPTY = "Paste a JSON request body or choose a file."
IMPORT_BOTH = "Paste a body or choose a file, not both."
# Who the reader's messages (`jsonfile`) name.
PASTED = "This"
UPLOADED = "The file"


NAME_REQUIRED = "Give the campaign a name: it is how you and the reviewers find it in the drafts."
NAME_TOO_LONG = "Keep the name to 200 characters or fewer (it has %(show_value)d)."
WHO_REQUIRED = "Choose who should get it."
CHANNEL_REQUIRED = "Choose a channel."
NOT_A_CHOICE = "“%(value)s” is not one of the choices here: choose one of the cards."
NOT_TO_A_LIST = (
    "{channel} cannot go to a list of people: CleverTap sends it only to people it finds itself "
    "(everyone, people who did something, people with a property or a saved segment). Choose "
    "{channels}, or another answer to “Who should get it?”."
)
# Said by the channel cards while "a list of people" is chosen (new_campaign.js).
LIST_CHANNELS = "A list of people can get {channels}."
NOT_TO_A_LIST_NOTE = "Not to a list of people"
# The answer of "Who should get it?" that sends to the people listed (send/<channel>.json); the
# others find them (targets/create.json) and open the composer on their choice.
LIST = "list"


@dataclass(frozen=True)
class Card:
    """One choice of the New page, drawn as a card around its radio input."""

    value: str
    label: str
    description: str
    # For experts: what the choice means in the API, in small type.
    hint: str = ""
    # Why the choice does not fit every answer of the other question ("" when it does).
    limit: str = ""


WHO_CARDS = (
    Card(
        audience.EVERYONE,
        "Everyone",
        "Everyone in your CleverTap account who can get the channel.",
        'targets/create.json, "where": {}',
    ),
    Card(
        audience.START_EVENT,
        "People who did something",
        "People who did an event, such as Charged, between two dates.",
        "targets/create.json, where.event_name",
    ),
    Card(
        audience.START_PROPERTY,
        "People with a property",
        "People whose profile matches, such as Customer Type is Gold.",
        "targets/create.json, where.common_profile_properties",
    ),
    Card(
        audience.SEGMENT,
        "A saved segment",
        "A segment saved in CleverTap, chosen from your account's list.",
        "targets/create.json, segment",
    ),
    Card(
        LIST,
        "A list of people",
        "The people you name: a file of their identities or email addresses, or a typed list.",
        "send/<channel>.json, to",
    ),
)


def list_channels() -> str:
    """The channels a list of people can get, in words: "Push, Web push, ... or WhatsApp"."""
    labels = [registry.CHANNELS[channel].channel.label for channel in registry.SEND_CHANNELS]
    return ", ".join(labels[:-1]) + " or " + labels[-1]


class NewCampaignForm(forms.Form):
    """The New page's three questions: a name, who gets it (which decides the API family and the
    audience the composer opens on) and the channel."""

    name = forms.CharField(
        label="What do you call this campaign?",
        max_length=200,
        help_text=(
            "The drafts list shows it, and CleverTap too, except for a list of people "
            "(sent without a name)."
        ),
        error_messages={"required": NAME_REQUIRED, "max_length": NAME_TOO_LONG},
    )
    who = forms.ChoiceField(
        label="Who should get it?",
        choices=[(card.value, card.label) for card in WHO_CARDS],
        initial=audience.EVERYONE,
        widget=forms.RadioSelect,
        error_messages={"required": WHO_REQUIRED, "invalid_choice": NOT_A_CHOICE},
    )
    channel = forms.ChoiceField(
        label="Which channel?",
        choices=Channel.choices,
        initial=Channel.PUSH,
        widget=forms.RadioSelect,
        error_messages={"required": CHANNEL_REQUIRED, "invalid_choice": NOT_A_CHOICE},
    )

    who_cards = WHO_CARDS
    list_answer = LIST

    @property
    def channel_cards(self) -> list[Card]:
        return [
            Card(
                value,
                spec.channel.label,
                spec.description,
                limit=NOT_TO_A_LIST_NOTE if registry.not_offered(Api.SEND, value) else "",
            )
            for value, spec in registry.CHANNELS.items()
        ]

    @property
    def list_channels_note(self) -> str:
        return LIST_CHANNELS.format(channels=list_channels())

    def clean(self):
        data = super().clean()
        who, channel = data.get("who"), data.get("channel")
        if not who:
            return data
        data["api"] = Api.SEND if who == LIST else Api.TARGETS
        if channel and registry.not_offered(data["api"], channel):
            message = NOT_TO_A_LIST.format(channel=Channel(channel).label, channels=list_channels())
            self.add_error("channel", message)
        return data


def _endpoint_choices() -> list[tuple[str, str]]:
    return [
        ("", "Tell from the body"),
        (payloads.TARGETS_ENDPOINT, payloads.TARGETS_ENDPOINT),
        *((f"send/{c}.json", f"send/{c}.json") for c in registry.SEND_CHANNELS),
    ]


class ImportForm(forms.Form):
    text = forms.CharField(
        label="Paste a JSON request body",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace", "spellcheck": "false"}),
    )
    file = forms.FileField(
        label="Or upload a .json file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    endpoint = forms.ChoiceField(
        label="Endpoint",
        choices=_endpoint_choices,
        required=False,
        help_text="Where the body is sent; needed only when the body cannot tell.",
    )
    name = forms.CharField(
        label="Draft name",
        required=False,
        max_length=200,
        help_text="Leave empty to use the body's.",
    )

    # Where the text could not be read, for the page to mark (a `jsonfile.Excerpt`).
    unreadable = None

    def clean(self):
        data = super().clean()
        text, upload = data.get("text") or "", data.get("file")
        if text.strip() and upload:
            raise ValidationError(IMPORT_BOTH)
        if not upload and not text.strip():
            raise ValidationError(IMPORT_EMPTY)
        # Read leniently: people paste CleverTap's examples, comments and all.
        try:
            if upload:
                # The size first: a file over the limit is not read at all.
                jsonfile.size_check(upload.size, name=UPLOADED)
                reading = jsonfile.read_json_bytes(
                    upload.read(), name=UPLOADED, storable=True, lenient=True
                )
            else:
                reading = jsonfile.read_json_text(text, name=PASTED, storable=True, lenient=True)
        except jsonfile.JsonFileError as error:
            if isinstance(error, jsonfile.Unreadable):
                self.unreadable = error.excerpt
            self.add_error("file" if upload else "text", str(error))
        else:
            data["body"], data["reading_notice"] = reading.document, reading.notice
        return data


LIST_FILE_REQUIRED = "Choose a CSV or text file of identities to upload."
LIST_FILE_TOO_LARGE = (
    "The file is {size:,} MB; an identity list file may be at most {limit:,} MB (about five "
    "million identities)."
)
LIST_FILE_EMPTY = "The file holds no well-formed identities: the list was not changed."
LIST_NOT_A_SEND = "Only a draft sent to a list of people takes an identity list."
LIST_FILE_LIMIT_MB = 200


class IdentityFileForm(forms.Form):
    """An identity list file for a send draft's composer: a CSV whose header names identity
    types (Identity, Email, objectId, FBID, GPID), or one value per line of the chosen type."""

    identity_file = forms.FileField(
        label="Upload a CSV or text file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    identity_type = forms.ChoiceField(
        label="Values without a header are",
        choices=[(kind, kind) for kind in identities.IDENTITY_TYPES],
        initial="Identity",
        required=False,
    )

    def clean_identity_file(self):
        upload = self.cleaned_data.get("identity_file")
        if not upload:
            raise ValidationError(LIST_FILE_REQUIRED)
        if upload.size > LIST_FILE_LIMIT_MB * 1_000_000:
            size = -(-upload.size // 1_000_000)
            raise ValidationError(LIST_FILE_TOO_LARGE.format(size=size, limit=LIST_FILE_LIMIT_MB))
        return upload

    def read(self) -> identities.ParsedIdentities | None:
        """The file read by the identity parser, or None (its problem is among the errors)."""
        if not self.is_valid():
            return None
        upload = self.cleaned_data["identity_file"]
        kind = self.cleaned_data.get("identity_type") or "Identity"
        parsed = identities.parse_csv(b"".join(upload.chunks()), default_type=kind)
        if not parsed.count:
            self.add_error("identity_file", LIST_FILE_EMPTY)
            return None
        return parsed


DRAFT_SORTS = [
    ("-updated", "Recently updated first"),
    ("updated", "Least recently updated first"),
    ("name", "Name, A to Z"),
    ("-name", "Name, Z to A"),
]
ACTIVE = ""
DRAFT_STATUSES = [
    (ACTIVE, "Active (not archived)"),
    (Status.DRAFT, "Draft"),
    (Status.IN_REVIEW, "In review"),
    (Status.APPROVED, "Approved"),
    (Status.ARCHIVED, "Archived"),
]


class DraftFilterForm(forms.Form):
    q = forms.CharField(label="Search by name", required=False, max_length=200)
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "All channels"), *Channel.choices]
    )
    status = forms.ChoiceField(label="Status", required=False, choices=DRAFT_STATUSES)
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    label = forms.CharField(label="Label", required=False, max_length=200)
    sort = forms.ChoiceField(label="Sort", required=False, choices=DRAFT_SORTS)

    def __init__(self, *args, owners: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Anyone"), *owners]
        for bound in self:
            select = isinstance(bound.field.widget, forms.Select)
            css = "form-select form-select-sm" if select else "form-control form-control-sm"
            bound.field.widget.attrs.setdefault("class", css)

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one is left out rather than failing the list."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "search": (cleaned.get("q") or "").strip(),
            "channel": cleaned.get("channel") or "",
            "status": cleaned.get("status") or ACTIVE,
            "owner_id": cleaned.get("owner"),
            "label": (cleaned.get("label") or "").strip(),
            "sort": cleaned.get("sort") or "-updated",
        }


class PublishForm(forms.Form):
    """The confirmation page's Publish: the signed token of what was shown, and, when none of the
    sampled recipients is known to CleverTap, the publisher's explicit "send anyway"."""

    confirmation_token = forms.CharField(required=False, widget=forms.HiddenInput)
    send_anyway = forms.BooleanField(required=False)

    def __init__(self, *args, recipients_shown: models.RecipientCheck | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipients_shown = recipients_shown
        if recipients_shown is not None and recipients_shown.none_known:
            self.fields["send_anyway"].label = recipients.send_anyway_label(recipients_shown)
        else:
            del self.fields["send_anyway"]

    def clean(self):
        data = super().clean()
        if "send_anyway" in self.fields and not data.get("send_anyway"):
            self.add_error("send_anyway", recipients.SEND_ANYWAY_TICK)
        return data


class CommentForm(forms.Form):
    prefix = "comment"
    text = forms.CharField(
        label="Comment",
        max_length=comments.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    section = forms.ChoiceField(label="On the section", required=False)
    path = forms.CharField(
        label="On the field (JSON path)",
        required=False,
        max_length=300,
        help_text="Optional, e.g. content.title or when.start_time.",
        widget=forms.TextInput(attrs={"list": "body-paths", "autocomplete": "off"}),
    )

    def __init__(self, *args, campaign: models.Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", "The whole draft")] + comments.section_choices(
            campaign=campaign
        )


class RequestChangesForm(CommentForm):
    prefix = "changes"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = "What should change"


class AuditFilterForm(forms.Form):
    campaign = forms.IntegerField(
        label="Draft (id)",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    actor = forms.ModelChoiceField(
        label="Who",
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label="Anyone",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    action = forms.ChoiceField(
        label="What",
        required=False,
        choices=[("", "Anything"), *models.AuditAction.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        self.fields["actor"].queryset = User.objects.order_by(User.USERNAME_FIELD)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "campaign_id": data.get("campaign"),
            "actor_id": data["actor"].pk if data.get("actor") else None,
            "action": data.get("action") or "",
        }


REPORT_DAYS_DEFAULT = 30
# About a year: CleverTap takes about a minute and a half per 90 days (CLEVERTAP-READS.md §2).
REPORT_DAYS_MAX = 366
REPORT_RANGE_REVERSED = "The start is after the end: choose a start on or before {date_to}."
REPORT_RANGE_TOO_LONG = (
    "Choose at most {days} days: CleverTap takes about a minute to send every two months."
)


class ReportFilterForm(forms.Form):
    """The CleverTap campaigns page's days and filters.

    Days left empty are filled in, and shown: the last 30 days, or 30 days from the one day
    given. The choices are what the stored campaigns hold; a value asked for that none holds
    (yet) is kept as a choice, so nothing asked for is lost.
    """

    date_from = forms.DateField(
        label="Started from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Started until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(label="Channel", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    label = forms.ChoiceField(label="Label", required=False)

    def __init__(self, *args, options: reports.FilterOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.data = self._days_filled(self.data)
        asked = self.data
        choices = {
            "channel": ("All channels", options.channels, reports.channel_name),
            "status": ("Any status", options.statuses, reports.status_name),
            "label": ("Any label", [(label, label) for label in options.labels], str),
        }
        for name, (anything, offered, named) in choices.items():
            value = str(asked.get(name) or "")
            if value and value not in {choice for choice, _ in offered}:
                offered = [*offered, (value, named(value))]
            self.fields[name].choices = [("", anything), *offered]
        for bound in self:
            select = isinstance(bound.field.widget, forms.Select)
            css = "form-select form-select-sm" if select else "form-control form-control-sm"
            bound.field.widget.attrs.setdefault("class", css)

    def _days_filled(self, data) -> dict[str, Any]:
        data = data.copy()
        span = datetime.timedelta(days=REPORT_DAYS_DEFAULT - 1)
        date_from, date_to = (self._day(data.get(name)) for name in ("date_from", "date_to"))
        if not data.get("date_to"):
            date_to = date_from + span if date_from else timezone.localdate()
            data["date_to"] = date_to.isoformat()
        if not data.get("date_from"):
            data["date_from"] = ((date_to or timezone.localdate()) - span).isoformat()
        return data

    def _day(self, text: Any) -> datetime.date | None:
        try:
            return self.fields["date_from"].to_python(text)
        except ValidationError:
            return None

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if not date_from or not date_to:
            return data  # a date that is not one: its field says so
        if date_from > date_to:
            self.add_error(
                "date_from",
                REPORT_RANGE_REVERSED.format(date_to=formats.date_format(date_to, "j M Y")),
            )
        elif (date_to - date_from).days + 1 > REPORT_DAYS_MAX:
            self.add_error("date_from", REPORT_RANGE_TOO_LONG.format(days=REPORT_DAYS_MAX))
        return data

    def filters(self) -> dict[str, Any]:
        """The days and filters asked for (call once the form is valid)."""
        data = self.cleaned_data
        return {
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "channel": data.get("channel") or "",
            "status": data.get("status") or "",
            "label": data.get("label") or "",
        }


# The composer's "Preview as": whom the device previews are drawn for.

PREVIEW_AS_FIND, PREVIEW_AS_RANDOM, PREVIEW_AS_CLEAR = "find", "random", "clear"
PREVIEW_AS_WHO_TOO_LONG = "An identity or email is at most %(limit_value)d characters."


class PreviewAsForm(forms.Form):
    """The lookup typed in the "Preview as" control, and which of its buttons was pressed."""

    who = forms.CharField(
        label="Identity or email",
        max_length=254,
        required=False,
        error_messages={"max_length": PREVIEW_AS_WHO_TOO_LONG},
    )
    action = forms.ChoiceField(
        choices=[(name, name) for name in (PREVIEW_AS_FIND, PREVIEW_AS_RANDOM, PREVIEW_AS_CLEAR)],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "preview_as")
        super().__init__(*args, **kwargs)

    @property
    def chosen_action(self) -> str:
        """The button pressed; Enter in the box (no button named) looks the person up."""
        return (self.cleaned_data.get("action") if self.is_valid() else "") or PREVIEW_AS_FIND
