"""Preview as a person: whom the composer's device previews are drawn for, and the draft's
personalized text as that person would read it.

A person is found by identity or email through CleverTap's profile read (`clevertap.profile`,
`GET /1/profile.json`): the configured account's, or the sandbox's sample audience when no
credentials are configured. The sample also offers a person drawn at random. What the previews
need of the person (the properties `Profile.<name>` reads) is kept with the page's session, so a
live preview never calls CleverTap again.

Only the device previews and their length counters are rendered, and only where CleverTap renders
Liquid for the draft (`personalization.rendered_by_clevertap`); elsewhere the text shows as typed,
as CleverTap sends it. The request body is never rendered: CleverTap renders it at send time.
"""

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from campaigns import clevertap, jsonpath, personalization, previews
from sandbox import selectors as sandbox_selectors

# Where the session keeps the chosen person, by draft; the drafts looked at last are kept.
SESSION_KEY = "preview_as"
SESSION_DRAFTS_KEPT = 20
# What a profile's properties may weigh in the session: a preview reads a few of them.
PROPERTIES_KEPT = 200
VALUE_CHARACTERS_KEPT = 500
# `{{Campaign.campaignId}}`: CleverTap gives the id when it creates the campaign.
CAMPAIGN_ID_SHOWN = "(campaign id)"

# The identifiers CleverTap's record holds at its top level, as `Profile.<name>` reads them.
RECORD_IDENTIFIERS = {"identity": "Identity", "email": "Email"}
NAME = "Name"

# Messages people see.
WHO_MISSING = "Type an identity or an email address to look up."
NOT_FOUND = "No one has the identity or email “{who}” in {where}."
NOT_FOUND_SAMPLE = "the sandbox’s sample audience"
NOT_FOUND_ACCOUNT = "this CleverTap account"
NO_SAMPLE = (
    "A random person comes from the sandbox’s sample audience, which is not used here: look "
    "someone up by identity or email."
)
SAMPLE_EMPTY = "The sandbox’s sample audience has no one in it yet: seed it on the Sandbox page."
LOOKUP_FAILED = "Could not look “{who}” up: {error}"
RANDOM_FAILED = "Could not read the person drawn from the sample: {error}"
KEPT_PERSON = "The preview still shows {who}."
KEPT_DEFAULTS = "The preview still shows each tag’s default."
FOUND_BY = "{key} {value}"

SHOWN_AS = "Shown as {person} would get it."
NO_PERSON = "No person chosen: each personalization tag shows its default."
LACKS = "Has no {property}: shows the default in {fields}."
ABORTED = "{person} would not get this message: {{% abort %}} runs for them in {fields}."
NOT_PARSED = (
    "{fields} shown as typed: its Liquid does not parse (the problem is shown at the field)."
)
LITERAL = (
    "Shown as typed: CleverTap renders personalization only in push campaigns created by events "
    "and properties, for accounts in its Liquid beta, and sends the tags literally here, so "
    "{person} gets the same text as everyone."
)
COUNTED_AS = "Counted as {person} gets it."
COUNTED_DEFAULTS = "Counted with each tag’s default."
# How a note names a personalized field of the body: the common ones in words, others by path.
FIELD_WORDS = {
    ("content", "title"): "the title",
    ("content", "body"): "the message",
    ("content", "subject"): "the subject",
}


@dataclasses.dataclass(frozen=True)
class Person:
    """Someone the previews are drawn for: how the page names them and their profile's
    properties, by the name `Profile.<name>` reads."""

    name: str
    found_by: str
    properties: Mapping[str, Any]

    @property
    def short(self) -> str:
        return self.name or self.found_by

    @property
    def label(self) -> str:
        return f"{self.name} ({self.found_by})" if self.name else self.found_by

    def as_session(self) -> dict[str, Any]:
        return {"name": self.name, "found_by": self.found_by, "properties": dict(self.properties)}

    @classmethod
    def from_session(cls, data: Any) -> "Person | None":
        if not isinstance(data, dict) or not isinstance(data.get("properties"), dict):
            return None
        return cls(str(data.get("name", "")), str(data.get("found_by", "")), data["properties"])


@dataclasses.dataclass(frozen=True)
class Lookup:
    """What a lookup found: a person, or why not in words (`person` None)."""

    person: Person | None
    problem: str = ""


def person_from_record(record: Mapping[str, Any], *, found_by: str) -> Person:
    """The person CleverTap's profile `record` describes: its `profileData` (scalars only) and its
    identifiers, each as `Profile.<name>` reads it."""
    data = record.get("profileData")
    properties: dict[str, Any] = {}
    for key, value in (data if isinstance(data, dict) else {}).items():
        if len(properties) >= PROPERTIES_KEPT:
            break
        if isinstance(value, str):
            properties[str(key)] = value[:VALUE_CHARACTERS_KEPT]
        elif isinstance(value, int | float | bool) or value is None:
            properties[str(key)] = value
    for key, name in RECORD_IDENTIFIERS.items():
        if isinstance(record.get(key), str | int) and record[key] != "":
            properties.setdefault(name, str(record[key]))
    name = properties.get(NAME)
    return Person(name if isinstance(name, str) else "", found_by, properties)


def sample_available() -> bool:
    """Whether the app talks to the sandbox, whose sample audience a random person comes from."""
    return settings.SANDBOX_ENABLED and not settings.CLEVERTAP_CONFIGURED


def person_find(who: str) -> Lookup:
    """The person with identity or email `who`, through CleverTap's profile read: an address
    is looked up as an email first, then (CleverTap keeps some emails as identities) as an
    identity. Never raises: a failure is a problem in words."""
    who = who.strip()
    if not who:
        return Lookup(None, WHO_MISSING)
    keys = ("email", "identity") if "@" in who else ("identity",)
    try:
        for key in keys:
            record = clevertap.profile(**{key: who})
            if record is not None:
                found_by = FOUND_BY.format(key=key, value=who)
                return Lookup(person_from_record(record, found_by=found_by))
    except clevertap.CleverTapError as error:
        return Lookup(None, LOOKUP_FAILED.format(who=who, error=error.message))
    where = NOT_FOUND_SAMPLE if sample_available() else NOT_FOUND_ACCOUNT
    return Lookup(None, NOT_FOUND.format(who=who, where=where))


def person_random() -> Lookup:
    """Someone from the sandbox's sample audience, drawn at random and read as any lookup is."""
    if not sample_available():
        return Lookup(None, NO_SAMPLE)
    object_id = sandbox_selectors.profile_random_object_id()
    if object_id is None:
        return Lookup(None, SAMPLE_EMPTY)
    try:
        record = clevertap.profile(object_id=object_id)
    except clevertap.CleverTapError as error:
        return Lookup(None, RANDOM_FAILED.format(error=error.message))
    if record is None:
        return Lookup(None, RANDOM_FAILED.format(error=f"no profile has objectId {object_id}."))
    found_by = record.get("identity") or record.get("email") or object_id
    key = "identity" if record.get("identity") else "email" if record.get("email") else "objectId"
    return Lookup(person_from_record(record, found_by=FOUND_BY.format(key=key, value=found_by)))


def kept_words(person: Person | None) -> str:
    """What the preview shows after a failed lookup: what it showed before."""
    return KEPT_PERSON.format(who=person.label) if person else KEPT_DEFAULTS


# The chosen person, kept per draft in the session (a user's own).


def session_person(session: Any, campaign_pk: int) -> Person | None:
    return Person.from_session((session.get(SESSION_KEY) or {}).get(str(campaign_pk)))


def session_person_set(session: Any, campaign_pk: int, person: Person | None) -> None:
    kept = dict(session.get(SESSION_KEY) or {})
    kept.pop(str(campaign_pk), None)
    if person is not None:
        kept[str(campaign_pk)] = person.as_session()
    # Oldest first (dicts keep their order): the drafts looked at least recently go first.
    session[SESSION_KEY] = dict(list(kept.items())[-SESSION_DRAFTS_KEPT:])


# The draft's personalized text, rendered for the device previews (pure).


NOTE_LACKS, NOTE_PROBLEM = "lacks", "problem"


@dataclasses.dataclass(frozen=True)
class Note:
    """A line the device preview shows above the devices, about whom it shows."""

    text: str
    # NOTE_LACKS: a property the person does not have; NOTE_PROBLEM: not sent, or not rendered.
    kind: str = ""


@dataclasses.dataclass(frozen=True)
class Personalized:
    """The body as the device previews draw it for a person, and the notes that go with it."""

    body: dict
    notes: list[Note]
    # The counters' words: how the lengths were counted ("" when the text was not rendered).
    counted: str = ""
    # The fields of `content` whose text was rendered, by key: their counters say `counted`.
    rendered_fields: frozenset[str] = frozenset()

    def counters(self, counters: Mapping[str, previews.Counter]) -> dict:
        """The device preview's length counters; those of rendered fields say how they counted."""
        return {
            name: dataclasses.replace(counter, words=f"{counter.words} {self.counted}")
            if name in self.rendered_fields
            else counter
            for name, counter in counters.items()
        }


def personalized(
    body: dict, *, person: Person | None, rendered_by_clevertap: bool, campaign_id: str = ""
) -> Personalized:
    """`body` with each Liquid text of its `content` rendered for `person` (no person: every
    default shows), where CleverTap renders Liquid; else `body` as it is, with a note when a
    person is chosen. Only for the device previews: never the request body shown or sent."""
    content = previews.at(body, "content", kind=dict)
    if not rendered_by_clevertap or content is None:
        notes = [Note(LITERAL.format(person=person.label))] if person is not None else []
        return Personalized(body, notes)
    renderings: dict[jsonpath.Path, personalization.Rendering] = {}
    profile = person.properties if person is not None else None
    rendered = _rendered(
        content, ("content",), renderings, profile, campaign_id or CAMPAIGN_ID_SHOWN
    )
    if not renderings:
        notes = [Note(SHOWN_AS.format(person=person.label))] if person is not None else []
        return Personalized(body, notes)
    notes = _notes(renderings, person)
    counted = COUNTED_AS.format(person=person.short) if person else COUNTED_DEFAULTS
    # A text that does not parse is shown, and counted, as typed: its counter says so already.
    fields = frozenset(
        str(path[1])
        for path, rendering in renderings.items()
        if len(path) == 2 and not rendering.failed
    )
    return Personalized({**body, "content": rendered}, notes, counted, fields)


def _rendered(
    value: Any,
    path: jsonpath.Path,
    renderings: dict[jsonpath.Path, personalization.Rendering],
    profile: Mapping[str, Any] | None,
    campaign_id: str,
) -> Any:
    if isinstance(value, dict):
        return {
            key: _rendered(item, (*path, key), renderings, profile, campaign_id)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _rendered(item, (*path, index), renderings, profile, campaign_id)
            for index, item in enumerate(value)
        ]
    if not isinstance(value, str) or not personalization.has_liquid(value):
        return value
    rendering = personalization.render(value, profile, campaign_id=campaign_id)
    renderings[path] = rendering
    return rendering.text


def _notes(
    renderings: dict[jsonpath.Path, personalization.Rendering], person: Person | None
) -> list[Note]:
    notes = [Note(SHOWN_AS.format(person=person.label) if person else NO_PERSON)]
    aborted = [path for path, rendering in renderings.items() if rendering.aborted]
    if aborted and person is not None:
        text = ABORTED.format(person=person.short, fields=_fields(aborted))
        notes.append(Note(text, NOTE_PROBLEM))
    failed = [path for path, rendering in renderings.items() if rendering.failed]
    if failed:
        fields = _fields(failed)
        notes.append(Note(NOT_PARSED.format(fields=fields[:1].upper() + fields[1:]), NOTE_PROBLEM))
    if person is None:
        return notes
    lacking: dict[str, list[jsonpath.Path]] = {}
    for path, rendering in renderings.items():
        for name in rendering.missing:
            lacking.setdefault(name, []).append(path)
    notes += [
        Note(LACKS.format(property=name, fields=_fields(paths)), NOTE_LACKS)
        for name, paths in lacking.items()
    ]
    return notes


def _fields(paths: list[jsonpath.Path]) -> str:
    words = [FIELD_WORDS.get(tuple(path)) or jsonpath.format_path(path) for path in paths]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]
