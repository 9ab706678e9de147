"""Image addresses and links: the two kinds of URL field every channel has, each defined once.

A device or a provider fetches an image (or a video, an audio file, a document): it needs a whole
web address, `https://host/...` (or `http://`). A tap opens a link: a web page or an app's deep link
(`myapp://item/1`), never script or inline content (`javascript:`, `data:`, `vbscript:`).

Values are read as browsers read them: tabs and line breaks anywhere, and spaces and control
characters around, do not count (`java\tscript:` is `javascript:`). Previews load an image only
when it is a whole `https://` address (`loadable`); anything else would be fetched from the app
itself, or be blocked by the page's policy.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from campaigns.forms import fields

MEDIA_URL_NOT_WHOLE = (
    "“{value}” is not a whole web address: write it with https:// and the host, like "
    "https://example.com/image.jpg."
)
MEDIA_URL_SCHEME = (
    "This is fetched from the web: start it with https:// (or http://), not {scheme}:"
)
URL_NO_HOST = "“{value}” has no host after {scheme}:// (write it like https://example.com/...)."
LINK_NOT_WHOLE = (
    "“{value}” is not a whole link: CleverTap sends it as typed, but a phone or browser may not "
    "open it. Start it with https:// for a web page, or with your app's scheme for a deep link "
    "(like myapp://home)."
)
LINK_SCHEME_REFUSED = (
    "A link may not start with {scheme}: (it would run script or carry inline content); use "
    "https:// for a web page or your app's scheme for a deep link."
)

WEB_SCHEMES = ("http", "https")
REFUSED_LINK_SCHEMES = ("javascript", "data", "vbscript")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))


def problem(value: str, *, link: bool) -> str:
    """What is wrong with an image address (`link` False) or a link (`link` True), or ""."""
    cleaned = _as_browsers_read(value)
    match = _SCHEME.fullmatch(cleaned)
    if match is None or (link and not match[2]):
        return "" if link else MEDIA_URL_NOT_WHOLE.format(value=value)
    scheme = match[1].lower()
    if scheme in WEB_SCHEMES:
        return "" if _host(cleaned) else URL_NO_HOST.format(value=value, scheme=scheme)
    if not link:
        return MEDIA_URL_SCHEME.format(scheme=scheme)
    return LINK_SCHEME_REFUSED.format(scheme=scheme) if scheme in REFUSED_LINK_SCHEMES else ""


def link_warning(value: str) -> str:
    """What may go wrong with a link CleverTap accepts, or "": one without a scheme, like
    "example.com" (CleverTap's own examples and its client's send such deep links, and CleverTap
    queues them), is sent as typed, and a device may not know what to open."""
    match = _SCHEME.fullmatch(_as_browsers_read(value))
    return LINK_NOT_WHOLE.format(value=value) if match is None or not match[2] else ""


def loadable(value: str) -> bool:
    """Whether a preview may load this image: a whole https:// address, as the page's policy
    allows (`img-src https:`), never a path the browser would ask the app itself for."""
    cleaned = _as_browsers_read(value)
    return cleaned.lower().startswith("https:") and not problem(value, link=False)


def _as_browsers_read(value: str) -> str:
    return re.sub(r"[\t\n\r]", "", value).strip(_C0_OR_SPACE)


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # a malformed port or IPv6 address
        return None


def _validate_media_url(value: str) -> None:
    if message := problem(value, link=False):
        raise ValidationError(message, code="media_url")


def _validate_link(value: str) -> None:
    if message := problem(value, link=True):
        raise ValidationError(message, code="link")


class MediaUrlField(fields.TextField):
    """An image, video, audio file or document fetched from the web: a whole http(s) address."""

    default_validators = [_validate_media_url]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)


class LinkField(fields.TextField):
    """What a tap opens: a web page (http, https) or an app's deep link (myapp://...)."""

    default_validators = [_validate_link]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def warning(self, value: object) -> str:
        """Said beside a valid value (PayloadForm.full_clean)."""
        return link_warning(value) if isinstance(value, str) and value else ""
