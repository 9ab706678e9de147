"""The body as the device previews draw it for a person (pure), and the person read from
CleverTap's profile record."""

from campaigns import preview_as, previews
from campaigns.preview_as import Note, Person

ADA = Person("Ada", "identity ada-1", {"Name": "Ada", "City": "Pune", "Tier": 3})
NOBODY = Person("", "identity x-9", {})


def body(**content) -> dict:
    return {"name": "N", "target_mode": "push", "where": {}, "when": "now", "content": content}


def test_every_liquid_text_of_the_content_is_rendered_and_nothing_else():
    draft = body(
        title='Hi {{Profile.Name | default: "there"}}',
        body="Plain text",
        platform_specific={
            "android": {"wzrk_acts": [{"l": '{{Profile.City | default: "Go"}}', "dl": "x"}]}
        },
    )
    draft["name"] = "{{Profile.Name}} stays"

    shown = preview_as.personalized(draft, person=ADA, rendered_by_clevertap=True)

    assert shown.body["content"]["title"] == "Hi Ada"
    assert shown.body["content"]["platform_specific"]["android"]["wzrk_acts"][0]["l"] == "Pune"
    assert shown.body["content"]["body"] == "Plain text"
    assert shown.body["name"] == "{{Profile.Name}} stays"
    # The body given is left as it was: the request body is never rendered.
    assert draft["content"]["title"] == 'Hi {{Profile.Name | default: "there"}}'
    assert shown.notes == [Note("Shown as Ada (identity ada-1) would get it.")]
    assert shown.counted == "Counted as Ada gets it."


def test_the_properties_a_person_lacks_are_named_with_the_fields_that_use_them():
    draft = body(
        title='Hi {{Profile.Name | default: "there"}}',
        body='{{Profile.Name | default: "Friend"}}, see {{Profile.City | default: "us"}}',
    )

    shown = preview_as.personalized(draft, person=NOBODY, rendered_by_clevertap=True)

    assert shown.body["content"] == {"title": "Hi there", "body": "Friend, see us"}
    assert shown.notes[1:] == [
        Note("Has no Name: shows the default in the title and the message.", "lacks"),
        Note("Has no City: shows the default in the message.", "lacks"),
    ]


def test_without_a_person_every_default_shows():
    draft = body(title='Hi {{Profile.Name | default: "there"}}')

    shown = preview_as.personalized(draft, person=None, rendered_by_clevertap=True)

    assert shown.body["content"]["title"] == "Hi there"
    assert shown.notes == [Note(preview_as.NO_PERSON)]
    assert shown.counted == preview_as.COUNTED_DEFAULTS


def test_where_clevertap_sends_tags_literally_the_body_is_shown_as_typed():
    draft = body(title='Hi {{Profile.Name | default: "there"}}')

    for person in (ADA, None):
        shown = preview_as.personalized(draft, person=person, rendered_by_clevertap=False)
        assert shown.body is draft and shown.counted == ""
    assert preview_as.personalized(draft, person=None, rendered_by_clevertap=False).notes == []
    (note,) = preview_as.personalized(draft, person=ADA, rendered_by_clevertap=False).notes
    assert note.text.startswith("Shown as typed") and "Ada (identity ada-1)" in note.text


def test_an_abort_and_liquid_that_does_not_parse_are_said():
    draft = body(
        title="{% if Profile.Tier > 2 %}{% abort %}{% endif %}Hello",
        body="Hi {{Profile.Name",
    )

    shown = preview_as.personalized(draft, person=ADA, rendered_by_clevertap=True)

    assert shown.body["content"] == {"title": "", "body": "Hi {{Profile.Name"}
    assert (
        Note(
            "Ada would not get this message: {% abort %} runs for them in the title.",
            "problem",
        )
        in shown.notes
    )
    assert (
        Note(
            "The message shown as typed: its Liquid does not parse (the problem is shown at the "
            "field).",
            "problem",
        )
        in shown.notes
    )


def test_the_campaign_id_shows_as_a_placeholder_until_clevertap_gives_one():
    draft = body(title="Id {{Campaign.campaignId}}")

    shown = preview_as.personalized(draft, person=None, rendered_by_clevertap=True)

    assert shown.body["content"]["title"] == f"Id {preview_as.CAMPAIGN_ID_SHOWN}"


def test_the_counters_of_rendered_fields_say_how_they_counted():
    draft = body(title='Hi {{Profile.Name | default: "there"}}', body="Plain")
    shown = preview_as.personalized(draft, person=ADA, rendered_by_clevertap=True)
    title = previews.length_counter("Hi Ada", what="title", cuts=[])
    message = previews.length_counter("Plain", what="message", cuts=[])

    counted = shown.counters({"title": title, "body": message})

    assert counted["title"].words == "6 characters. Counted as Ada gets it."
    assert counted["body"] == message


def test_the_counter_of_liquid_that_does_not_parse_says_only_that_it_counts_as_typed():
    draft = body(title="Hi {{Profile.Name", body='Hi {{Profile.Name | default: "you"}}')
    shown = preview_as.personalized(draft, person=None, rendered_by_clevertap=True)
    title = previews.length_counter("Hi {{Profile.Name", what="title", cuts=[])
    message = previews.length_counter("Hi you", what="message", cuts=[])

    counted = shown.counters({"title": title, "body": message})

    assert counted["title"] == title
    assert previews.TAGS_AS_TYPED in counted["title"].words
    assert preview_as.COUNTED_DEFAULTS not in counted["title"].words
    assert counted["body"].words.endswith(preview_as.COUNTED_DEFAULTS)


def test_a_person_read_from_a_profile_record_keeps_scalars_and_identifiers():
    record = {
        "identity": "ada-1",
        "email": "ada@example.com",
        "profileData": {"Name": "Ada", "Score": 3, "Tags": ["a"], "Long": "x" * 900},
        "events": {"Charged": {"count": 2}},
    }

    person = preview_as.person_from_record(record, found_by="identity ada-1")

    assert person.label == "Ada (identity ada-1)"
    assert person.properties == {
        "Name": "Ada",
        "Score": 3,
        "Long": "x" * preview_as.VALUE_CHARACTERS_KEPT,
        "Identity": "ada-1",
        "Email": "ada@example.com",
    }
    assert Person.from_session(person.as_session()) == person
    assert Person.from_session({"properties": "nope"}) is None
    assert preview_as.person_from_record({}, found_by="email a@b.c").label == "email a@b.c"


def test_the_session_keeps_a_person_per_draft_and_only_the_latest_drafts():
    session: dict = {}
    for pk in range(preview_as.SESSION_DRAFTS_KEPT + 3):
        preview_as.session_person_set(session, pk, ADA)
    preview_as.session_person_set(session, 5, None)

    assert preview_as.session_person(session, 0) is None  # the oldest let go
    assert preview_as.session_person(session, 5) is None
    assert preview_as.session_person(session, preview_as.SESSION_DRAFTS_KEPT + 2) == ADA
    assert len(session[preview_as.SESSION_KEY]) == preview_as.SESSION_DRAFTS_KEPT - 1
