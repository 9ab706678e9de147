"""Side-by-side diffs of two JSON values, line by line as `json.dumps(indent=2)` would show them.

Pure functions: no database, no templates. Objects are compared key by key (a key that moved is
still one row), lists item by item after aligning equal items, so that an item added at the top
of a list shows as one added row rather than every item changed. Each row carries the JSON path
(`content.title`, `devices[1]`) it belongs to, so a page can highlight the keys that changed and
a comment can name them.
"""

import dataclasses
import difflib
import itertools
import json
from typing import Any

from campaigns.jsonpath import Path, format_path

SAME = "same"
CHANGED = "changed"
ADDED = "added"
REMOVED = "removed"
INDENT = 2

# A key or item one side does not have.
MISSING = object()


@dataclasses.dataclass(frozen=True)
class Line:
    """One line of one side: its indentation (in levels) and its text, comma included."""

    indent: int
    text: str

    @property
    def padded(self) -> str:
        return " " * (INDENT * self.indent) + self.text


@dataclasses.dataclass(frozen=True)
class Row:
    kind: str  # SAME, CHANGED, ADDED or REMOVED
    path: str  # the path of the key or item the line belongs to; "" for the whole body
    left: Line | None
    right: Line | None

    @property
    def changed(self) -> bool:
        return self.kind != SAME


@dataclasses.dataclass(frozen=True)
class Change:
    """One value that differs: its path, and the value on each side (MISSING where absent)."""

    path: str
    before: Any
    after: Any

    @property
    def before_text(self) -> str:
        return _shown(self.before)

    @property
    def after_text(self) -> str:
        return _shown(self.after)


@dataclasses.dataclass(frozen=True)
class Diff:
    rows: list[Row]
    # What differs, deepest first found: changed values, added and removed keys/items.
    changes: list[Change]

    @property
    def changed_paths(self) -> list[str]:
        return [change.path for change in self.changes]

    @property
    def identical(self) -> bool:
        return not self.changed_paths

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind)


def json_diff(left: Any, right: Any) -> Diff:
    """The rows of `left` (before) beside `right` (after), and the paths that changed.

    Pass `None`-free values; to show a body with nothing before it, use `json_diff({}, body)`.
    """
    rows: list[Row] = []
    changes: list[Change] = []
    _merge(left, right, (), 0, "", (False, False), rows, changes)
    return Diff(rows=rows, changes=changes)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _shown(value: Any) -> str:
    """A value as a short line of JSON text for a table cell."""
    if value is MISSING:
        return "(not set)"
    text = _dump(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _label(key: str | int | None) -> str:
    return "" if key is None or isinstance(key, int) else f"{_dump(key)}: "


def _render(value: Any, path: Path, indent: int, label: str, comma: bool) -> list[tuple[Line, str]]:
    """The lines of one value on one side, each with the path it belongs to."""
    end = "," if comma else ""
    where = format_path(path)
    if isinstance(value, dict) and value:
        lines = [(Line(indent, f"{label}{{"), where)]
        keys = list(value)
        for index, key in enumerate(keys):
            lines += _render(
                value[key], (*path, key), indent + 1, _label(key), index < len(keys) - 1
            )
        return [*lines, (Line(indent, "}" + end), where)]
    if isinstance(value, list) and value:
        lines = [(Line(indent, f"{label}["), where)]
        for index, item in enumerate(value):
            lines += _render(item, (*path, index), indent + 1, "", index < len(value) - 1)
        return [*lines, (Line(indent, "]" + end), where)]
    return [(Line(indent, f"{label}{_dump(value)}{end}"), where)]


def _one_side(value: Any, path: Path, indent: int, label: str, comma: bool, *, kind: str) -> list:
    lines = _render(value, path, indent, label, comma)
    if kind == ADDED:
        return [Row(ADDED, where, None, line) for line, where in lines]
    return [Row(REMOVED, where, line, None) for line, where in lines]


def _side_by_side(
    left: Any, right: Any, path: Path, indent: int, label: str, commas: tuple[bool, bool], kind: str
) -> list[Row]:
    """Both sides rendered whole and paired line by line."""
    left_lines = _render(left, path, indent, label, commas[0])
    right_lines = _render(right, path, indent, label, commas[1])
    rows = []
    for pair in itertools.zip_longest(left_lines, right_lines):
        old, new = pair
        where = (new or old)[1]
        rows.append(Row(kind, where, old[0] if old else None, new[0] if new else None))
    return rows


def _merge(
    left: Any,
    right: Any,
    path: Path,
    indent: int,
    label: str,
    commas: tuple[bool, bool],
    rows: list[Row],
    changes: list[Change],
) -> None:
    if left is MISSING:
        rows += _one_side(right, path, indent, label, commas[1], kind=ADDED)
        changes.append(Change(format_path(path), left, right))
        return
    if right is MISSING:
        rows += _one_side(left, path, indent, label, commas[0], kind=REMOVED)
        changes.append(Change(format_path(path), left, right))
        return
    if _same(left, right):
        rows += _side_by_side(left, right, path, indent, label, commas, SAME)
        return
    if isinstance(left, dict) and isinstance(right, dict):
        _merge_objects(left, right, path, indent, label, commas, rows, changes)
        return
    if isinstance(left, list) and isinstance(right, list):
        _merge_lists(left, right, path, indent, label, commas, rows, changes)
        return
    rows += _side_by_side(left, right, path, indent, label, commas, CHANGED)
    changes.append(Change(format_path(path), left, right))


def _same(left: Any, right: Any) -> bool:
    """Equal as JSON: 1 and 1.0 are equal, but 1 and true are not."""
    if type(left) is type(right):
        return _dump(left) == _dump(right)
    return (
        isinstance(left, int | float)
        and isinstance(right, int | float)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
        and left == right
    )


def _merge_objects(
    left: dict, right: dict, path: Path, indent: int, label: str, commas, rows, changes
) -> None:
    keys = _key_order(list(left), list(right))
    last_left = max((i for i, key in enumerate(keys) if key in left), default=-1)
    last_right = max((i for i, key in enumerate(keys) if key in right), default=-1)
    where = format_path(path)
    rows.append(Row(SAME, where, Line(indent, f"{label}{{"), Line(indent, f"{label}{{")))
    for index, key in enumerate(keys):
        _merge(
            left.get(key, MISSING),
            right.get(key, MISSING),
            (*path, key),
            indent + 1,
            _label(key),
            (index < last_left, index < last_right),
            rows,
            changes,
        )
    ends = ["}" + ("," if comma else "") for comma in commas]
    rows.append(Row(SAME, where, Line(indent, ends[0]), Line(indent, ends[1])))


def _key_order(left: list[str], right: list[str]) -> list[str]:
    """The right side's keys in their order, with keys only on the left after their neighbour."""
    order = list(right)
    present = set(order)
    for index, key in enumerate(left):
        if key in present:
            continue
        position = 0
        for previous in reversed(left[:index]):
            if previous in present:
                position = order.index(previous) + 1
                break
        order.insert(position, key)
        present.add(key)
    return order


def _merge_lists(
    left: list, right: list, path: Path, indent: int, label: str, commas, rows, changes
) -> None:
    where = format_path(path)
    rows.append(Row(SAME, where, Line(indent, f"{label}["), Line(indent, f"{label}[")))
    matcher = difflib.SequenceMatcher(
        None, [_dump(item) for item in left], [_dump(item) for item in right], autojunk=False
    )
    for _op, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = list(itertools.zip_longest(range(i1, i2), range(j1, j2)))
        for old, new in pairs:
            _merge(
                left[old] if old is not None else MISSING,
                right[new] if new is not None else MISSING,
                (*path, new if new is not None else old),
                indent + 1,
                "",
                (
                    old is not None and old < len(left) - 1,
                    new is not None and new < len(right) - 1,
                ),
                rows,
                changes,
            )
    ends = ["]" + ("," if comma else "") for comma in commas]
    rows.append(Row(SAME, where, Line(indent, ends[0]), Line(indent, ends[1])))
