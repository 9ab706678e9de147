"""Identity list files in the composer: read on the server, summarised, stored once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape as html_escape

from campaigns import identities, payloads, services
from campaigns.forms import audience
from campaigns.models import Api, IdentityList, Revision
from campaigns.review import revisions
from campaigns.views import composer as composer_views
from campaigns.views import forms
from tests import drafts
from tests.views.test_composer import page_data

pytestmark = pytest.mark.django_db

CSV = (
    "Identity,Email,Plan\n"
    "cust-1,a@example.com,gold\n"
    "cust-2,b@example.com,silver\n"
    "cust-1,a@example.com,gold\n"
    "cust-3,not-an-address,gold\n"
    "cust-4,c@example.com,gold\n"
)


def send_draft(user, body: dict | None = None):
    body = drafts.email_send_body(drafts.emails(2)) if body is None else body
    return services.campaign_create(user=user, api=Api.SEND, channel="email", body=body)


def upload(client, campaign, content: bytes | str, *, name="people.csv", htmx=False, **extra):
    data = page_data(client, campaign)
    content = content.encode() if isinstance(content, str) else content
    data["identity_file"] = SimpleUploadedFile(name, content, content_type="text/csv")
    data.update(extra)
    headers = {"HX-Request": "true"} if htmx else {}
    url = reverse("campaigns:identity_upload", args=[campaign.pk])
    return client.post(url, data, headers=headers)


def test_a_csv_with_a_header_is_read_by_column_and_summarised(composer_client, composer_user):
    campaign = send_draft(composer_user)
    html = upload(composer_client, campaign, CSV).content.decode()
    for line in [
        identities.SUMMARY_ROWS.format(rows=5),
        identities.SUMMARY_UNIQUE.format(count=7, by_type="Identity 4, Email 3"),
        identities.SUMMARY_DUPLICATES.format(count=2),
        identities.SUMMARY_UNKNOWN_COLUMNS.format(names="Plan"),
        identities.SUMMARY_INVALID.format(count=1),
        "Email, line 5: “not-an-address”",
    ]:
        assert line in html
    campaign = drafts.fresh(campaign)
    assert campaign.version == 2
    assert campaign.body["to"] == {
        "Identity": ["cust-1", "cust-2", "cust-3", "cust-4"],
        "Email": ["a@example.com", "b@example.com", "c@example.com"],
    }
    assert campaign.body["content"] == drafts.email_send_body([])["content"]
    assert campaign.identity_list.total == 7
    assert campaign.stored_body["to"] == {"identity_list": campaign.identity_list.sha256}


def test_a_text_file_is_one_value_per_line_of_the_chosen_type(composer_client, composer_user):
    campaign = send_draft(composer_user)
    text = "x@example.com\ny@example.com\n\nx@example.com\nbroken\nz@example.com\n"
    html = upload(
        composer_client, campaign, text, name="people.txt", identity_type="Email"
    ).content.decode()
    assert identities.SUMMARY_ROWS.format(rows=5) in html
    assert identities.SUMMARY_UNIQUE.format(count=3, by_type="Email 3") in html
    assert identities.SUMMARY_DUPLICATES.format(count=1) in html
    assert "Email, line 5: “broken”" in html
    assert drafts.fresh(campaign).body["to"] == {
        "Email": ["x@example.com", "y@example.com", "z@example.com"]
    }


def test_invalid_lines_are_listed_first_ones_only_with_a_count(composer_client, composer_user):
    campaign = send_draft(composer_user)
    lines = ["Email"] + [f"bad{n}" for n in range(30)] + ["ok@example.com"]
    html = upload(composer_client, campaign, "\n".join(lines)).content.decode()
    shown = identities.SUMMARY_SHOWN
    assert "Email, line 2: “bad0”" in html
    assert f"line {shown + 1}: “bad{shown - 1}”" in html
    assert f"“bad{shown}”" not in html
    assert identities.SUMMARY_MORE_INVALID.format(count=30 - shown) in html


def test_the_htmx_answer_is_the_section_with_the_summary_and_the_new_version(
    composer_client, composer_user
):
    campaign = send_draft(composer_user)
    response = upload(composer_client, campaign, CSV, htmx=True)
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card mb-3 composer-section"')
    assert identities.SUMMARY_DUPLICATES.format(count=2) in html
    assert 'id="base-version" value="2" hx-swap-oob="true"' in html
    assert "composer:changed" in response.headers["HX-Trigger-After-Settle"]


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, forms.LIST_FILE_REQUIRED), ("Email\nnot-an-address\n", forms.LIST_FILE_EMPTY)],
)
def test_a_file_without_identities_changes_nothing(
    composer_client, composer_user, content, message
):
    campaign = send_draft(composer_user)
    if content is None:
        data = page_data(composer_client, campaign)
        url = reverse("campaigns:identity_upload", args=[campaign.pk])
        response = composer_client.post(url, data)
    else:
        response = upload(composer_client, campaign, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert drafts.fresh(campaign).version == 1


def test_a_targets_draft_takes_no_list(composer_client, composer_user):
    campaign = drafts.new_draft(composer_user)
    html = upload(composer_client, campaign, CSV).content.decode()
    assert drafts.fresh(campaign).version == 1
    assert "Upload the file" not in html


def test_the_same_list_is_stored_once_for_drafts_and_revisions(composer_client, composer_user):
    first, second = send_draft(composer_user), send_draft(composer_user)
    upload(composer_client, first, CSV)
    upload(composer_client, second, CSV)
    assert IdentityList.objects.count() == 2  # the typed two-address list, and the file's
    revisions = Revision.objects.filter(campaign__in=[first, second], version=2)
    assert {revision.identity_list_id for revision in revisions} == {
        drafts.fresh(first).identity_list_id
    }
    assert all("cust-1" not in str(revision.stored_body) for revision in revisions)


def test_typed_lists_keep_working_and_are_stored_the_same_way(composer_client, composer_user):
    campaign = send_draft(composer_user)
    data = page_data(composer_client, campaign)
    assert data["audience-email"] == ["user0@example.com\r\nuser1@example.com"]
    data["audience-email"] = ["one@example.com\ntwo@example.com"]
    data["composer-action"] = ["save"]
    composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    campaign = drafts.fresh(campaign)
    assert campaign.body["to"] == {"Email": ["one@example.com", "two@example.com"]}
    assert campaign.identity_list.to == campaign.body["to"]


def test_the_review_hash_changes_with_the_list(composer_client, composer_user):
    campaign = send_draft(composer_user)
    before = payloads.body_hash(drafts.fresh(campaign).body)
    upload(composer_client, campaign, CSV)
    after = payloads.body_hash(drafts.fresh(campaign).body)
    upload(composer_client, campaign, CSV.replace("cust-4", "cust-5"))
    assert len({before, after, payloads.body_hash(drafts.fresh(campaign).body)}) == 3


def test_a_list_no_longer_stored_is_an_error_not_a_500(composer_client, composer_user):
    campaign = send_draft(composer_user)
    data = page_data(composer_client, campaign)
    data["audience-identity_list"] = ["0" * 64]
    response = composer_client.post(reverse("campaigns:composer_preview", args=[campaign.pk]), data)
    assert response.status_code == 200
    assert audience.LIST_NOT_STORED in response.content.decode()


MILLION = 1_000_000


@pytest.fixture
def million_draft(composer_user):
    """A send draft of a million identities, made as an upload makes it (counted once)."""
    to = {"Identity": [f"cust-{n:07d}" for n in range(MILLION)]}
    body = {**drafts.email_send_body([]), "to": to}
    return services.campaign_create(
        user=composer_user, api=Api.SEND, channel="email", body=body, problem_count=0
    )


def test_an_autosave_of_a_million_identities_does_not_write_the_list(
    composer_client, million_draft
):
    html = composer_client.get(reverse("campaigns:composer", args=[million_draft.pk]))
    page = html.content.decode()
    # The page names the stored list; it neither carries it nor offers to copy it whole.
    assert "cust-0999999" not in page
    assert composer_views.EXPORT_TOO_LONG.format(count=MILLION) in page
    assert composer_views.JSON_ABRIDGED.format(count=MILLION) in page
    data = page_data(composer_client, million_draft)
    assert data["audience-identity_list"] == [million_draft.identity_list.sha256]
    data["content-subject"] = ["Changed"]
    url = reverse("campaigns:composer_save", args=[million_draft.pk])
    with CaptureQueriesContext(connection) as queries:
        response = composer_client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    written = sum(len(sql) for sql in writes)
    assert written < 20_000, written
    assert not any("cust-0000001" in sql for sql in writes)
    saved = drafts.fresh(million_draft)
    assert saved.version == 2 and saved.body["content"]["subject"] == "Changed"
    assert saved.body["to"]["Identity"][-1] == "cust-0999999"
    assert len(saved.body["to"]["Identity"]) == MILLION
    assert IdentityList.objects.count() == 1


def test_a_million_identity_file_uploads(composer_client, composer_user):
    campaign = send_draft(composer_user)
    content = "Identity\n" + "\n".join(f"cust-{n:07d}" for n in range(MILLION)) + "\ncust-0000000\n"
    response = upload(composer_client, campaign, content, htmx=True)
    html = response.content.decode()
    assert identities.SUMMARY_ROWS.format(rows=MILLION + 1) in html
    assert identities.SUMMARY_DUPLICATES.format(count=1) in html
    campaign = drafts.fresh(campaign)
    assert campaign.identity_list.total == MILLION
    assert "cust-0999999" not in html


def test_the_review_names_a_changed_list_with_its_counts_and_hashes(client, people):
    client.force_login(people["composer"])
    campaign = send_draft(people["composer"], drafts.email_send_body(drafts.emails(3)))
    drafts.submitted(campaign, people)
    drafts.approved(campaign, people)
    before = IdentityList.objects.get()
    upload(client, campaign, "Email\n" + "\n".join(drafts.emails(2)))
    after = drafts.fresh(campaign).identity_list
    client.force_login(people["reviewer"])
    html = client.get(reverse("campaigns:review", args=[campaign.pk])).content.decode()
    line = revisions.LIST_CHANGED.format(
        before=3, after=2, before_hash=before.sha256[:12], after_hash=after.sha256[:12]
    )
    assert html_escape(line) in html
