"""Identity lists for send/<channel>.json: reading pasted text or CSV, and batching `to`.

Pure functions: no database, no HTTP. A person pastes identities into one box per type, or
uploads a CSV (a column per type named like the `to` keys, or a single column). Reading gives
per-type lists in first-seen order with duplicates removed and counted, and the malformed entries
left out and listed with the line each first appears on, so the composer can say what it dropped
and why. A million identities take a few seconds and a few hundred bytes each: splitting,
de-duplicating and checking run in C (str.split, dict.fromkeys, a regular expression mapped over
the distinct entries), and only the lines of malformed entries are looked up afterwards.

Separators: a line break or a comma always ends an entry. Spaces end one too for the types whose
values never contain spaces (Email, objectId, FBID, GPID); an Identity is custom-defined and may
contain spaces ("John Doe"), so for Identity only line breaks and commas separate.

CleverTap takes at most 1000 identities per request, counted across all types;
`identity_batches` splits a larger `to` into request-sized parts.
"""

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

IDENTITY_TYPES = ("Email", "Identity", "objectId", "FBID", "GPID")
MAX_PER_REQUEST = 1000
TOO_MANY_FOR_ONE_REQUEST = (
    f"One request takes at most {MAX_PER_REQUEST} identities, counted across all types."
)

# Reasons an entry is malformed, completing "<type>, line <n>: “<value>” ...".
NOT_AN_EMAIL = "is not an e-mail address (it needs one @ with text on both sides)"
NOT_DIGITS = "is not a number (FBID and GPID are digits only)"
HAS_SPACES = "contains spaces (an objectId has none)"
EMPTY = "is empty"
MALFORMED_ENTRY = "{type}, line {line}: “{value}” {reason}."
UNKNOWN_TYPE = "“{type}” is not an identity type; use one of: {choices}."

# An uploaded file's summary (`summary`).
SUMMARY_SHOWN = 20
SUMMARY_ROWS = "Rows read: {rows:,}."
SUMMARY_UNIQUE = "Unique identities: {count:,} ({by_type})."
SUMMARY_DUPLICATES = "Duplicates dropped: {count:,}."
SUMMARY_UNKNOWN_COLUMNS = "Columns not read (they name no identity type): {names}."
SUMMARY_INVALID = "Invalid entries left out: {count:,}, each with the line it is on:"
SUMMARY_MORE_INVALID = "…and {count:,} more invalid entries."

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_DIGITS = re.compile(r"[0-9]+")
_CANONICAL = {kind.casefold(): kind for kind in IDENTITY_TYPES}
_NO_SPACES = re.compile(r"\S+")
_PATTERNS = {"Email": _EMAIL, "FBID": _DIGITS, "GPID": _DIGITS, "objectId": _NO_SPACES}


@dataclass(frozen=True)
class Malformed:
    type: str
    line: int
    value: str
    reason: str

    @property
    def message(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return MALFORMED_ENTRY.format(
            type=self.type, line=self.line, value=shown, reason=self.reason
        )


@dataclass
class ParsedIdentities:
    """Well-formed identities per type (no duplicates, first-seen order) and what was dropped."""

    to: dict[str, list[str]] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    malformed: list[Malformed] = field(default_factory=list)
    # CSV header cells that name no identity type; their columns are not read.
    unknown_columns: list[str] = field(default_factory=list)
    # Rows of a file that hold at least one value, its header not counted.
    rows: int = 0

    @property
    def count(self) -> int:
        return sum(len(values) for values in self.to.values())

    @property
    def duplicate_count(self) -> int:
        return sum(self.duplicates.values())


def identity_type(name: str) -> str | None:
    """The `to` key a name stands for, ignoring case ("email" -> "Email"), or None."""
    return _CANONICAL.get(name.strip().casefold())


def problem(kind: str, value: str) -> str | None:
    """Why `value` is not a well-formed identity of this type, or None when it is."""
    if value == "":
        return EMPTY
    if kind == "Email":
        return None if _EMAIL.fullmatch(value) else NOT_AN_EMAIL
    if kind in ("FBID", "GPID"):
        return None if _DIGITS.fullmatch(value) else NOT_DIGITS
    if kind == "objectId":
        return None if _NO_SPACES.fullmatch(value) else HAS_SPACES
    return None


def splits_on_spaces(kind: str) -> bool:
    return kind != "Identity"


def split_entries(text: str, kind: str) -> Iterator[tuple[int, str]]:
    """(line number, entry) for each non-empty entry of pasted text, stripped of spaces."""
    spaces = splits_on_spaces(kind)
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if spaces:
            entries = line.replace(",", " ").split()
        elif "," in line:
            entries = [entry.strip() for entry in line.split(",")]
        else:
            entries = [line.strip()]
        for entry in entries:
            if entry:
                yield number, entry


def entries(text: str, kind: str) -> list[str]:
    """The non-empty entries of pasted text, stripped of spaces, repeats included."""
    text = _one_newline(text)
    if splits_on_spaces(kind):
        return text.replace(",", " ").split()
    return list(filter(None, map(str.strip, re.split(r"[\n,]", text))))


def parse_text(text: str, kind: str) -> ParsedIdentities:
    """Read identities of one type pasted as text (one per line, or separated by commas)."""
    _check_type(kind)
    text = _one_newline(text)
    found = entries(text, kind)
    parsed = ParsedIdentities()
    _sort_out(parsed, kind, found, lambda bad: _text_lines(text, kind, found, bad))
    return parsed


def parse_csv(data: bytes | str, *, default_type: str = "Identity") -> ParsedIdentities:
    """Read identities from a CSV file.

    If the first row names identity types (case does not matter: `email`, `objectId`...), each
    such column holds that type and other columns are listed in `unknown_columns`. Otherwise every
    cell is an identity of `default_type` (a single column without a header, or one pasted line
    of comma-separated values). Line numbers are the file's lines, the header being line 1.
    """
    _check_type(default_type)
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    # Spreadsheet programs start the file with a byte order mark.
    text = text.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    parsed = ParsedIdentities()
    if not rows:
        return parsed
    line_of = _csv_lines(text, rows)
    columns = [identity_type(cell) for cell in rows[0]]
    parsed.rows = sum(map(any, rows)) - (1 if any(columns) else 0)
    if not any(columns):
        cells = list(filter(None, map(str.strip, itertools.chain.from_iterable(rows))))
        _sort_out(parsed, default_type, cells, lambda bad: _row_lines(rows, line_of, bad))
        return parsed
    parsed.unknown_columns = [
        cell for cell, kind in zip(rows[0], columns, strict=True) if kind is None and cell.strip()
    ]
    # Column by column at C speed: the rows after the header transposed, short rows padded.
    table = list(itertools.zip_longest(*rows[1:], fillvalue="")) if len(rows) > 1 else []
    for kind in dict.fromkeys(kind for kind in columns if kind is not None):
        named = [table[i] for i, name in enumerate(columns) if name == kind and i < len(table)]
        cells = list(filter(None, map(str.strip, itertools.chain.from_iterable(named))))
        _sort_out(parsed, kind, cells, lambda bad, c=named: _column_lines(c, line_of, bad))
    parsed.malformed.sort(key=lambda item: item.line)
    return parsed


def summary(parsed: ParsedIdentities, *, shown: int = SUMMARY_SHOWN) -> list[str]:
    """What reading a file found, in words: rows, unique identities by type, duplicates
    dropped, columns not read and the first `shown` invalid entries with their lines."""
    by_type = ", ".join(f"{kind} {len(values):,}" for kind, values in parsed.to.items())
    lines = [
        SUMMARY_ROWS.format(rows=parsed.rows),
        SUMMARY_UNIQUE.format(count=parsed.count, by_type=by_type or "none"),
        SUMMARY_DUPLICATES.format(count=parsed.duplicate_count),
    ]
    if parsed.unknown_columns:
        lines.append(SUMMARY_UNKNOWN_COLUMNS.format(names=", ".join(parsed.unknown_columns)))
    if parsed.malformed:
        lines.append(SUMMARY_INVALID.format(count=len(parsed.malformed)))
        lines += [item.message for item in parsed.malformed[:shown]]
        if len(parsed.malformed) > shown:
            lines.append(SUMMARY_MORE_INVALID.format(count=len(parsed.malformed) - shown))
    return lines


def count(to: dict[str, list[str]]) -> int:
    """How many identities `to` holds, across all types."""
    return sum(len(values) for values in to.values() if isinstance(values, list))


def unique_identities(to: object) -> dict[str, list[str]]:
    """`to` with each identity type's repeats removed (the identity lists as they will be sent)."""
    if not isinstance(to, dict):
        return {}
    return {
        kind: list(dict.fromkeys(value for value in values if isinstance(value, str)))
        for kind, values in to.items()
        if isinstance(values, list)
    }


def identity_batches(
    to: dict[str, list[str]], size: int = MAX_PER_REQUEST
) -> Iterator[dict[str, list[str]]]:
    """Split `to` into parts of at most `size` identities in total, counted across all types.

    Types and identities keep their order; a part only has the types it holds entries of. The
    rest of the request body (content, tag group...) is the caller's to repeat for each part.
    """
    if size < 1:
        raise ValueError("A batch holds at least one identity.")
    batch: dict[str, list[str]] = {}
    room = size
    for kind, values in to.items():
        start = 0
        while start < len(values):
            taken = values[start : start + room]
            batch[kind] = taken
            start += len(taken)
            room -= len(taken)
            if room == 0:
                yield batch
                batch, room = {}, size
    if batch:
        yield batch


def _sort_out(
    parsed: ParsedIdentities,
    kind: str,
    found: list[str],
    first_lines: Callable[[set[str]], dict[str, int]],
) -> None:
    """Add one type's entries to `parsed`: distinct well-formed ones, repeats, malformed ones.

    Finding the lines of malformed entries costs another pass, so it is only done when there
    are some.
    """
    distinct = dict.fromkeys(found)
    repeats = len(found) - len(distinct)
    if repeats:
        parsed.duplicates[kind] = parsed.duplicates.get(kind, 0) + repeats
    pattern = _PATTERNS.get(kind)
    bad = set(itertools.filterfalse(pattern.fullmatch, distinct)) if pattern else set()
    if bad:
        lines = first_lines(bad)
        parsed.malformed += sorted(
            (Malformed(kind, lines[value], value, problem(kind, value) or "") for value in bad),
            key=lambda item: item.line,
        )
        distinct = {value: None for value in distinct if value not in bad}
    if distinct:
        parsed.to[kind] = list(distinct)


def _one_newline(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _text_lines(text: str, kind: str, found_entries: list[str], bad: set[str]) -> dict[str, int]:
    """The line each `bad` entry first appears on in pasted text."""
    stripped = list(map(str.strip, text.split("\n")))
    found: dict[str, int] = {}
    if len(found_entries) == len(stripped) - stripped.count(""):
        # Every non-empty line is one entry: look the lines up at C speed.
        for number in itertools.compress(itertools.count(1), map(bad.__contains__, stripped)):
            found.setdefault(stripped[number - 1], number)
        return found
    for number, entry in split_entries(text, kind):
        if entry in bad:
            found.setdefault(entry, number)
    return found


def _csv_lines(text: str, rows: list[list[str]]) -> Callable[[int], int]:
    """The file line each row (by index) starts on: index + 1, unless a cell spans lines."""
    if not any("\n" in cell or "\r" in cell for row in rows for cell in row):
        return lambda index: index + 1
    reader = csv.reader(io.StringIO(text, newline=""))
    starts, previous_end = [], 0
    for _ in reader:
        starts.append(previous_end + 1)
        previous_end = reader.line_num
    return starts.__getitem__


def _column_lines(
    columns: list[tuple[str, ...]], line_of: Callable[[int], int], bad: set[str]
) -> dict[str, int]:
    """The first line of each `bad` entry in these columns (row 0 is the header)."""
    found: dict[str, int] = {}
    for column in columns:
        hits = itertools.compress(itertools.count(1), map(bad.__contains__, map(str.strip, column)))
        for row in hits:
            entry, line = column[row - 1].strip(), line_of(row)
            if line < found.get(entry, line + 1):
                found[entry] = line
    return found


def _row_lines(
    rows: list[list[str]], line_of: Callable[[int], int], bad: set[str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, row in enumerate(rows):
        for cell in row:
            entry = cell.strip()
            if entry in bad:
                found.setdefault(entry, line_of(index))
    return found


def _check_type(kind: str) -> None:
    if kind not in IDENTITY_TYPES:
        raise ValueError(UNKNOWN_TYPE.format(type=kind, choices=", ".join(IDENTITY_TYPES)))
