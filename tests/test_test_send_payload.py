"""The body of a test send (`campaigns.test_send_payload`): a draft's content, targets or send,
carried into send/<channel>.json's shape by the forms that build every body."""

import copy
import dataclasses

import pytest

from campaigns import payloads, test_send_payload
from campaigns.channels import registry
from campaigns.forms.options import NO_OPTIONS
from tests.reference_examples import ReferenceExample, reference_examples

TO = {"Email": ["me@example.com"], "Identity": ["tester-1"]}
EXAMPLES = reference_examples()


def fixed(example: ReferenceExample) -> ReferenceExample:
    """The reference's send example with the problems the composer would have had fixed (a
    campaign id beside a tag group, no Android channel, no SMS provider, a long message id)."""
    if not example.endpoint.startswith("send"):
        return example
    body = copy.deepcopy(example.body)
    if "tag_group" in body:
        body.pop("campaign_id", None)
    if example.channel == "push":
        android = body["content"].setdefault("platform_specific", {}).setdefault("android", {})
        android.setdefault("wzrk_cid", "offers")
    if example.channel in ("sms", "whatsapp"):
        body.setdefault("provider_nick_name", "Provider 1")
    if example.channel == "whatsapp":
        body["message_id"] = "m1"
    return dataclasses.replace(example, body=body)


# Drafts as a composer would test-send them: the reference's bodies without problems.
READY = [
    example
    for example in map(fixed, EXAMPLES)
    if example.channel in registry.SEND_CHANNELS
    and not payloads.body_errors(
        example.body,
        api="targets" if example.endpoint.startswith("targets") else "send",
        channel=example.channel,
        options=NO_OPTIONS,
    )
]
TARGETS = [example for example in READY if example.endpoint.startswith("targets")]
SENDS = [example for example in READY if example.endpoint.startswith("send")]


def test_the_examples_cover_every_channel_with_a_send_endpoint_in_both_families():
    assert {example.channel for example in TARGETS} == set(registry.SEND_CHANNELS)
    assert {example.channel for example in SENDS} == set(registry.SEND_CHANNELS)
    assert len(SENDS) >= 15


def built(example, *, to=TO, message_id="ab12cd34") -> dict:
    api = "targets" if example.endpoint.startswith("targets") else "send"
    return test_send_payload.body_for_test_send(
        example.body, api=api, channel=example.channel, to=to, message_id=message_id
    )


@pytest.mark.parametrize("example", TARGETS + SENDS, ids=lambda example: example.name)
def test_a_test_body_is_a_valid_send_body_with_exactly_the_test_recipients(example):
    body = built(example)

    assert payloads.body_errors(body, api="send", channel=example.channel, options=NO_OPTIONS) == []
    assert body["to"] == TO
    named = example.body.get("name")
    assert body["name"] == (f"Test: {named}" if named else test_send_payload.TEST_NAME_UNNAMED)
    assert body["tag_group"] == test_send_payload.TEST_TAG_GROUP
    assert body["respect_frequency_caps"] is False
    assert "campaign_id" not in body
    # Nothing of the targets API's audience, schedule or delivery goes along.
    assert not {"where", "segment", "when", "target_mode", "conversion_goal"} & set(body)


@pytest.mark.parametrize(
    "example",
    [example for example in TARGETS if example.channel != "whatsapp"],
    ids=lambda example: example.name,
)
def test_a_targets_drafts_content_is_sent_as_it_is(example):
    body = built(example)

    assert body["content"] == example.body["content"]
    for key in ("provider_nick_name", "send_email_to_opted_out_users"):
        assert body.get(key) == example.body.get(key)


@pytest.mark.parametrize(
    "example",
    [example for example in TARGETS if example.channel == "whatsapp"],
    ids=lambda example: example.name,
)
def test_a_targets_whatsapp_template_becomes_a_send_template_message(example):
    content = example.body["content"]

    body = built(example, message_id="0123456789")

    template = body["content"]["template"]
    assert body["content"]["message_type"] == "template"
    assert template["template_name"] == content["template_name"]
    assert template["language"] == content["locale"]
    assert template["body"] == {"type": "text", **content["body"]}
    assert template.get("buttons") == content.get("buttons")
    assert template.get("header", {}).get("type") == content.get("header", {}).get("type")
    assert body["provider_nick_name"] == example.body["provider_nick_name"]
    assert body["message_id"] == "01234567"  # at most 8 characters


@pytest.mark.parametrize("example", SENDS, ids=lambda example: example.name)
def test_a_send_draft_is_sent_as_it_is_but_for_its_recipients_and_metrics(example):
    expected = copy.deepcopy(example.body)
    expected.pop("campaign_id", None)
    expected.pop("estimate_only", None)
    expected |= {
        "to": TO,
        "name": f"Test: {example.body['name']}" if example.body.get("name") else "Test send",
        "tag_group": test_send_payload.TEST_TAG_GROUP,
        "respect_frequency_caps": False,
    }
    if example.channel == "whatsapp":
        expected["message_id"] = "ab12cd34"

    assert built(example) == expected


def test_a_send_drafts_own_list_is_never_read_nor_sent():
    example = next(example for example in SENDS if example.channel == "email")
    body = dict(example.body, to={"Email": [f"user{n}@example.com" for n in range(5000)]})

    built_body = test_send_payload.body_for_test_send(
        body, api="send", channel="email", to={"Email": ["me@example.com"]}
    )

    assert built_body["to"] == {"Email": ["me@example.com"]}


def test_a_long_name_is_cut_to_what_a_name_may_hold():
    example = TARGETS[0]
    body = dict(example.body, name="N" * 200)

    built_body = test_send_payload.body_for_test_send(
        body, api="targets", channel=example.channel, to=TO
    )

    assert len(built_body["name"]) == test_send_payload.NAME_MAX
    assert built_body["name"].startswith("Test: NNN")


@pytest.mark.parametrize(
    ("channel", "label"), [("webhook", "Webhook"), ("notificationinbox", "App inbox")]
)
def test_webhook_and_app_inbox_say_they_have_no_send_endpoint(channel, label):
    example = next(example for example in EXAMPLES if example.channel == channel)
    message = test_send_payload.NO_SEND_ENDPOINT.format(channel=label, value=channel)

    assert test_send_payload.cannot_test_send(channel) == message
    with pytest.raises(test_send_payload.NoSendEndpoint, match="has no send endpoint"):
        test_send_payload.body_for_test_send(example.body, api="targets", channel=channel, to=TO)


def test_every_channel_with_a_send_endpoint_can_be_test_sent():
    assert [c for c in registry.CHANNELS if not test_send_payload.cannot_test_send(c)] == list(
        registry.SEND_CHANNELS
    )


def test_recipients_go_under_their_kind_once_each_in_order():
    pairs = [("Email", "b@x.io"), ("Identity", "42"), ("Email", "a@x.io"), ("Email", "b@x.io")]

    assert test_send_payload.recipients_to(pairs) == {
        "Email": ["b@x.io", "a@x.io"],
        "Identity": ["42"],
    }


@pytest.mark.parametrize(
    ("count", "refusal"),
    [
        (0, test_send_payload.NONE_CHOSEN),
        (1, ""),
        (25, ""),
        (26, test_send_payload.TOO_MANY),
    ],
)
def test_a_test_goes_to_one_to_25_recipients(count, refusal):
    assert test_send_payload.recipients_refusal(count) == refusal


@pytest.mark.parametrize(
    ("content", "personalized"),
    [
        ({"title": 'Hi {{Profile.Name | default: "there"}}', "body": "Sale"}, True),
        ({"title": "Hi", "body": "{% if Profile.vip %}VIP{% endif %}"}, True),
        ({"title": "Hi @Profile.Name", "body": "Sale"}, True),
        ({"template": {"body": {"replacements": ["{{Profile.city}}"]}}}, True),
        ({"title": "Hi there", "body": "Up to 40% off {not a tag}"}, False),
    ],
)
def test_personalization_that_a_test_sends_as_typed_is_found_anywhere_in_the_content(
    content, personalized
):
    assert test_send_payload.personalized(content) is personalized
