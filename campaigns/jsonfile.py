"""Reading a JSON document that a person hands us: every way it can be wrong gets a sentence."""

import json
from pathlib import Path
from typing import Any

MAX_BYTES = 5 * 1024 * 1024
# CleverTap bodies nest about 8 levels; far deeper is garbage, and would exhaust recursion.
MAX_DEPTH = 32

TOO_LARGE = "{name} is {size:.1f} MB; the limit is {limit} MB for one import."
NOT_FOUND = "{name} does not exist."
NOT_UTF8 = "{name} is not UTF-8 text."
NOT_JSON = "{name} is not valid JSON: {error}."
TOO_DEEP = "{name} is nested too deeply to be a CleverTap request body."


class JsonFileError(ValueError):
    pass


def load_json_bytes(raw: bytes, *, name: str = "The file") -> Any:
    if len(raw) > MAX_BYTES:
        raise JsonFileError(
            TOO_LARGE.format(
                name=name, size=len(raw) / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise JsonFileError(NOT_UTF8.format(name=name)) from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise JsonFileError(TOO_DEEP.format(name=name)) from None
    except ValueError as error:
        raise JsonFileError(NOT_JSON.format(name=name, error=error)) from None
    if too_deep(document):
        raise JsonFileError(TOO_DEEP.format(name=name))
    return document


NUL_NOT_ALLOWED = (
    "The text contains the NUL character (\\u0000), which cannot be stored or sent: remove it."
)


def has_nul(document: Any) -> bool:
    """Whether a key or text holds U+0000, which PostgreSQL's JSON cannot store."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return True
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def too_deep(document: Any, limit: int = MAX_DEPTH) -> bool:
    """Deeper than any real request body; checked without recursion."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack.extend((child, depth + 1) for child in children)
    return False


def load_json_file(path: str) -> Any:
    file = Path(path)
    if not file.is_file():
        raise JsonFileError(NOT_FOUND.format(name=path))
    if file.stat().st_size > MAX_BYTES:
        size = file.stat().st_size / 1024 / 1024
        raise JsonFileError(TOO_LARGE.format(name=path, size=size, limit=MAX_BYTES // 1024 // 1024))
    return load_json_bytes(file.read_bytes(), name=path)
