"""The sandbox as CleverTap with its account's Liquid beta: documented Liquid accepted in the push
fields CleverTap personalizes, invalid Liquid refused at create in CleverTap's words; without the
beta, tags are plain text."""

import json

import pytest

from sandbox import api, services, testing
from sandbox.models import Profile, SandboxCampaign
from tests.test_personalization import DOCUMENTED

PUSH = {
    "name": "Hello",
    "target_mode": "push",
    "where": {"event_name": "App Launched"},
    "when": "now",
    "content": {"title": "Hi", "body": "Welcome back"},
}
INVALID_TITLE = (
    "Invalid syntax for title field. Rectify and try again. Read more: "
    "https://developer.clevertap.com/docs/create-campaign-api"
)


@pytest.fixture(autouse=True)
def sandbox(db, settings):
    settings.SANDBOX_CREATE_PER_SECOND = 0
    testing.sandbox_reset()
    testing.audience_small(profiles=40)


def create(client, body):
    return client.post(
        "/sandbox/1/targets/create.json",
        data=json.dumps(body),
        content_type="application/json",
        **testing.client_headers(),
    )


def with_content(**content):
    return {**PUSH, "content": {**PUSH["content"], **content}}


@pytest.mark.parametrize("text", [*DOCUMENTED, "Hi {{ Profile.Name }}"])
def test_with_the_beta_documented_liquid_is_accepted_in_push(client, text):
    services.liquid_api_beta_set(True)

    response = create(client, with_content(title=text, body=text))

    assert response.status_code == 200, response.json()
    assert SandboxCampaign.objects.get(pk=response.json()["id"]).body["content"]["title"] == text


@pytest.mark.parametrize(
    "text",
    [
        "Hi {{ Profile.Name",
        "{% capture x %}y{% endcapture %}",
        '{{ Profile.Name | truncate: 3 | default: "x" }}',
        '{{ Event.Product | default: "it" }}',
        '{{ Shop.name | default: "x" }}',
    ],
)
def test_with_the_beta_invalid_liquid_is_refused_with_clevertaps_message(client, text):
    services.liquid_api_beta_set(True)

    response = create(client, with_content(title=text))

    assert response.status_code == 400
    assert response.json() == {
        "status": "fail",
        "error": INVALID_TITLE,
        "code": api.CODE_BAD_REQUEST,
    }
    assert not SandboxCampaign.objects.exists()


def test_each_personalized_field_is_named_in_the_answer(client):
    services.liquid_api_beta_set(True)
    android = {
        "wzrk_cid": "general",
        "deep_link": "https://shop.example/{{ Profile.Code",
        "wzrk_acts": [{"l": "{{ Event.X }}", "dl": "app://x", "id": "a"}],
    }
    body = with_content(body="{% if %}", platform_specific={"android": android})

    answers = api.payload_core_errors(body=body, endpoint=api.ENDPOINT_CREATE)

    errors = [answer.message for answer in answers]
    assert errors == [INVALID_TITLE.replace("title", name) for name in ("body", "deep_link", "l")]


@pytest.mark.parametrize("text", ["Hi {{ Profile.Name", "{% capture x %}y{% endcapture %}"])
def test_without_the_beta_tags_pass_through_as_plain_text(client, text):
    response = create(client, with_content(title=text))

    assert response.status_code == 200, response.json()
    assert SandboxCampaign.objects.get().body["content"]["title"] == text


def test_the_sample_profiles_carry_properties_some_lack():
    testing.audience_small(profiles=400)
    names = list(Profile.objects.values_list("name", flat=True))
    properties = Profile.objects.values_list("properties", flat=True)
    languages = [found.get("Preferred Language") for found in properties]

    assert 0 < names.count("") < len(names) / 3
    assert 0 < languages.count(None) < len(languages) / 2
    assert {"English", "Hindi"} <= set(languages)


def test_a_send_by_identity_takes_tags_as_plain_text_even_with_the_beta(client):
    services.liquid_api_beta_set(True)
    body = {
        "to": {"Identity": ["cust-0000001"]},
        "tag_group": "welcome",
        "content": {"title": "Hi {{ Profile.Name", "body": "{% capture x %}{% endcapture %}"},
    }

    response = client.post(
        "/sandbox/1/send/push.json",
        data=json.dumps(body),
        content_type="application/json",
        **testing.client_headers(),
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "success"
