"""The one reader of JSON from outside: files, pasted text, form fields and request bodies.

Every way such JSON can be wrong gets a sentence, and nothing it holds can exhaust the server:
the size is checked before anything is read, and the depth by counting brackets before the
parser (which recurses once per level) sees the text.
"""

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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

# A JSON string (escapes included), matched without backtracking.
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonFileError(ValueError):
    """JSON refused; the message says why, in words."""


class NotJson(JsonFileError):
    """Not JSON at all (not UTF-8 text, or not JSON's syntax), rather than JSON over a limit."""


def load_json_file(path: str, *, storable: bool = False) -> Any:
    file = Path(path)
    if not file.is_file():
        raise JsonFileError(NOT_FOUND.format(name=path))
    size_check(file.stat().st_size, name=path)
    return load_json_bytes(file.read_bytes(), name=path, storable=storable)


def load_json_bytes(raw: bytes, *, name: str = "The file", storable: bool = False) -> Any:
    """The JSON document in `raw`: UTF-8 text (a byte order mark allowed), as `load_json_text`
    reads it."""
    size_check(len(raw), name=name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotJson(NOT_UTF8.format(name=name)) from None
    return load_json_text(text, name=name, storable=storable)


def load_json_text(text: str, *, name: str = "The text", storable: bool = False) -> Any:
    """The JSON document in `text`. Never a half character (a lone surrogate escape: no page can
    show it); with `storable`, never the NUL character nor a number too large for a float
    (1e999), which the database cannot store."""
    size_check(len(text.encode("utf-8", "surrogatepass")), name=name)
    if too_deep(text):
        raise JsonFileError(TOO_DEEP.format(name=name, limit=MAX_DEPTH))
    try:
        document = json.loads(
            text.removeprefix("\ufeff"), parse_constant=_not_a_number, parse_int=_integer
        )
    except ValueError as error:
        raise NotJson(NOT_JSON.format(name=name, error=error)) from None
    for node in _nodes(document):
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise JsonFileError(LONE_SURROGATE.format(name=name))
            if storable and "\x00" in node:
                raise JsonFileError(NUL_NOT_ALLOWED)
        elif storable and isinstance(node, float) and not math.isfinite(node):
            raise JsonFileError(NUMBER_TOO_LARGE.format(name=name))
    return document


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


def _not_a_number(constant: str) -> Any:
    # Python reads NaN and Infinity; JSON has no such numbers, and no database stores them.
    raise ValueError(NOT_A_NUMBER.format(constant=constant))


def _integer(digits: str) -> int:
    count = len(digits.lstrip("-"))
    if count > MAX_DIGITS:
        raise ValueError(TOO_MANY_DIGITS.format(digits=count, limit=MAX_DIGITS))
    return int(digits)
