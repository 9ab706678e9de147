"""Web push: content (title and message, and each browser's settings), the preview of a
notification per browser, and the one table of browsers that everything else is derived from.

Each browser gets the keys it can use: Chrome everything the reference shows (image, icon, link,
time to live, require interaction and two call-to-action buttons), Firefox icon, link and time to
live, Safari link and time to live, KaiOS icon, link, time to live and its key-values (kaiosKV).
Other keys under a browser are kept as they are, in Additional fields.
"""

from dataclasses import dataclass

from campaigns import previews
from campaigns.forms import fields, links
from campaigns.forms.base import PayloadForm
from campaigns.forms.layout import fieldsets
from campaigns.forms.options import AccountOptions
from campaigns.jsonpath import Path
from campaigns.models import Channel

TITLE_REQUIRED = "A web push notification needs a title."
BODY_REQUIRED = "A web push notification needs a message."
TTL_NEGATIVE = "The time to live cannot be negative."
CTA_TITLE_REQUIRED = "Button {number} has a link or an icon but no title."
CTA_LINK_REQUIRED = "Button {number} has a title but no link."
CTA_SECOND_WITHOUT_FIRST = "Fill in the first button before the second."

PLATFORMS: Path = ("content", "platform_specific")
CTA_PARTS = ("title", "link", "iconlink")


@dataclass(frozen=True)
class Browser:
    label: str
    # The form has settings for it, under content.platform_specific.<name>.
    settings: bool
    # CleverTap's estimate answers a count for it.
    estimated: bool


BROWSERS = {
    "chrome": Browser("Chrome", settings=True, estimated=True),
    "firefox": Browser("Firefox", settings=True, estimated=True),
    "safari": Browser("Safari", settings=True, estimated=True),
    "edge": Browser("Edge", settings=False, estimated=True),
    "kaios": Browser("KaiOS", settings=True, estimated=False),
}
SETTINGS_BROWSERS = tuple(name for name, browser in BROWSERS.items() if browser.settings)


def _deep_link():
    return links.LinkField(label="Link when clicked")


def _icon():
    return links.MediaUrlField(label="Icon URL")


def _ttl():
    return fields.IntegerField(label="Time to live", help_text="A whole number.")


def _cta(number: int, part: str):
    labels = {"title": "Button {n} title", "link": "Button {n} link", "iconlink": "Button {n} icon"}
    label = labels[part].format(n=number)
    kind = {"title": fields.TextField, "link": links.LinkField, "iconlink": links.MediaUrlField}
    return kind[part](label=label, max_length=2000)


class WebPushContentForm(PayloadForm):
    title = fields.TextField(label="Title", max_length=1000)
    body = fields.TextField(label="Message", textarea=True)

    chrome_image = links.MediaUrlField(label="Image URL")
    chrome_icon = _icon()
    chrome_deep_link = _deep_link()
    chrome_ttl = _ttl()
    chrome_require_interaction = fields.BooleanField(label="Stay until clicked or closed")
    chrome_cta_title1 = _cta(1, "title")
    chrome_cta_link1 = _cta(1, "link")
    chrome_cta_iconlink1 = _cta(1, "iconlink")
    chrome_cta_title2 = _cta(2, "title")
    chrome_cta_link2 = _cta(2, "link")
    chrome_cta_iconlink2 = _cta(2, "iconlink")

    firefox_icon = _icon()
    firefox_deep_link = _deep_link()
    firefox_ttl = _ttl()

    safari_deep_link = _deep_link()
    safari_ttl = _ttl()

    kaios_icon = _icon()
    kaios_deep_link = _deep_link()
    kaios_ttl = _ttl()
    kaios_kv = fields.KeyValueField(label="Key-values")

    counted = ("title", "body")
    paths = {
        "title": ("content", "title"),
        "body": ("content", "body"),
        "chrome_image": (*PLATFORMS, "chrome", "image"),
        "chrome_icon": (*PLATFORMS, "chrome", "icon"),
        "chrome_deep_link": (*PLATFORMS, "chrome", "deep_link"),
        "chrome_ttl": (*PLATFORMS, "chrome", "ttl"),
        "chrome_require_interaction": (*PLATFORMS, "chrome", "require_interaction"),
        "chrome_cta_title1": (*PLATFORMS, "chrome", "cta_title1"),
        "chrome_cta_link1": (*PLATFORMS, "chrome", "cta_link1"),
        "chrome_cta_iconlink1": (*PLATFORMS, "chrome", "cta_iconlink1"),
        "chrome_cta_title2": (*PLATFORMS, "chrome", "cta_title2"),
        "chrome_cta_link2": (*PLATFORMS, "chrome", "cta_link2"),
        "chrome_cta_iconlink2": (*PLATFORMS, "chrome", "cta_iconlink2"),
        "firefox_icon": (*PLATFORMS, "firefox", "icon"),
        "firefox_deep_link": (*PLATFORMS, "firefox", "deep_link"),
        "firefox_ttl": (*PLATFORMS, "firefox", "ttl"),
        "safari_deep_link": (*PLATFORMS, "safari", "deep_link"),
        "safari_ttl": (*PLATFORMS, "safari", "ttl"),
        "kaios_icon": (*PLATFORMS, "kaios", "icon"),
        "kaios_deep_link": (*PLATFORMS, "kaios", "deep_link"),
        "kaios_ttl": (*PLATFORMS, "kaios", "ttl"),
        "kaios_kv": (*PLATFORMS, "kaios", "kaiosKV"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list[str]] = {}
        for name in self.fields:
            browser = BROWSERS.get(name.split("_")[0])
            groups.setdefault(browser.label if browser else "Message", []).append(name)
        fieldsets(self, groups)

    def clean(self):
        data = super().clean()
        for name, message in [("title", TITLE_REQUIRED), ("body", BODY_REQUIRED)]:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        for browser in SETTINGS_BROWSERS:
            if (data.get(f"{browser}_ttl") or 0) < 0:
                self.add_error(f"{browser}_ttl", TTL_NEGATIVE)
        self._clean_buttons(data)
        return data

    def _clean_buttons(self, data):
        filled = {}
        for number in (1, 2):
            # What was typed, valid or not: a wrong link is a link, with its own message.
            title, link, icon = (self.raw(f"chrome_cta_{part}{number}") for part in CTA_PARTS)
            filled[number] = bool(title or link or icon)
            if (link or icon) and not title:
                message = CTA_TITLE_REQUIRED.format(number=number)
                self.add_error(f"chrome_cta_title{number}", message)
            if title and not link:
                self.add_error(f"chrome_cta_link{number}", CTA_LINK_REQUIRED.format(number=number))
        if filled[2] and not filled[1]:
            self.add_error("chrome_cta_title1", CTA_SECOND_WITHOUT_FIRST)


# The preview: a notification for each browser the body has settings for (Chrome without any), cut
# where that browser's collapsed notification cuts, and the title's and message's length.

# Where browsers cut a notification (UX.md §5): Chrome on Android title 35, message 50 (Braze's
# message format page); the others from a third party (getfirepush.com's push character limits).
# A web push reaches every browser, so every cut counts. The Create Campaign API documents no limit
# for content.title or content.body, so they are guidance only.
TITLE_CUTS = [
    previews.Cut("safari", "Safari on macOS", 30),
    previews.Cut("chrome", "Chrome on macOS and Android", 35),
    previews.Cut("chrome", "Chrome on Windows", 50),
]
BODY_CUTS = [
    previews.Cut("chrome", "Chrome on Android", 50),
    previews.Cut("chrome", "Chrome on macOS", 80),
    previews.Cut("safari", "Safari on macOS and Chrome on Windows", 120),
]


def preview(
    body: dict, *, options: AccountOptions | None = None, remote_images: bool = False
) -> dict:
    content = previews.at(body, "content", kind=dict) or {}
    platforms = previews.at(content, "platform_specific", kind=dict) or {}
    browsers = [name for name in platforms if isinstance(platforms[name], dict)] or ["chrome"]
    title, message = previews.text_at(content, "title"), previews.text_at(content, "body")
    cards = []
    for name in browsers:
        settings = platforms.get(name) if isinstance(platforms.get(name), dict) else {}
        buttons = [
            previews.Button(
                previews.text_at(settings, f"cta_title{n}"),
                previews.text_at(settings, f"cta_link{n}"),
            )
            for n in (1, 2)
            if previews.text_at(settings, f"cta_title{n}")
        ]
        cards.append(
            {
                "browser": name,
                "title": previews.cut_text(title, TITLE_CUTS, name),
                "message": previews.cut_text(message, BODY_CUTS, name),
                "icon": previews.image_at(settings, "icon", alt="Icon"),
                "image": previews.image_at(settings, "image"),
                "link": previews.text_at(settings, "deep_link"),
                "buttons": buttons,
                "sticky": previews.at(settings, "require_interaction") is True,
            }
        )
    counters = {
        "title": previews.length_counter(title, what="title", cuts=TITLE_CUTS),
        "body": previews.length_counter(message, what="message", cuts=BODY_CUTS),
    }
    return {"cards": cards, "counters": counters}


# What the channel registry reads (campaigns/channels/registry.py says what each is).

CHANNEL = Channel.WEBPUSH
DESCRIPTION = "A notification in the web browser, on computers and phones"
TARGETS_FORM = WebPushContentForm
SEND_FORM = WebPushContentForm
PARTIAL = "webpush"
ESTIMATE_KEYS = tuple(name for name, browser in BROWSERS.items() if browser.estimated)
SEND_MARKS = {
    **{(*PLATFORMS, name): 4 for name in SETTINGS_BROWSERS},
    ("content", "title"): 2,
}
