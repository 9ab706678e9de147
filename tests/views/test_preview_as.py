"""The composer's "Preview as": a person looked up by identity or email (the sandbox's sample, or
CleverTap's profile read with credentials configured), drawn at random, or let go; the device
previews and counters show that person's message, the request body stays as typed."""

import re
import time

import pytest
from django.urls import reverse

from campaigns import clevertap, preview_as, previews, services
from campaigns.models import AccountSettings, Api
from campaigns.views import forms
from sandbox import faults
from sandbox.models import Profile
from tests import sandbox_records
from tests.views.test_composer import page_data

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = 'Hi {{Profile.Name | default: "there"}}'
MESSAGE = 'Your order ships to {{Profile.City | default: "you"}} today'


@pytest.fixture
def beta(db):
    AccountSettings.objects.update_or_create(pk=1, defaults={"liquid_api_beta": True})


@pytest.fixture
def ada(sandbox):
    return Profile.objects.create(
        identity="ada-1",
        email="ada@example.com",
        name="Ada",
        object_id="o-ada",
        has_ios=True,
        properties={"City": "Pune"},
    )


@pytest.fixture
def nameless(sandbox):
    return Profile.objects.create(identity="no-name-7", object_id="o-none", has_android=True)


@pytest.fixture
def push(composer_user):
    body = {
        "name": "Order update",
        "target_mode": "push",
        "where": {},
        "when": "now",
        "content": {"title": TITLE, "body": MESSAGE},
    }
    return services.campaign_create(user=composer_user, api=Api.TARGETS, channel="push", body=body)


def choose(client, campaign, *, who: str = "", action: str = forms.PREVIEW_AS_FIND):
    """The control posted as htmx posts it: with the composer's form as the page holds it."""
    data = page_data(client, campaign) | {"preview_as-who": who, "preview_as-action": action}
    response = client.post(
        reverse("campaigns:composer_preview_as", args=[campaign.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return response.content.decode()


def live_preview(client, campaign, **changes) -> str:
    data = page_data(client, campaign) | changes
    response = client.post(reverse("campaigns:composer_preview", args=[campaign.pk]), data)
    assert response.status_code == 200
    return response.content.decode()


def device(html: str) -> str:
    """The device preview panel alone (not the request body)."""
    start = html.index('id="preview-panel-device"')
    return html[start : html.index('id="preview-panel-json"')]


def titles(html: str) -> list[str]:
    return re.findall(r'<div class="notification-title">([^<]*)</div>', device(html))


def json_panel(html: str) -> str:
    return html[html.index('id="preview-panel-json"') :]


def counter(html: str, name: str) -> str:
    match = re.search(rf'id="counter-{name}"[^>]*>(.*?)</div>', html, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1))


def profile_reads() -> list[dict]:
    return [request.body for request in sandbox_records.received("profile.json")]


def test_a_person_found_by_identity_in_the_sample_is_shown_in_every_device(
    composer_client, beta, ada, push
):
    html = choose(composer_client, push, who="ada-1")

    assert titles(html) == ["Hi Ada", "Hi Ada"]  # iOS and Android
    assert "Your order ships to Pune today" in device(html)
    assert "Previewing as <strong>Ada (identity ada-1)</strong>" in html
    assert counter(html, "title").startswith("6 / 50 characters")
    assert "Counted as Ada gets it." in counter(html, "title")
    # The request body is never rendered.
    assert "{{Profile.Name" in json_panel(html) and "Hi Ada" not in json_panel(html)
    assert profile_reads() == [{"identity": "ada-1"}]


def test_the_chosen_person_stays_through_the_live_previews_of_unsaved_typing(
    composer_client, beta, ada, push
):
    choose(composer_client, push, who="ada-1")

    html = live_preview(
        composer_client, push, **{"content-title": 'Hello {{Profile.Name | default: "you"}}!'}
    )

    assert titles(html) == ["Hello Ada!", "Hello Ada!"]
    assert len(profile_reads()) == 1  # kept in the session: no lookup per keystroke
    assert composer_client.get(reverse("campaigns:composer", args=[push.pk])).content.decode()


def test_a_person_found_by_email_and_the_properties_they_lack_are_named(
    composer_client, beta, sandbox, push
):
    Profile.objects.create(identity="g-2", email="grace@example.com", object_id="o-g")

    html = choose(composer_client, push, who="grace@example.com")

    assert titles(html) == ["Hi there", "Hi there"]
    assert "Has no Name: shows the default in the title." in device(html)
    assert "Has no City: shows the default in the message." in device(html)
    assert profile_reads() == [{"email": "grace@example.com"}]


def test_a_random_person_comes_from_the_sample(composer_client, beta, push, sandbox):
    Profile.objects.all().delete()
    Profile.objects.create(identity="only-one", name="Lin", object_id="o-lin", has_ios=True)
    page = composer_client.get(reverse("campaigns:composer", args=[push.pk])).content.decode()
    assert 'id="preview-as-random"' in page
    assert "{#" not in page and "Outside #preview" not in page  # no template comment shows

    html = choose(composer_client, push, action=forms.PREVIEW_AS_RANDOM)

    assert titles(html) == ["Hi Lin", "Hi Lin"]
    assert "Previewing as <strong>Lin (identity only-one)</strong>" in html
    assert profile_reads() == [{"objectId": "o-lin"}]


def test_someone_not_found_is_said_in_words_and_the_previous_person_stays(
    composer_client, beta, ada, push
):
    choose(composer_client, push, who="ada-1")

    html = choose(composer_client, push, who="nobody-here")

    assert (
        "No one has the identity or email “nobody-here” in the sandbox’s sample audience. "
        "The preview still shows Ada (identity ada-1)." in html
    )
    assert titles(html) == ["Hi Ada", "Hi Ada"]
    # The answer leaves the box alone: what was typed stays in it.
    assert 'id="preview-as-who"' not in html and "preview-as-status" not in html


def test_without_a_person_the_tags_show_their_defaults(composer_client, beta, sandbox, push):
    html = live_preview(composer_client, push)

    assert titles(html) == ["Hi there", "Hi there"]
    assert preview_as.NO_PERSON in device(html)
    assert counter(html, "title").startswith("8 / 50 characters")
    assert "Counted with each tag’s default." in counter(html, "title")


def test_showing_the_defaults_again_lets_the_person_go(composer_client, beta, ada, push):
    choose(composer_client, push, who="ada-1")

    html = choose(composer_client, push, action=forms.PREVIEW_AS_CLEAR)

    assert titles(html) == ["Hi there", "Hi there"]
    assert preview_as.session_person(composer_client.session, push.pk) is None


def test_without_the_liquid_beta_the_text_shows_as_typed_for_anyone(composer_client, ada, push):
    html = choose(composer_client, push, who="ada-1")

    assert titles(html) == [TITLE.replace('"', "&quot;")] * 2
    assert "CleverTap renders personalization only in push campaigns" in device(html)
    assert previews.TAGS_AS_TYPED in counter(html, "title")


def test_an_empty_lookup_asks_for_an_identity(composer_client, beta, sandbox, push):
    html = choose(composer_client, push, who="  ")

    assert preview_as.WHO_MISSING in html
    assert profile_reads() == []


def test_a_lookup_the_sandbox_keeps_failing_is_said_in_words_and_the_composer_still_shows(
    composer_client, beta, ada, push
):
    faults.faults_configure(error_rate=1.0, error_status=503)

    html = choose(composer_client, push, who="ada-1")

    assert f"Could not look “ada-1” up: {clevertap.MESSAGE_SERVER}" in html
    assert titles(html) == ["Hi there", "Hi there"]
    assert len(profile_reads()) > 1  # retried, then given up


def test_without_javascript_the_person_is_kept_and_the_page_comes_back(
    composer_client, beta, ada, push
):
    url = reverse("campaigns:composer_preview_as", args=[push.pk])

    response = composer_client.post(url, {"preview_as-who": "ada-1"})

    assert response.status_code == 302
    page = composer_client.get(response.url).content.decode()
    assert titles(page) == ["Hi Ada", "Hi Ada"]


# With CleverTap credentials configured: the sandbox stands in for CleverTap over HTTP.


@pytest.fixture
def credentials(sandbox, settings):
    settings.CLEVERTAP_CONFIGURED = True
    settings.CLEVERTAP_API_HOST = settings.SANDBOX_BASE_URL
    settings.CLEVERTAP_ACCOUNT_ID = settings.SANDBOX_ACCOUNT_ID
    settings.CLEVERTAP_PASSCODE = sandbox_records.PASSCODE
    return settings


def test_with_credentials_the_person_is_read_through_clevertaps_profile_endpoint(
    composer_client, beta, ada, push, credentials
):
    html = choose(composer_client, push, who="ada@example.com")

    assert titles(html) == ["Hi Ada", "Hi Ada"]
    (read,) = sandbox_records.received("profile.json")
    assert (read.method, read.body, read.account_id) == (
        "GET",
        {"email": "ada@example.com"},
        credentials.CLEVERTAP_ACCOUNT_ID,
    )
    # No sample to draw from: CleverTap's account is not the sandbox's audience.
    page = composer_client.get(reverse("campaigns:composer", args=[push.pk])).content.decode()
    assert 'id="preview-as-random"' not in page
    assert "this CleverTap account’s profiles" in page


def test_with_credentials_an_unknown_person_and_a_refused_read_are_said_in_words(
    composer_client, beta, ada, push, credentials
):
    html = choose(composer_client, push, who="nobody-here")
    assert "No one has the identity or email “nobody-here” in this CleverTap account." in html

    credentials.CLEVERTAP_PASSCODE = "Wrong-passcode-7731"
    html = choose(composer_client, push, who="ada-1")

    assert f"Could not look “ada-1” up: {clevertap.MESSAGE_AUTH}" in html
    assert titles(html) == ["Hi there", "Hi there"]
    first, refused = sandbox_records.received("profile.json")
    assert (first.body, first.status_code, refused.status_code) == (
        {"identity": "nobody-here"},
        200,
        401,
    )


def test_a_lookup_that_times_out_is_said_in_words(composer_client, beta, ada, push, settings):
    settings.CLEVERTAP_READ_TIMEOUT = 0.2
    settings.CLEVERTAP_MAX_ATTEMPTS = 1
    faults.faults_configure(latency_ms=1500)

    html = choose(composer_client, push, who="ada-1")

    assert f"Could not look “ada-1” up: {clevertap.MESSAGE_TIMEOUT}" in html
    assert titles(html) == ["Hi there", "Hi there"]
    # The sandbox answers late all the same: let it finish before the database is reset.
    deadline = time.monotonic() + 10
    while not profile_reads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert profile_reads() == [{"identity": "ada-1"}]


def test_an_identity_too_long_is_refused_in_words_without_a_lookup(
    composer_client, beta, sandbox, push
):
    html = choose(composer_client, push, who="x" * 300)

    assert "An identity or email is at most 254 characters." in html
    assert profile_reads() == []


def test_in_an_email_draft_the_person_gets_the_text_as_typed(
    composer_client, beta, ada, composer_user
):
    body = {
        "name": "Welcome",
        "target_mode": "email",
        "where": {},
        "when": "now",
        "content": {
            "subject": 'Hi {{Profile.Name | default: "there"}}',
            "body": "<p>Hello</p>",
            "sender_name": "Shop",
        },
    }
    email = services.campaign_create(
        user=composer_user, api=Api.TARGETS, channel="email", body=body
    )

    html = choose(composer_client, email, who="ada-1")

    assert "Hi {{Profile.Name | default: &quot;there&quot;}}" in device(html)
    assert "Hi Ada" not in html
    assert "Shown as typed: CleverTap renders personalization only in push" in device(html)


def test_what_a_profile_holds_is_shown_as_text_never_as_markup(
    composer_client, beta, push, sandbox
):
    Profile.objects.create(identity="x-1", name="<b>Bo</b>", object_id="o-x", has_ios=True)

    html = choose(composer_client, push, who="x-1")

    assert "<b>Bo</b>" not in html
    assert "Hi &lt;b&gt;Bo&lt;/b&gt;" in device(html)


def test_a_random_person_from_an_empty_sample_or_with_credentials_is_refused_in_words(
    composer_client, beta, push, sandbox, settings
):
    Profile.objects.all().delete()
    assert preview_as.SAMPLE_EMPTY in choose(composer_client, push, action=forms.PREVIEW_AS_RANDOM)

    settings.CLEVERTAP_CONFIGURED = True
    assert preview_as.NO_SAMPLE in choose(composer_client, push, action=forms.PREVIEW_AS_RANDOM)
    assert profile_reads() == []
