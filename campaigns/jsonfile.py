"""The one reader of JSON from outside: files, pasted text, form fields and request bodies.

Every way such JSON can be wrong gets a sentence, and nothing it holds can exhaust the server:
the size is checked before anything is read, and the depth by counting brackets before the
parser (which recurses once per level) sees the text.

What a person pastes or uploads at the import is read leniently: CleverTap's own examples carry
comments, trailing commas and a stray quote from their curl wrapping. Text that is not JSON is
read as JSON5 (the `json5` library), with the same limits and checks, and the reading says what
it forgave; text that is neither is refused with the line and column of the problem marked.
"""

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import json5

MAX_BYTES = 5 * 1024 * 1024
# CleverTap bodies nest about 8 levels; far deeper is garbage, and would exhaust recursion.
MAX_DEPTH = 32

TOO_LARGE = "{name} is {size:,} bytes; the limit is {limit:g} MB."
NOT_FOUND = "{name} does not exist."
NOT_UTF8 = "{name} is not UTF-8 text."
NOT_JSON = "{name} is not valid JSON: {error}."
NOT_A_NUMBER = "{constant} is not a JSON number"
TOO_MANY_DIGITS = "a number has {digits:,} digits, more than the {limit:,} a number may have"
TOO_DEEP = (
    "{name} is nested too deeply: more than {limit} levels of brackets, where a CleverTap "
    "request body needs about 8."
)
NUL_NOT_ALLOWED = (
    "The text contains the NUL character (\\u0000), which cannot be stored or sent: remove it."
)
LONE_SURROGATE = (
    "{name} holds half of a character (an escape like \\ud800 without its pair), which cannot "
    "be shown, stored or sent: remove it."
)
NUMBER_TOO_LARGE = (
    "{name} holds a number too large to store or send (like 1e999): write it smaller."
)
# Python's own limit on converting digits to a number.
MAX_DIGITS = 4300
# The JSON5 parser is pure Python (some 25-40 ms a kilobyte): larger text is read as JSON only.
MAX_LENIENT_BYTES = 64 * 1024

UNREADABLE = (
    "{name} is not valid JSON, even read leniently as JSON5: at line {line}, column {column}, "
    "{problem}."
)
UNREADABLE_STRICT = (
    "{name} is not valid JSON: at line {line}, column {column}, {problem}. Text over "
    "{limit} KB is read as strict JSON only (no comments, trailing commas or single quotes)."
)
ENDS_EARLY = "the text ends before the body is complete: a closing }, ] or quote is missing"
MORE_AFTER_END = (
    "the body is already complete, yet more text follows: a closing brace too many before it, "
    "or a second body"
)
CANNOT_STAND_HERE = (
    "{character} cannot stand here: a comma, colon, quote or value is missing just before it, "
    "or it is one too many"
)
CHARACTER = "“{character}”"
INVISIBLE_CHARACTER = "the invisible character U+{code:04X}"
TEXT_NOT_CLOSED = (
    "a text in quotes runs on past the end of its line: its closing quote is missing (a line "
    "break inside a text is written \\n)"
)

LENIENT_NOTICE = (
    "The body was not strict JSON, so it was read as JSON5: {changes}. The draft holds it as "
    "plain JSON."
)
REMOVED = "{forms} {verb} removed"
QUOTED = "{forms} {verb} put in double quotes"
REWRITTEN = "{forms} {verb} written as JSON"
READ_AS_SPACES = "{forms} {verb} read as plain spaces"
STRAY_QUOTE = "the stray ' after the last brace"
# What JSON5 allows and JSON does not, each as (one, several), grouped by what became of it.
FORGIVEN_FORMS = {
    REMOVED: {
        "comment": ("{count} comment", "{count} comments"),
        "trailing comma": ("{count} trailing comma", "{count} trailing commas"),
    },
    QUOTED: {
        "bare key": ("{count} key without quotes", "{count} keys without quotes"),
        "single quotes": ("{count} text in single quotes", "{count} texts in single quotes"),
    },
    REWRITTEN: {
        "number": (
            "{count} number JSON does not have (like 0x1F, +1 or .5)",
            "{count} numbers JSON does not have (like 0x1F, +1 or .5)",
        ),
        "escape": (
            "{count} escape JSON does not have (like \\x41 or \\')",
            "{count} escapes JSON does not have (like \\x41 or \\')",
        ),
        "control character": (
            "{count} control character (like a tab) inside a text",
            "{count} control characters (like tabs) inside texts",
        ),
    },
    READ_AS_SPACES: {
        "space": (
            "{count} space JSON does not have (like a non-breaking space)",
            "{count} spaces JSON does not have (like non-breaking spaces)",
        ),
    },
}

# A JSON string (escapes included), matched without backtracking.
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonFileError(ValueError):
    """JSON refused; the message says why, in words."""


class NotJson(JsonFileError):
    """Not JSON at all (not UTF-8 text, or not JSON's syntax), rather than JSON over a limit."""


class Unreadable(NotJson):
    """Text that no lenient reading could read, with the place it went wrong."""

    def __init__(self, message: str, *, excerpt: "Excerpt"):
        super().__init__(message)
        self.excerpt = excerpt


@dataclass(frozen=True)
class Reading:
    document: Any
    # What a lenient reading forgave, in words; None when the text was JSON.
    notice: str | None = None


def load_json_file(path: str, *, storable: bool = False) -> Any:
    return read_json_file(path, storable=storable).document


def load_json_bytes(raw: bytes, *, name: str = "The file", storable: bool = False) -> Any:
    return read_json_bytes(raw, name=name, storable=storable).document


def load_json_text(text: str, *, name: str = "The text", storable: bool = False) -> Any:
    return read_json_text(text, name=name, storable=storable).document


def read_json_file(path: str, *, storable: bool = False, lenient: bool = False) -> Reading:
    file = Path(path)
    if not file.is_file():
        raise JsonFileError(NOT_FOUND.format(name=path))
    size_check(file.stat().st_size, name=path)
    return read_json_bytes(file.read_bytes(), name=path, storable=storable, lenient=lenient)


def read_json_bytes(
    raw: bytes, *, name: str = "The file", storable: bool = False, lenient: bool = False
) -> Reading:
    """The JSON document in `raw`: UTF-8 text (a byte order mark allowed), as `read_json_text`
    reads it."""
    size_check(len(raw), name=name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotJson(NOT_UTF8.format(name=name)) from None
    return read_json_text(text, name=name, storable=storable, lenient=lenient)


def read_json_text(
    text: str, *, name: str = "The text", storable: bool = False, lenient: bool = False
) -> Reading:
    """The JSON document in `text`. Never a half character (a lone surrogate escape: no page can
    show it); with `storable`, never the NUL character nor a number too large for a float
    (1e999), which the database cannot store.

    `lenient`, for what a person pastes or uploads: text that is not JSON is read as JSON5 (and
    a stray quote after the last brace dropped), the reading's notice says what was forgiven,
    and text that is neither raises `Unreadable` with the place marked.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    size_check(size, name=name)
    text = text.removeprefix("\ufeff")
    if _json5_too_deep(text) if lenient else too_deep(text):
        raise JsonFileError(TOO_DEEP.format(name=name, limit=MAX_DEPTH))
    notice = None
    try:
        document = json.loads(text, parse_constant=_not_a_number, parse_int=_integer)
    except _Refused as error:
        raise NotJson(NOT_JSON.format(name=name, error=error)) from None
    except RecursionError:
        raise JsonFileError(TOO_DEEP.format(name=name, limit=MAX_DEPTH)) from None
    except json.JSONDecodeError as error:
        if not lenient:
            raise NotJson(NOT_JSON.format(name=name, error=error)) from None
        if size > MAX_LENIENT_BYTES:
            complete = _complete_before(text, error.pos)
            raise _unreadable(
                UNREADABLE_STRICT, text, error.pos, name=name, complete=complete
            ) from None
        document, notice = _read_json5(text, name=name)
    _check_values(document, name=name, storable=storable)
    return Reading(document, notice)


def _complete_before(text: str, position: int) -> bool:
    """Whether a whole JSON value ends before `position`, where reading stopped."""
    start = len(text) - len(text.lstrip())
    try:
        end = json.JSONDecoder().raw_decode(text, start)[1]
    except ValueError:
        return False
    return end <= position


def _check_values(document: Any, *, name: str, storable: bool) -> None:
    for node in _nodes(document):
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise JsonFileError(LONE_SURROGATE.format(name=name))
            if storable and "\x00" in node:
                raise JsonFileError(NUL_NOT_ALLOWED)
        elif storable and isinstance(node, float) and not math.isfinite(node):
            raise JsonFileError(NUMBER_TOO_LARGE.format(name=name))


def size_check(size: int, *, name: str, limit: int = MAX_BYTES) -> None:
    if size > limit:
        raise JsonFileError(TOO_LARGE.format(name=name, size=size, limit=limit / 2**20))


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the text's brackets, outside its strings, nest deeper than `limit`: counted
    without recursion and without parsing, so the parser never meets such a text."""
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def has_nul(document: Any) -> bool:
    """Whether a key or text holds U+0000, which PostgreSQL's JSON cannot store."""
    return any(isinstance(node, str) and "\x00" in node for node in _nodes(document))


def _nodes(document: Any) -> Iterator[Any]:
    """Every value and key in the document, without recursion."""
    stack = [document]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


class _Refused(Exception):
    """A number the reader refuses. Not a ValueError: the JSON5 parser would swallow that."""


def _not_a_number(constant: str) -> Any:
    # Python reads NaN and Infinity; JSON has no such numbers, and no database stores them.
    raise _Refused(NOT_A_NUMBER.format(constant=constant))


def _integer(digits: str, base: int = 10) -> int:
    count = len(digits.lstrip("+-"))
    if count > MAX_DIGITS:
        raise _Refused(TOO_MANY_DIGITS.format(digits=count, limit=MAX_DIGITS))
    return int(digits, base)


# The lenient reading: JSON5 through the `json5` library; what it forgave, counted over tokens.

# JSON5's tokens, for counting brackets and what JSON lacks; linear on any text. Strings end at
# a line break (unless escaped), as JSON5's do; an unclosed block comment runs to the end.
_EOL = r"\n\r\u2028\u2029"
_JSON5_TOKEN = re.compile(
    rf"""(?P<string>"[^"\\{_EOL}]*+(?:\\(?:\r\n|.)[^"\\{_EOL}]*+)*+")
    | (?P<single>'[^'\\{_EOL}]*+(?:\\(?:\r\n|.)[^'\\{_EOL}]*+)*+')
    | (?P<comment>//[^{_EOL}]*+|/\*(?:[^*]++|\*(?!/))*+(?:\*/|\Z))
    | (?P<space>[\s\ufeff]++)
    | (?P<word>[^\s\ufeff"'/\[\]{{}},:]++)
    | (?P<mark>.)""",
    re.VERBOSE | re.DOTALL,
)
_JSON_WORD = re.compile(r"true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_ESCAPE = re.compile(r"\\(\r\n|.)", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f]")


def _json5_too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """`too_deep` for JSON5: brackets in comments and single-quoted strings do not count."""
    depth = 0
    for match in _JSON5_TOKEN.finditer(text):
        if match.lastgroup == "mark":
            if match.group() in "[{":
                depth += 1
                if depth > limit:
                    return True
            elif match.group() in "]}":
                depth -= 1
    return False


def _read_json5(text: str, *, name: str) -> tuple[Any, str]:
    """The JSON5 document in `text` (which is not JSON), and the notice of what was forgiven."""
    if not text:
        # The parser raises for an empty text; it returns its other errors.
        raise _unreadable(UNREADABLE, text, 0, name=name)
    try:
        document, error, end = json5.parse(
            text, parse_constant=_not_a_number, parse_int=_integer, consume_trailing=False
        )
    except _Refused as refused:
        raise NotJson(NOT_JSON.format(name=name, error=refused)) from None
    except RecursionError:
        raise JsonFileError(TOO_DEEP.format(name=name, limit=MAX_DEPTH)) from None
    if error is not None:
        raise _unreadable(UNREADABLE, text, end, name=name)
    after = [
        token
        for token in _JSON5_TOKEN.finditer(text, end)
        if token.lastgroup not in ("space", "comment")
    ]
    stray = isinstance(document, dict | list) and [token.group() for token in after] == ["'"]
    if after and not stray:
        raise _unreadable(UNREADABLE, text, after[0].start(), name=name, complete=True)
    read = text[: after[0].start()] + text[after[0].end() :] if stray else text
    return document, _notice(_forgiven(read), stray=stray)


def _forgiven(text: str) -> Counter:
    """How many of each form JSON5 allows and JSON does not `text` holds (valid JSON5)."""
    found: Counter = Counter()
    tokens = []
    for match in _JSON5_TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "comment":
            found["comment"] += 1
        elif kind == "space":
            found["space"] += len(value.strip(" \t\n\r"))
        else:
            tokens.append((kind, value))
    for (kind, value), (_, following) in zip(tokens, [*tokens[1:], (None, "")], strict=True):
        if kind == "mark" and value == "," and following in ("]", "}"):
            found["trailing comma"] += 1
        elif kind == "single":
            found["single quotes"] += 1
        elif kind == "word" and following == ":":
            found["bare key"] += 1
        elif kind == "word" and not _JSON_WORD.fullmatch(value):
            found["number"] += 1
        elif kind == "string":
            inside = value[1:-1]
            found["escape"] += sum(escape not in '"\\/bfnrtu' for escape in _ESCAPE.findall(inside))
            found["control character"] += len(_CONTROL.findall(_ESCAPE.sub("", inside)))
    return found


def _notice(found: Counter, *, stray: bool) -> str:
    groups = []
    for template, forms in FORGIVEN_FORMS.items():
        items = [
            ((one if found[form] == 1 else several).format(count=found[form]), found[form])
            for form, (one, several) in forms.items()
            if found[form]
        ]
        if template == REMOVED and stray:
            items.append((STRAY_QUOTE, 1))
        if items:
            verb = "was" if len(items) == 1 and items[0][1] == 1 else "were"
            groups.append(template.format(forms=_and([text for text, _ in items]), verb=verb))
    return LENIENT_NOTICE.format(changes="; ".join(groups))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# Where a text could not be read: its line and column, and the lines before, marked.

EXCERPT_LINES = 3
EXCERPT_WIDTH = 72
# Where JSON5 ends a line (and so counts lines): CR LF, LF, CR and the Unicode separators.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029]")


@dataclass(frozen=True)
class Excerpt:
    """The lines up to the place a text could not be read, the last one marked by a caret under
    its column; each line after its number, as `12 | text`."""

    line: int
    column: int
    before: tuple[str, ...]
    marked: str
    caret: str

    def __str__(self) -> str:
        return "\n".join((*self.before, self.marked, self.caret))


def excerpt(text: str, position: int) -> Excerpt:
    """The place `position` (an offset into `text`) in lines: a long line is cut around it and
    tabs shown as spaces, so that the caret stands under the character."""
    starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text, 0, position))]
    line, column = len(starts), position - starts[-1] + 1
    lines = _LINE_BREAK.split(text)
    width = len(str(line))

    def numbered(number: int, shown: str) -> str:
        return f"{number:>{width}} | {shown}"

    first = max(1, line - EXCERPT_LINES + 1)
    before = tuple(numbered(number, _shown(lines[number - 1], 0)) for number in range(first, line))
    caret = len(lines[line - 1][: column - 1].expandtabs(4))
    cut = max(0, caret - EXCERPT_WIDTH // 2)
    marked = numbered(line, _shown(lines[line - 1], cut))
    pointer = " " * (caret - cut + (1 if cut else 0)) + "^"
    return Excerpt(line, column, before, marked, f"{'':>{width}} | {pointer}")


def _shown(line: str, cut: int) -> str:
    """The line as the excerpt shows it: from `cut`, at most EXCERPT_WIDTH characters."""
    line = line.expandtabs(4)
    part = line[cut : cut + EXCERPT_WIDTH]
    return ("…" if cut else "") + part + ("…" if len(line) > cut + EXCERPT_WIDTH else "")


def _unreadable(
    template: str, text: str, position: int, *, name: str, complete: bool = False
) -> Unreadable:
    place = excerpt(text, position)
    if complete:
        problem = MORE_AFTER_END
    elif position >= len(text) or not text[position:].strip():
        problem = ENDS_EARLY
    else:
        character = text[position]
        if character.isprintable() and not character.isspace():
            shown = CHARACTER.format(character=character)
        else:
            shown = INVISIBLE_CHARACTER.format(code=ord(character))
        # Outside quotes a line break is a space: reading stops at one only inside a text.
        line_break = character in "\r\n\u2028\u2029"
        problem = TEXT_NOT_CLOSED if line_break else CANNOT_STAND_HERE.format(character=shown)
    message = template.format(
        name=name,
        line=place.line,
        column=place.column,
        problem=problem,
        limit=MAX_LENIENT_BYTES // 1024,
    )
    return Unreadable(message, excerpt=place)
