"""What the composer says of Liquid where it is typed: pure rules over one field's text.

Where CleverTap renders Liquid (`personalization.rendered_by_clevertap`, in the fields it
personalizes) a text is checked as CleverTap would: it must parse, read only `Profile.<property>`
and `Campaign.campaignId`, use only documented filters, and give every profile output a
`| default:` (CleverTap's API examples always carry one; a person without the property would
otherwise get an empty value). Everywhere else Liquid and the dashboard's `@Profile` style are
sent as typed, which is a warning (CLEVERTAP-READS.md section 5).
"""

import re
from collections.abc import Iterator, Mapping

from liquid.builtin.expressions.filtered import FilteredExpression, TernaryFilteredExpression
from liquid.builtin.expressions.path import Path
from liquid.builtin.output import OutputNode
from liquid.context import RenderContext
from liquid.exceptions import LiquidError

from campaigns import personalization
from campaigns.models.drafts import Api, Channel

SYNTAX_ERROR = "The Liquid at {where} does not parse: {reason}. CleverTap refuses the campaign."
UNKNOWN_TAG = "“{name}” is not a Liquid tag CleverTap documents"
# python-liquid's own reasons, said in words (any other reason is shown as it comes).
NOT_CLOSED_OUTPUT = "a “{{” is not closed with “}}”"
NOT_CLOSED_BLOCK = "the block is not closed: add “{{% {name} %}}” where it ends"
NOTHING_INSIDE = "a tag has nothing to show or test inside it"
NO_FILTER_NAME = "a “|” has no filter name after it"
UNKNOWN_OBJECT = (
    "“{name}” at {where} is not something CleverTap knows in an API campaign: use "
    "Profile.<property> (e.g. Profile.Name) or Campaign.campaignId."
)
UNKNOWN_CAMPAIGN_FIELD = (
    "“{name}” at {where}: of the campaign, CleverTap gives only Campaign.campaignId."
)
EVENT_PROPERTY = (
    "“{name}” at {where} is an event property: API campaigns cannot use event properties "
    "(CleverTap fills them only in live-behaviour campaigns). Use a profile property instead."
)
UNDOCUMENTED_FILTER = (
    "The filter “{name}” at {where} is not one CleverTap documents, so it refuses it; use "
    "one of: {filters}."
)
NO_DEFAULT = (
    "“{output}” at {where} has no default: people without {name} would get an empty value. "
    'Add one, like {{{{ {tag} | default: "there" }}}}.'
)
SAMPLE_LACKS = " {share}% of the sample audience has no {name}."
LITERAL = "CleverTap will send “{found}” as typed, not personalized: {reason}."
WHY_BETA_OFF = (
    "this account does not have CleverTap's Liquid beta for API campaigns (see the account "
    "settings)"
)
WHY_SEND = "a send by identity does not render Liquid; only campaigns by events and properties do"
WHY_CHANNEL = "CleverTap renders Liquid in API campaigns for push only"
WHY_FIELD = (
    "in push CleverTap personalizes only the title, message, links, image URLs and button texts"
)
WHY_NOT_RENDERED = (
    "CleverTap renders Liquid only in push campaigns created through the API by accounts in "
    "its Liquid beta"
)
# The tag suggested carries a default: one without is an error of its own.
WHY_AT_PROFILE = (
    "the dashboard's @Profile style is not read by the API: write "
    '{{ Profile.Name | default: "there" }} instead'
)

AT_PROFILE = re.compile(r"@\s*Profile\b[^\n]{0,30}")
_MARKUP = re.compile(r"\{\{.*?(\}\}|$)|\{%.*?(%\}|$)", re.DOTALL)
_BLOCK_OPENED = re.compile(r"\{%-?\s*(if|unless|case|for|tablerow)\b")
_SHOWN = 40


def literal_reason(*, api: str, channel: str, liquid_api_beta: bool) -> str:
    """Why CleverTap would send Liquid in this draft as typed, or "" where it renders it."""
    if personalization.rendered_by_clevertap(
        api=api, channel=channel, liquid_api_beta=liquid_api_beta
    ):
        return ""
    if api != Api.TARGETS:
        return WHY_SEND
    return WHY_CHANNEL if channel != Channel.PUSH else WHY_BETA_OFF


def profile_tag(name: str) -> str:
    """How Liquid names a profile property: `Profile.Name`, or `Profile["Customer Type"]`."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
        return f"{personalization.PROFILE}.{name}"
    return f'{personalization.PROFILE}["{name}"]'


def where(text: str, index: int) -> str:
    """A position in words: the character in a one-line text, else its line and column."""
    index = max(0, min(index, len(text)))
    if "\n" not in text:
        return f"character {index + 1}"
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def literal_warning(text: str, *, reason: str) -> str:
    """The warning for Liquid or `@Profile` text that CleverTap would send as typed, or ""."""
    if not isinstance(text, str):
        return ""
    if personalization.has_liquid(text):
        found = _MARKUP.search(text)
        shown = found.group(0) if found else text
        return LITERAL.format(found=_short(shown), reason=reason or WHY_NOT_RENDERED)
    return at_profile_warning(text)


def at_profile_warning(text: str) -> str:
    """The warning for the dashboard's `@Profile` style, which the API never reads, or ""."""
    if isinstance(text, str) and (found := AT_PROFILE.search(text)):
        return LITERAL.format(found=_short(found.group(0).strip()), reason=WHY_AT_PROFILE)
    return ""


def liquid_errors(text: str, *, sample_missing: Mapping[str, float] | None = None) -> list[str]:
    """What the composer refuses in a field CleverTap personalizes, each with its position, in
    words: what CleverTap refuses (`clevertap_refuses`), and outputs without a default.

    `sample_missing`: the share (0 to 1) of the sample audience lacking each profile property,
    where there is a sample; None leaves the shares out.
    """
    return [message for _, message, _ in _problems(text, sample_missing)]


def clevertap_refuses(text: str) -> bool:
    """Whether CleverTap refuses this text at create (the sandbox answers as it does): Liquid
    that does not parse or uses what CleverTap does not document. A missing default is
    accepted (the person gets an empty value)."""
    return any(refused for _, _, refused in _problems(text, None))


def _problems(text, sample_missing) -> list[tuple[int, str, bool]]:
    """(index, message, whether CleverTap refuses it), in the order they are found in the text."""
    if not isinstance(text, str) or not personalization.has_liquid(text):
        return []
    try:
        template = personalization.parse(text)
    except LiquidError as error:
        return [(0, _syntax_error(text, error), True)]
    problems: list[tuple[int, str, bool]] = []
    for root, variables in personalization.analysis(text).globals.items():
        for variable in variables:
            problems += [(*found, True) for found in _object_problem(text, root, variable)]
    for name, index in personalization.undocumented_filters(text):
        filters = ", ".join(sorted(personalization.ENVIRONMENT.filters))
        message = UNDOCUMENTED_FILTER.format(name=name, where=where(text, index), filters=filters)
        problems.append((index, message, True))
    for output, name, index in _outputs_without_default(template):
        message = NO_DEFAULT.format(
            output=_short(output), where=where(text, index), name=name, tag=profile_tag(name)
        )
        if sample_missing is not None:
            share = round(100 * sample_missing.get(name, 1.0))
            message += SAMPLE_LACKS.format(share=share, name=name)
        problems.append((index, message, False))
    return sorted(problems, key=lambda problem: problem[0])


def _object_problem(text: str, root: str, variable) -> list[tuple[int, str]]:
    index = variable.span.index
    segments = [str(segment) for segment in variable.segments]
    name = ".".join(segments)
    if root == personalization.PROFILE and len(segments) > 1:
        return []
    if root == personalization.CAMPAIGN:
        if segments[1:] == [personalization.CAMPAIGN_ID]:
            return []
        return [(index, UNKNOWN_CAMPAIGN_FIELD.format(name=name, where=where(text, index)))]
    if root == personalization.EVENT:
        return [(index, EVENT_PROPERTY.format(name=name, where=where(text, index)))]
    return [(index, UNKNOWN_OBJECT.format(name=name, where=where(text, index)))]


def _outputs_without_default(template) -> Iterator[tuple[str, str, int]]:
    """Each `{{ Profile.<name> ... }}` with no `default` filter: its text, property, index."""
    context = RenderContext(template)
    for node in _walk(template.nodes, context):
        if not isinstance(node, OutputNode):
            continue
        expression = node.expression
        filters = list(getattr(expression, "filters", None) or [])
        if isinstance(expression, TernaryFilteredExpression):
            filters += list(expression.tail_filters or [])
            expression = expression.left
        left = expression.left if isinstance(expression, FilteredExpression) else expression
        if isinstance(expression, FilteredExpression):
            filters += list(expression.filters or [])
        if not isinstance(left, Path) or len(left.path) < 2:
            continue
        if str(left.path[0]) != personalization.PROFILE:
            continue
        if any(found.name == "default" for found in filters):
            continue
        yield str(node), str(left.path[1]), node.token.start_index


def _walk(nodes, context) -> Iterator:
    for node in nodes:
        yield node
        yield from _walk(node.children(context, include_partials=False), context)


def _syntax_error(text: str, error: LiquidError) -> str:
    index = getattr(error.token, "start_index", -1) if error.token else -1
    reason = error.message if hasattr(error, "message") else str(error)
    reason = _in_words(reason or "")
    if index < 0:
        index = _failing_markup(text)
    return SYNTAX_ERROR.format(where=where(text, index), reason=reason)


def _in_words(reason: str) -> str:
    """python-liquid's reason for a parse error, in a marketer's words where it is a common one."""
    if tag := re.fullmatch(r"unexpected tag '(?P<name>[^']*)'", reason):
        return UNKNOWN_TAG.format(name=tag["name"])
    if closing := re.fullmatch(r"expected tag (?P<name>end\w+), found .*", reason):
        return NOT_CLOSED_BLOCK.format(name=closing["name"])
    if re.fullmatch(r"expected '}}', found .*", reason):
        return NOT_CLOSED_OUTPUT
    if reason == "missing expression" or reason.startswith("expected a primitive expression"):
        return NOTHING_INSIDE
    if reason == "expected word, found end of expression":
        return NO_FILTER_NAME
    return reason


def _failing_markup(text: str) -> int:
    """Where python-liquid gave no position: the first `{{ }}` that fails alone, else the last
    opened block tag (one that is not closed), else the end of the text."""
    for found in re.finditer(r"\{\{.*?(\}\}|$)", text, re.DOTALL):
        try:
            personalization.parse(found.group(0))
        except LiquidError:
            return found.start()
    opened = [found.start() for found in _BLOCK_OPENED.finditer(text)]
    return opened[-1] if opened else len(text)


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
