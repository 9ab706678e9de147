"""Liquid as CleverTap documents it: the one language the composer checks and previews.

CleverTap adapted Shopify's Liquid and supports "only the terms identified in our
documentation" (../shared/reference/CLEVERTAP-READS.md, section 5), so the environment here
starts from python-liquid's standard one and keeps exactly the documented tags and filters, plus
CleverTap's own `{% abort %}`. Everything else fails to parse (an unknown tag) or is reported by
the checks (an unknown filter). Rendering is for previews only: the request body is never
rendered, CleverTap renders it at send time.
"""

import dataclasses
import functools
import urllib.parse
from collections.abc import Mapping
from typing import TextIO

import liquid
from liquid import builtin
from liquid.ast import Node
from liquid.context import RenderContext
from liquid.exceptions import LiquidError
from liquid.static_analysis import TemplateAnalysis
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG

from campaigns.models.drafts import Api, Channel

# The documented tags (with the parts of their blocks python-liquid registers under their own
# names): if/elsif/else, unless, case/when, for with break and continue, tablerow, assign, raw,
# comment (`raw` is read by the lexer, not a tag).
DOCUMENTED_TAGS = frozenset(
    {"if", "unless", "case", "for", "break", "continue", "tablerow", "assign", "comment"}
)
# python-liquid's handlers of plain text, `{{ }}` and an unknown tag (which it refuses).
_TEXT_OUTPUT_UNKNOWN = frozenset({"content", "output", "illegal"})
ABORT_TAG = "abort"
DOCUMENTED_FILTERS = frozenset(
    {
        "default",
        "minus",
        "plus",
        "times",
        "divided_by",
        "round",
        "modulo",
        "at_least",
        "at_most",
        "first",
        "last",
        "split",
        "strip",
        "lstrip",
        "rstrip",
        "strip_html",
        "strip_newlines",
        "upcase",
        "downcase",
        "capitalize",
        "url_encode",
        "url_escape",
        "url_param_escape",
        "date",
    }
)
# The objects an API campaign may use: profile properties and the campaign's id. Event
# properties are documented for live-behaviour campaigns only, which the API cannot create.
PROFILE = "Profile"
CAMPAIGN = "Campaign"
CAMPAIGN_ID = "campaignId"
EVENT = "Event"
API_OBJECTS = frozenset({PROFILE, CAMPAIGN})


def _url_escape(value: object) -> str:
    # Shopify's url_escape keeps the characters a URL may carry; url_param_escape also escapes
    # the ones that split a query string.
    return urllib.parse.quote(str(value), safe="/:?#[]@!$&'()*+,;=-._~")


def _url_param_escape(value: object) -> str:
    return urllib.parse.quote(str(value), safe="/:?#[]@!$'()*+,;-._~")


class Aborted(Exception):
    """`{% abort %}` ran: CleverTap cancels the message for this person."""


class _AbortNode(Node):
    def __str__(self) -> str:
        return "{% abort %}"

    def render_to_output(self, _context: RenderContext, _buffer: TextIO) -> int:
        raise Aborted


class _AbortTag(Tag):
    name = ABORT_TAG
    block = False

    def parse(self, stream: TokenStream) -> Node:
        stream.expect(TOKEN_TAG, value=ABORT_TAG)
        return _AbortNode(stream.current)


class CleverTapLiquid(liquid.Environment):
    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        builtin.register(self)
        self.tags = {
            name: tag
            for name, tag in self.tags.items()
            if name in DOCUMENTED_TAGS or name in _TEXT_OUTPUT_UNKNOWN
        }
        self.add_tag(_AbortTag)
        self.filters = {
            name: func for name, func in self.filters.items() if name in DOCUMENTED_FILTERS
        }
        self.add_filter("url_escape", _url_escape)
        self.add_filter("url_param_escape", _url_param_escape)


ENVIRONMENT = CleverTapLiquid()


def rendered_by_clevertap(*, api: str, channel: str, liquid_api_beta: bool) -> bool:
    """Whether CleverTap renders Liquid in this draft: only in push campaigns created by events
    and properties, and only for accounts in its private beta. Elsewhere the tags go literally."""
    return liquid_api_beta and api == Api.TARGETS and channel == Channel.PUSH


def has_liquid(text: str) -> bool:
    return "{{" in text or "{%" in text


@functools.lru_cache(maxsize=1024)
def parse(text: str) -> liquid.BoundTemplate:
    """The parsed template; raises `LiquidError` (its `token` locates the problem).

    An undocumented filter parses: see `undocumented_filters`.
    """
    return ENVIRONMENT.from_string(text)


@functools.lru_cache(maxsize=1024)
def analysis(text: str) -> TemplateAnalysis | None:
    """What the parsed `text` uses (variables, filters, tags); None when it does not parse.

    Cached like `parse`: the checks, the filters and the previews all ask, on every keystroke.
    """
    try:
        return parse(text).analyze()
    except LiquidError:
        return None


@dataclasses.dataclass(frozen=True)
class Rendering:
    text: str
    # The profile properties the text reads that this person does not have.
    missing: tuple[str, ...] = ()
    aborted: bool = False
    # The text does not parse: it is shown as typed (the checks say why).
    failed: bool = False


def profile_properties(text: str) -> tuple[str, ...]:
    """The profile properties `text` reads, in order of first use."""
    seen: dict[str, None] = {}
    for variable in _variables(text):
        if len(variable.segments) > 1 and variable.segments[0] == PROFILE:
            seen.setdefault(str(variable.segments[1]), None)
    return tuple(seen)


def render(
    text: str, profile: Mapping[str, object] | None = None, *, campaign_id: str = ""
) -> Rendering:
    """`text` as the person with `profile` would read it (no person: every default shows)."""
    if not has_liquid(text):
        return Rendering(text)
    try:
        template = parse(text)
    except LiquidError:
        return Rendering(text, failed=True)
    properties = dict(profile or {})
    missing = tuple(name for name in profile_properties(text) if properties.get(name) in (None, ""))
    try:
        rendered = template.render(**{PROFILE: properties, CAMPAIGN: {CAMPAIGN_ID: campaign_id}})
    except Aborted:
        return Rendering("", missing=missing, aborted=True)
    except LiquidError:
        return Rendering(text, missing=missing, failed=True)
    return Rendering(rendered, missing=missing)


def undocumented_filters(text: str) -> list[tuple[str, int]]:
    """Each filter `text` uses that CleverTap does not document, with its index in `text`.

    python-liquid parses any filter name and refuses an unknown one only when rendering.
    """
    used = analysis(text)
    if used is None:
        return []
    found = [
        (name, span.index)
        for name, spans in used.filters.items()
        if name not in ENVIRONMENT.filters
        for span in spans
    ]
    return sorted(found, key=lambda name_index: name_index[1])


def _variables(text: str):
    used = analysis(text)
    if used is None:
        return []
    return [variable for found in used.variables.values() for variable in found]
