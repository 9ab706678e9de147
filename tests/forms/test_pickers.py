"""Pickers for the account's data: the values the account lists as a select, a value it does not
list kept and flagged, free text with a note where it lists none, the sandbox's segments with
their sizes; and the body is the same whether a value was picked or typed."""

import html as html_text
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from campaigns import payloads, selectors
from campaigns.channels import sms, webhook, whatsapp
from campaigns.forms import audience, pickers
from campaigns.forms.options import AccountOptions, SegmentOption, WhatsAppTemplateOption
from campaigns.models import AccountSettings, Api, ControlGroup, Provider, WebhookEndpoint
from devtools.bench.formdata import submitted_data
from sandbox.models import Segment
from tests.sandbox_records import profiles_create

ORDER_UPDATE = WhatsAppTemplateOption(
    name="order_update",
    locale="en",
    header_type="",
    header_placeholders=0,
    body_placeholders=2,
    button_placeholders=(),
    body_text="Hi {{1}}, your order {{2}} is on its way.",
)
OPTIONS = AccountOptions(
    providers={"sms": ("Nick Name", "Backup"), "whatsapp": ("Provider_1",)},
    whatsapp_templates=(ORDER_UPDATE,),
    webhook_endpoints=("Recommendation Endpoint", "CRM sync"),
    android_channels=("Marketing", "orders"),
    android_channel_names={"orders": "Order updates"},
    segments=(SegmentOption(3, "Gold customers", 1240), SegmentOption(4, "Lapsed", None)),
)
NONE_LISTED = AccountOptions()

SMS = {
    "name": "x",
    "target_mode": "sms",
    "where": {},
    "provider_nick_name": "Nick Name",
    "content": {"body": "Your order is on its way."},
}
WHATSAPP = {
    "name": "x",
    "target_mode": "whatsapp",
    "where": {},
    "provider_nick_name": "Provider_1",
    "content": {
        "template_name": "order_update",
        "locale": "en",
        "body": {"replacements": ["Ada", "#1042"]},
    },
}
WEBHOOK = {
    "name": "x",
    "target_mode": "webhook",
    "where": {},
    "webhook_endpoint_name": "CRM sync",
    "webhook_fields": ["identities"],
}
PUSH = {
    "name": "x",
    "where": {},
    "content": {
        "title": "Sale",
        "body": "Today only",
        "platform_specific": {"android": {"wzrk_cid": "orders"}},
    },
}
SEGMENT = {"name": "x", "segment": 3, "content": {"title": "Sale", "body": "Today only"}}

# (body, channel, the field's HTML name, the value in the body's place, the form's error for a
# value the account does not list)
PICKED = {
    "sms provider": (SMS, "sms", "content-provider_nick_name", "provider_nick_name"),
    "whatsapp provider": (WHATSAPP, "whatsapp", "content-provider_nick_name", "provider_nick_name"),
    "whatsapp template": (WHATSAPP, "whatsapp", "content-template_name", "template_name"),
    "webhook endpoint": (
        WEBHOOK,
        "webhook",
        "content-webhook_endpoint_name",
        "webhook_endpoint_name",
    ),
    "android channel": (PUSH, "push", "content-android_channel_id", "wzrk_cid"),
    "segment": (SEGMENT, "push", "audience-segment", "segment"),
}


def rendered(body: dict, channel: str, options: AccountOptions) -> str:
    parsed = payloads.parse_body(body, api=Api.TARGETS, channel=channel)
    forms = payloads.bind_forms(parsed.data, api=Api.TARGETS, channel=channel, options=options)
    return "\n".join(
        render_to_string("campaigns/_payload_form.html", {"form": form}) for form in forms.values()
    )


def built(data, channel: str, options: AccountOptions | None) -> dict:
    forms = payloads.bind_forms(data, api=Api.TARGETS, channel=channel, options=options)
    return payloads.build_body(forms, {})


def select_options(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of the select named `name`; [] when it is not a select."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if match is None:
        return []
    return [
        (html_text.unescape(value), html_text.unescape(label.strip()), bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', match.group(1)
        )
    ]


def replaced(body: dict, key: str, value) -> dict:
    """`body` with every `key` in it (at any depth) set to `value`."""
    if not isinstance(body, dict):
        return body
    return {k: value if k == key else replaced(v, key, value) for k, v in body.items()}


def test_the_accounts_providers_are_offered_in_a_select():
    html = rendered(SMS, "sms", OPTIONS)
    assert select_options(html, "content-provider_nick_name") == [
        ("", pickers.CHOOSE.format(what="a provider"), False),
        ("Nick Name", "Nick Name", True),
        ("Backup", "Backup", False),
    ]


def test_android_channels_and_segments_read_with_their_names():
    channels = select_options(rendered(PUSH, "push", OPTIONS), "content-android_channel_id")
    assert [(value, label) for value, label, _ in channels[1:]] == [
        ("Marketing", "Marketing"),
        ("orders", "Order updates (orders)"),
    ]
    segments = select_options(rendered(SEGMENT, "push", OPTIONS), "audience-segment")
    assert [(value, label, selected) for value, label, selected in segments[1:]] == [
        ("3", "Gold customers (id 3, about 1,240 people)", True),
        ("4", "Lapsed (id 4)", False),
    ]


@pytest.mark.parametrize("case", PICKED, ids=str)
def test_a_picked_value_builds_the_same_body_as_the_typed_one(case):
    body, channel, name, _ = PICKED[case]
    html = rendered(body, channel, OPTIONS)
    assert any(selected for _, _, selected in select_options(html, name))
    posted = submitted_data(html)
    picked = built(posted, channel, OPTIONS)
    typed = built(posted, channel, None)
    assert picked == typed
    assert {k: v for k, v in picked.items() if k in body} == body


@pytest.mark.parametrize("case", PICKED, ids=str)
def test_a_value_the_account_does_not_list_stays_and_is_flagged(case):
    body, channel, name, key = PICKED[case]
    unlisted = 99 if key == "segment" else "Retired one"
    body = replaced(body, key, unlisted)
    html = rendered(body, channel, OPTIONS)
    options = select_options(html, name)
    assert (str(unlisted), pickers.NOT_LISTED.format(value=unlisted), True) in options
    posted = submitted_data(html)
    assert {k: v for k, v in built(posted, channel, OPTIONS).items() if k in body} == body


def test_the_unlisted_value_keeps_its_error():
    body = SMS | {"provider_nick_name": "Retired one"}
    found = payloads.body_errors(body, api=Api.TARGETS, channel="sms", options=OPTIONS)
    assert sms.PROVIDER_UNKNOWN.format(value="Retired one") in [e.message for e in found]
    body = WEBHOOK | {"webhook_endpoint_name": "Retired one"}
    found = payloads.body_errors(body, api=Api.TARGETS, channel="webhook", options=OPTIONS)
    assert webhook.ENDPOINT_UNKNOWN.format(value="Retired one") in [e.message for e in found]
    body = replaced(WHATSAPP, "template_name", "Retired one")
    found = payloads.body_errors(body, api=Api.TARGETS, channel="whatsapp", options=OPTIONS)
    assert whatsapp.TEMPLATE_NOT_FOUND in [e.message for e in found]


@pytest.mark.parametrize(
    ("case", "note"),
    [
        ("sms provider", pickers.NONE_LISTED.format(what="SMS providers", page="Providers")),
        (
            "webhook endpoint",
            pickers.NONE_LISTED.format(what="webhook endpoints", page="Webhook endpoints"),
        ),
        (
            "android channel",
            pickers.NONE_LISTED.format(
                what="Android notification channels", page="Android channels"
            ),
        ),
    ],
)
def test_with_none_listed_the_field_is_free_text_with_a_note_saying_where_to_add_them(case, note):
    body, channel, name, _ = PICKED[case]
    html = rendered(body, channel, NONE_LISTED)
    assert select_options(html, name) == []
    assert re.search(rf'<input type="text" name="{name}"', html)
    assert note in html


def test_with_no_segments_the_note_says_where_segments_are(settings):
    settings.SANDBOX_ENABLED = False
    assert pickers.NO_SEGMENTS in rendered(SEGMENT, "push", NONE_LISTED)
    settings.SANDBOX_ENABLED = True
    assert pickers.NO_SANDBOX_SEGMENTS in rendered(SEGMENT, "push", NONE_LISTED)


def test_forms_without_an_account_loaded_stay_as_they_were():
    html = rendered(SMS, "sms", None)
    assert select_options(html, "content-provider_nick_name") == []
    assert "The account lists no" not in html


def test_the_sandboxs_segments_are_offered_with_their_sizes(db, settings):
    settings.SANDBOX_ENABLED = True
    profiles_create(android=3, ios=2)
    everyone = Segment.objects.create(name="Everyone", where={})
    buyers = Segment.objects.create(name="Buyers", where={"event_name": "Charged"})
    assert selectors.segment_options() == (
        SegmentOption(everyone.id, "Everyone", 5),
        SegmentOption(buyers.id, "Buyers", 0),
    )
    # Cached, as the name suggestions are: the composer asks on every keystroke.
    with CaptureQueriesContext(connection) as queries:
        assert len(selectors.segment_options()) == 2
    assert len(queries) == 0
    options = selectors.account_options(composing=True)
    assert [s.name for s in options.segments] == ["Everyone", "Buyers"]
    assert selectors.account_options().segments == ()


def test_without_the_sandbox_no_segments_are_offered(db, settings):
    settings.SANDBOX_ENABLED = False
    Segment.objects.create(name="Everyone", where={})
    assert selectors.segment_options() == ()


def test_one_person_is_not_people():
    options = AccountOptions(segments=(SegmentOption(1, "Me", 1),))
    assert pickers.segment_choices(options) == [("1", "Me (id 1, about 1 person)")]


def test_the_audience_form_still_takes_a_typed_segment():
    data = {"audience-who": audience.SEGMENT, "audience-segment": "7"}
    form = audience.AudienceForm(data, prefix="audience", options=OPTIONS)
    assert form.to_json() == {"segment": 7}


DELIVERY_SLOT = WhatsAppTemplateOption(
    name="delivery_slot",
    locale="en",
    header_type="text",
    header_placeholders=1,
    body_placeholders=2,
    button_placeholders=(),
    header_text="Delivery on {{1}}",
    body_text="Your parcel arrives between {{1}} and {{2}}.",
)
HEADERS = AccountOptions(
    providers={"whatsapp": ("Provider_1",)}, whatsapp_templates=(ORDER_UPDATE, DELIVERY_SLOT)
)
HEADER_INPUTS = [
    "header_type",
    "header_replacements",
    "header_media_url",
    "header_latitude",
    "header_longitude",
    "header_location_name",
    "header_location_address",
]


def shown_header_inputs(body: dict) -> list[str]:
    page = rendered(body, "whatsapp", HEADERS)
    return [name for name in HEADER_INPUTS if f'id="div_id_content-{name}"' in page]


def test_a_template_without_a_header_shows_no_header_inputs():
    assert shown_header_inputs(WHATSAPP) == []
    assert (
        built(
            payloads.parse_body(WHATSAPP, api=Api.TARGETS, channel="whatsapp").data,
            "whatsapp",
            HEADERS,
        )
        == WHATSAPP
    )


def test_a_text_header_shows_its_type_and_values_only():
    body = replaced(WHATSAPP, "template_name", "delivery_slot")
    assert shown_header_inputs(body) == ["header_type", "header_replacements"]


def test_a_header_input_the_template_does_not_use_stays_shown_while_it_holds_a_value():
    content = WHATSAPP["content"] | {
        "header": {"type": "image", "media": {"url": "https://x.example/a.png"}}
    }
    body = WHATSAPP | {"content": content}
    assert shown_header_inputs(body) == ["header_type", "header_media_url"]
    messages = [
        error.message
        for error in payloads.body_errors(
            body, api=Api.TARGETS, channel="whatsapp", options=HEADERS
        )
    ]
    assert whatsapp.HEADER_NOT_IN_TEMPLATE in messages


def test_the_account_data_is_read_once_and_a_change_shows_at_the_next_read(db):
    Provider.objects.create(channel="sms", nick_name="Nick Name")
    with CaptureQueriesContext(connection) as first:
        assert selectors.account_options().providers == {"sms": ("Nick Name",)}
    with CaptureQueriesContext(connection) as again:
        assert selectors.account_options().providers == {"sms": ("Nick Name",)}
    assert len(again) == 1 < len(first)

    # Saves and deletes, the admin's or a queryset's, count as changes.
    WebhookEndpoint.objects.create(name="CRM sync")
    assert selectors.account_options().webhook_endpoints == ("CRM sync",)
    group = ControlGroup.objects.create(name="Holdout")
    assert selectors.account_options().control_groups == ("Holdout",)
    group.delete()
    Provider.objects.filter(nick_name="Nick Name").delete()
    options = selectors.account_options()
    assert options.control_groups == () and options.providers == {}
    # The Liquid switch is read with the version, never from the cache.
    AccountSettings.objects.filter(pk=1).update(liquid_api_beta=True)
    assert selectors.account_options().liquid_api_beta
