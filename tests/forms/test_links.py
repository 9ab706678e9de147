import pytest

from campaigns import payloads
from campaigns.channels import registry
from campaigns.forms import links
from campaigns.jsonpath import format_path
from campaigns.models import Api
from tests import payload_checks

PUSH = {"name": "x", "target_mode": "push", "where": {}, "when": "now"}


def push_with(**android) -> dict:
    content = {"title": "Sale", "body": "Now on", "platform_specific": {"android": android}}
    return PUSH | {"content": content}


def messages_at(body: dict, where: str) -> list[str]:
    return payload_checks.messages_at(body, where, channel="push")


# Image addresses: what a device fetches.


@pytest.mark.parametrize(
    "value",
    [
        "https://cdn.example.com/banner.jpg",
        "http://example.png",  # from the reference page: a host, however odd
        "https://example.com/a b.jpg?size=2",
        "HTTPS://EXAMPLE.COM/A.JPG",
    ],
)
def test_an_image_address_is_a_whole_http_address(value):
    assert links.problem(value, link=False) == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not a url", links.MEDIA_URL_NOT_WHOLE.format(value="not a url")),
        ("example.com", links.MEDIA_URL_NOT_WHOLE.format(value="example.com")),
        (
            "/drafts/22/example.com",
            links.MEDIA_URL_NOT_WHOLE.format(value="/drafts/22/example.com"),
        ),
        (
            "//cdn.example.com/a.jpg",
            links.MEDIA_URL_NOT_WHOLE.format(value="//cdn.example.com/a.jpg"),
        ),
        ("javascript:alert(1)", links.MEDIA_URL_SCHEME.format(scheme="javascript")),
        ("data:image/png;base64,iVBOR", links.MEDIA_URL_SCHEME.format(scheme="data")),
        ("ftp://files.example.com/a.jpg", links.MEDIA_URL_SCHEME.format(scheme="ftp")),
        ("myapp://image", links.MEDIA_URL_SCHEME.format(scheme="myapp")),
        ("https://", links.URL_NO_HOST.format(value="https://", scheme="https")),
        ("https:///a.jpg", links.URL_NO_HOST.format(value="https:///a.jpg", scheme="https")),
        (
            "https://[::1/a.jpg",
            links.URL_NO_HOST.format(value="https://[::1/a.jpg", scheme="https"),
        ),
    ],
)
def test_anything_else_is_refused_as_an_image_address_in_words(value, message):
    assert links.problem(value, link=False) == message


# Links: what a tap opens.


@pytest.mark.parametrize(
    "value",
    [
        "https://shop.example/sale",
        "http://www.example.com",
        "myapp://item/1",
        "com.clevertap.ctcontent.example://item/two",  # from the reference page
        "mailto:help@example.com",
    ],
)
def test_a_link_is_a_web_page_or_an_app_deep_link(value):
    assert links.problem(value, link=True) == ""


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
    ],
)
def test_a_javascript_link_is_refused_however_it_is_written(value):
    assert links.problem(value, link=True) == links.LINK_SCHEME_REFUSED.format(scheme="javascript")


@pytest.mark.parametrize("scheme", ["data", "vbscript"])
def test_data_and_vbscript_links_are_refused(scheme):
    message = links.LINK_SCHEME_REFUSED.format(scheme=scheme)
    assert links.problem(f"{scheme}:text/html,<b>hi</b>", link=True) == message


@pytest.mark.parametrize("value", ["not a url", "example.com", "andurl1", "/sale", "myapp:"])
def test_a_link_without_a_scheme_is_accepted_with_a_warning(value):
    # CleverTap queues such links (its own examples and its Node client's send them): a warning.
    assert links.problem(value, link=True) == ""
    assert links.link_warning(value) == links.LINK_NOT_WHOLE.format(value=value)


def test_a_whole_link_has_no_warning():
    assert links.link_warning("https://example.com/sale") == ""
    assert links.link_warning("myapp://home") == ""


def test_a_web_link_needs_its_host():
    assert links.problem("https://", link=True) == links.URL_NO_HOST.format(
        value="https://", scheme="https"
    )


# At the fields of a channel, through the payload core.


def test_the_issue_values_are_reported_at_their_fields():
    body = push_with(
        wzrk_cid="general",
        background_image="not a url",
        large_icon="example.com",
        deep_link="javascript:alert(1)",
    )
    android = "content.platform_specific.android"
    assert messages_at(body, f"{android}.background_image") == [
        links.MEDIA_URL_NOT_WHOLE.format(value="not a url")
    ]
    assert messages_at(body, f"{android}.large_icon") == [
        links.MEDIA_URL_NOT_WHOLE.format(value="example.com")
    ]
    assert messages_at(body, f"{android}.deep_link") == [
        links.LINK_SCHEME_REFUSED.format(scheme="javascript")
    ]
    error = next(e for e in payload_checks.errors(body, channel="push") if "deep_link" in e.where)
    assert error.field == "content-android_deep_link"
    assert payload_checks.round_trips(body, channel="push")


def test_a_wrong_link_is_not_also_reported_as_missing():
    body = PUSH | {
        "target_mode": "webpush",
        "content": {
            "title": "Sale",
            "body": "Now on",
            "platform_specific": {"chrome": {"cta_title1": "Shop", "cta_link1": "shop"}},
        },
    }
    where = "content.platform_specific.chrome.cta_link1"
    assert payload_checks.messages_at(body, where, channel="webpush") == []
    found = payload_checks.warnings_at(body, where, channel="webpush")
    assert found == [links.LINK_NOT_WHOLE.format(value="shop")]


MEDIA, LINK = links.MediaUrlField, links.LinkField
PUSH_ANDROID, PUSH_IOS = "content.platform_specific.android", "content.platform_specific.ios"
PUSH_FIELDS = {
    f"{PUSH_ANDROID}.background_image": MEDIA,
    f"{PUSH_ANDROID}.large_icon": MEDIA,
    f"{PUSH_ANDROID}.deep_link": LINK,
    f"{PUSH_ANDROID}.wzrk_acts[*].dl": LINK,
    f"{PUSH_IOS}.ct_mediaUrl": MEDIA,
    f"{PUSH_IOS}.deep_link": LINK,
    f"{PUSH_IOS}.ct_ContentSlider.items[*].imageUrl": MEDIA,
    f"{PUSH_IOS}.ct_ContentSlider.items[*].actionUrl": LINK,
}
WEB = "content.platform_specific"
WEBPUSH_FIELDS = {
    **{f"{WEB}.{browser}.icon": MEDIA for browser in ("chrome", "firefox", "kaios")},
    **{f"{WEB}.{browser}.deep_link": LINK for browser in ("chrome", "firefox", "safari", "kaios")},
    f"{WEB}.chrome.image": MEDIA,
    **{f"{WEB}.chrome.cta_iconlink{n}": MEDIA for n in (1, 2)},
    **{f"{WEB}.chrome.cta_link{n}": LINK for n in (1, 2)},
}
INBOX_FIELDS = {
    "content[*].media.url": MEDIA,
    "content[*].icon.url": MEDIA,
    **{f"content[*].action.url.{os}.text": LINK for os in ("android", "ios")},
    **{f"content[*].action.links[*].url.{os}.text": LINK for os in ("android", "ios")},
}
URL_FIELDS = {
    (Api.TARGETS, "push"): PUSH_FIELDS,
    (Api.SEND, "push"): PUSH_FIELDS,
    (Api.TARGETS, "webpush"): WEBPUSH_FIELDS,
    (Api.SEND, "webpush"): WEBPUSH_FIELDS,
    (Api.TARGETS, "whatsapp"): {"content.header.media.url": MEDIA},
    (Api.SEND, "whatsapp"): {
        "content.template.header.media.url": MEDIA,
        "content.freeform.body.media.url": MEDIA,
    },
    (Api.TARGETS, "notificationinbox"): INBOX_FIELDS,
}


@pytest.mark.parametrize(
    ("api", "channel"),
    [(api, channel) for api in Api.values for channel in registry.CHANNELS],
)
def test_every_image_and_link_field_of_every_channel_is_one_of_the_two_kinds(api, channel):
    if registry.not_offered(api, channel):
        return
    found = {
        shown(pattern): type(field)
        for pattern, (_, field) in payloads.schema_index(api, channel).fields.items()
        if isinstance(field, MEDIA | LINK)
    }
    assert found == URL_FIELDS.get((api, channel), {})


def shown(pattern: tuple) -> str:
    """A field's path pattern as written above: `content[*].media.url`."""
    return format_path(tuple(0 if part == "*" else part for part in pattern)).replace("[0]", "[*]")


def test_links_and_images_are_checked_in_send_bodies_too():
    body = {
        "to": {"Identity": ["a"]},
        "content": {
            "title": "t",
            "body": "b",
            "platform_specific": {"ios": {"ct_mediaUrl": "x.png"}},
        },
    }
    errors = payloads.body_errors(body, api=Api.SEND, channel="push", options=None)
    assert [e.message for e in errors if e.where.endswith("ct_mediaUrl")] == [
        links.MEDIA_URL_NOT_WHOLE.format(value="x.png")
    ]
