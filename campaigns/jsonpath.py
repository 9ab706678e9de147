"""Paths into a JSON body: tuples of object keys and list indexes, shown as `a.b[0].c`.

Errors, unmodelled keys and form fields are all addressed by these paths, so that a message about
`content.platform_specific.android.wzrk_cid` means the same thing in the composer, the CLI and the
sandbox.
"""

import json
import re
from typing import Any

from campaigns import jsonfile

type Path = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$\-]*")
# An index has at most 9 digits: no list is longer, and int() refuses some 4,300.
_SEGMENT = re.compile(r'\.([A-Za-z_$][A-Za-z0-9_$\-]*)|\[(\d{1,9})\]|\[("(?:[^"\\]|\\.)*")\]')


def format_path(path: Path) -> str:
    """`("content", "items", 0, "Key 1")` -> `content.items[0]["Key 1"]`."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _PLAIN_KEY.fullmatch(segment):
            text += f".{segment}" if text else segment
        else:
            text += f"[{json.dumps(segment, ensure_ascii=False)}]"
    return text


def parse_path(text: str) -> Path | None:
    """The inverse of format_path; None when the text is not a path."""
    if not text:
        return ()
    source = text if text.startswith("[") else "." + text
    segments: list[str | int] = []
    position = 0
    while position < len(source):
        match = _SEGMENT.match(source, position)
        if not match:
            return None
        key, index, quoted = match.groups()
        if key is not None:
            segments.append(key)
        elif index is not None:
            segments.append(int(index))
        else:
            try:
                segments.append(jsonfile.load_json_text(quoted))
            except jsonfile.JsonFileError:
                return None
        position = match.end()
    return tuple(segments)


_ABSENT = object()


def get_path(data: Any, path: Path, default: Any = None) -> Any:
    for segment in path:
        if isinstance(segment, int):
            if not isinstance(data, list) or not 0 <= segment < len(data):
                return default
        elif not isinstance(data, dict) or segment not in data:
            return default
        data = data[segment]
    return data


def has_path(data: Any, path: Path) -> bool:
    return get_path(data, path, _ABSENT) is not _ABSENT


def set_path(data: dict | list, path: Path, value: Any) -> bool:
    """Set `value` at `path`, creating objects and lists on the way.

    A list index may point at an existing element or one past the end (append). Returns False,
    changing nothing, when the path runs through a value of another type or past a list's end.
    """
    node: Any = data
    for position, segment in enumerate(path):
        last = position == len(path) - 1
        following: Any = None if last else ([] if isinstance(path[position + 1], int) else {})
        if isinstance(segment, int):
            if not isinstance(node, list) or segment > len(node):
                return False
            if segment == len(node):
                node.append(value if last else following)
            elif last:
                node[segment] = value
        else:
            if not isinstance(node, dict):
                return False
            if last:
                node[segment] = value
            elif segment not in node:
                node[segment] = following
        if not last:
            node = node[segment]
    return True


def delete_path(data: dict, path: Path) -> None:
    """Remove the value at `path`, and the objects left empty on the way up."""
    for cut in range(len(path), 0, -1):
        parent = get_path(data, path[: cut - 1]) if cut > 1 else data
        if not isinstance(parent, dict) or path[cut - 1] not in parent:
            return
        if cut == len(path) or parent[path[cut - 1]] == {}:
            del parent[path[cut - 1]]
        else:
            return


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values: 1 and True and 1.0 differ, key order does not matter."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
