"""The recipient check of an identity send, against the sandbox over real HTTP: a sample of the
list looked up in CleverTap's profiles (the sandbox answers from its audience: identities
android-0..11 and ios-0..6, objectIds a0..a11 and i0..i6)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from campaigns import clevertap, identities, payloads
from campaigns.models import RecipientCheck
from campaigns.publishing import confirm, estimates, recipients
from sandbox import faults
from tests.drafts import draft, email_send_body, emails
from tests.sandbox_records import ANDROID_USERS, IOS_USERS

pytestmark = pytest.mark.django_db(transaction=True)

KNOWN_IDENTITIES = [f"android-{n}" for n in range(ANDROID_USERS)] + [
    f"ios-{n}" for n in range(IOS_USERS)
]
KNOWN_OBJECT_IDS = [f"a{n}" for n in range(ANDROID_USERS)]


@pytest.fixture
def lookups(monkeypatch) -> list[dict[str, str]]:
    """The keywords of every profile lookup, made through the real client all the same."""
    made: list[dict[str, str]] = []
    real = clevertap.profile

    def spied(**keys: str):
        made.append(keys)
        return real(**keys)

    monkeypatch.setattr(clevertap, "profile", spied)
    return made


def identity_draft(people, to: dict[str, list[str]]):
    return draft(people["composer"], {**email_send_body([]), "to": to}, api="send", channel="email")


def test_identities_known_to_clevertap_are_counted(sandbox, people, lookups):
    campaign = identity_draft(people, {"Identity": KNOWN_IDENTITIES, "objectId": KNOWN_OBJECT_IDS})

    check = recipients.recipient_check(campaign=campaign, user=people["publisher"])

    assert (check.sampled, check.known) == (20, 20)
    assert check.summary == recipients.KNOWN.format(known=20, sampled=20, ies="ies", verb="are")
    assert check.summary == "20 of 20 sampled identities are known to CleverTap."
    assert not check.none_known and check.error == ""
    # Each looked up by its own key.
    assert {entry["type"] for entry in check.sample} == {"Identity", "objectId"}
    assert lookups == [
        {"identity" if entry["type"] == "Identity" else "object_id": entry["value"]}
        for entry in check.sample
    ]


def test_only_the_known_part_of_a_mixed_list_is_counted(sandbox, people):
    campaign = identity_draft(
        people, {"Identity": KNOWN_IDENTITIES + [f"x-{n}" for n in range(19)]}
    )

    check = recipients.recipient_check(campaign=campaign, user=people["publisher"])

    assert check.sampled == 20
    assert check.known == sum(entry["value"] in KNOWN_IDENTITIES for entry in check.sample)
    assert all(entry["known"] == (entry["value"] in KNOWN_IDENTITIES) for entry in check.sample)
    assert check.summary.startswith(f"{check.known} of 20 sampled identities")


def test_a_list_clevertap_knows_none_of_says_so_and_why_it_matters(sandbox, people):
    campaign = identity_draft(people, {"Email": emails(25_000)})

    check = recipients.recipient_check(campaign=campaign, user=people["publisher"])

    assert (check.sampled, check.known) == (20, 0)
    assert check.none_known
    assert check.summary == (
        "0 of 20 sampled identities are known to CleverTap. " + recipients.NONE_KNOWN
    )


def test_a_short_list_is_checked_whole_and_says_its_real_size(sandbox, people):
    campaign = identity_draft(people, {"Identity": ["android-0", "ios-1", "nobody"]})

    check = recipients.recipient_check(campaign=campaign, user=people["publisher"])

    assert (check.sampled, check.known) == (3, 2)
    assert check.summary == "2 of 3 sampled identities are known to CleverTap."
    assert {entry["value"] for entry in check.sample} == {"android-0", "ios-1", "nobody"}


def test_one_identity_reads_in_the_singular(sandbox, people):
    campaign = identity_draft(people, {"Identity": ["android-0"]})

    check = recipients.recipient_check(campaign=campaign, user=people["publisher"])

    assert check.summary == "1 of 1 sampled identity is known to CleverTap."


def test_the_sample_is_random_but_the_same_for_the_same_list():
    to = {"Identity": [f"id-{n}" for n in range(5000)], "Email": emails(5000)}

    first = recipients.recipient_sample(to)

    assert first == recipients.recipient_sample({kind: list(v) for kind, v in to.items()})
    assert len(first) == recipients.SAMPLE_SIZE == len(set(first))
    assert all(value in to[kind] for kind, value in first)
    # Random: not the start of the list, and another list gives another sample.
    assert first != [("Identity", f"id-{n}") for n in range(20)]
    other = recipients.recipient_sample({**to, "Identity": to["Identity"][1:]})
    assert other != first


def test_empty_entries_are_not_looked_up():
    to = {"Identity": ["", "android-0", ""], "Email": [""]}

    assert recipients.recipient_sample(to) == [("Identity", "android-0")]


def test_the_reviewer_and_the_publisher_see_the_same_identities_checked(sandbox, people, lookups):
    campaign = identity_draft(people, {"Email": emails(500)})

    at_estimate = estimates.campaign_estimate(campaign=campaign, user=people["reviewer"])
    at_confirmation = recipients.recipient_check(campaign=campaign, user=people["publisher"])

    assert at_estimate.recipient_check.sample == at_confirmation.sample
    assert lookups[:20] == lookups[20:] and len(lookups) == 40
    assert {"email"} == {key for keys in lookups for key in keys}


def test_types_the_profile_lookup_cannot_take_are_not_sampled_and_it_says_so(
    sandbox, people, lookups
):
    mixed = identity_draft(people, {"Identity": ["android-0"], "FBID": ["1234"], "GPID": ["99"]})
    only_ids = identity_draft(people, {"FBID": ["1234", "5678"]})

    check = recipients.recipient_check(campaign=mixed, user=people["publisher"])
    nothing = recipients.recipient_check(campaign=only_ids, user=people["publisher"])

    assert check.sample == [{"type": "Identity", "value": "android-0", "known": True}]
    assert check.not_checked == ["FBID", "GPID"]
    assert check.summary.endswith(recipients.NOT_CHECKED.format(types="FBID and GPID"))
    assert nothing.sampled == 0 and not nothing.none_known
    assert nothing.summary == recipients.NOTHING_TO_CHECK.format(types="FBID")
    assert lookups == [{"identity": "android-0"}]


def test_a_lookup_error_is_said_in_words_and_ends_the_check_without_blocking(
    sandbox, people, lookups
):
    campaign = identity_draft(people, {"Email": emails(50)})
    faults.faults_configure(error_rate=1.0, error_status=503)

    check = recipients.recipient_check(campaign=campaign, user=people["publisher"])

    assert check.error.startswith("Could not check the recipients: " + clevertap.MESSAGE_SERVER)
    assert check.summary == check.error
    assert check.error.endswith("This does not stop the publish.")
    assert not check.none_known  # nothing asks for a second confirmation
    assert len(lookups) == 1  # the first failure ends the check


def test_the_check_is_stored_with_the_estimate_of_its_body(sandbox, people):
    campaign = identity_draft(people, {"Identity": ["android-0", "nobody"]})

    made = estimates.campaign_estimate(campaign=campaign, user=people["composer"])

    stored = RecipientCheck.objects.get()
    assert stored.estimate == made and made.recipient_check == stored
    assert stored.body_hash == made.body_hash == payloads.body_hash(campaign.body)
    assert stored.version == made.version
    assert (stored.sampled, stored.known) == (2, 1)
    assert made.total == identities.count({"Identity": ["android-0", "nobody"]})


def test_a_targets_estimate_makes_no_recipient_check(sandbox, people, lookups):
    estimates.campaign_estimate(campaign=draft(people["composer"]), user=people["composer"])

    assert not RecipientCheck.objects.exists()
    assert lookups == []


def test_the_reviewer_sees_the_check_next_to_the_estimate(sandbox, people, client):
    campaign = identity_draft(people, {"Email": emails(30)})
    estimates.campaign_estimate(campaign=campaign, user=people["composer"])
    client.force_login(people["reviewer"])

    page = client.get(reverse("campaigns:review", args=[campaign.pk])).content.decode()

    estimate_region = page.split('id="estimate"')[1]
    assert 'id="recipient-check"' in estimate_region
    assert "0 of 20 sampled identities are known to CleverTap." in estimate_region


def test_the_confirmation_reuses_a_recent_check_of_the_same_list(sandbox, people, lookups):
    campaign = identity_draft(people, {"Identity": KNOWN_IDENTITIES, "objectId": KNOWN_OBJECT_IDS})
    estimate = estimates.campaign_estimate(campaign=campaign, user=people["reviewer"])

    shown = [
        confirm.publish_confirmation(
            campaign=campaign, user=people["publisher"], look_up_recipients=True
        ).recipients
        for _ in range(2)
    ]

    assert [check.pk for check in shown] == [estimate.recipient_check.pk] * 2
    assert len(lookups) == 20


def test_an_old_failed_or_unknown_check_or_another_list_is_looked_up_again(
    sandbox, people, lookups
):
    campaign = identity_draft(people, {"Identity": KNOWN_IDENTITIES, "objectId": KNOWN_OBJECT_IDS})
    digest = payloads.body_hash(campaign.body)
    first = recipients.recipient_check(campaign=campaign, user=people["publisher"])
    RecipientCheck.objects.filter(pk=first.pk).update(
        created_at=first.created_at - recipients.CHECK_KEPT_FOR - timedelta(seconds=1)
    )

    again = recipients.recipient_check_recent(
        campaign=campaign, user=people["publisher"], body_hash=digest
    )
    RecipientCheck.objects.filter(pk=again.pk).update(error="CleverTap did not answer.")
    after_failure = recipients.recipient_check_recent(
        campaign=campaign, user=people["publisher"], body_hash=digest
    )
    other_list = recipients.recipient_check_recent(
        campaign=campaign, user=people["publisher"], body_hash="another list"
    )
    # None known: the person may have just put the list right in CleverTap.
    unknown = identity_draft(people, {"Email": emails(500)})
    unknown_digest = payloads.body_hash(unknown.body)
    none_known = recipients.recipient_check(campaign=unknown, user=people["publisher"])
    none_known_again = recipients.recipient_check_recent(
        campaign=unknown, user=people["publisher"], body_hash=unknown_digest
    )

    checks = [first, again, after_failure, other_list, none_known, none_known_again]
    assert len({check.pk for check in checks}) == 6
    assert len(lookups) == 120
