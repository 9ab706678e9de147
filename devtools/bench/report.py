"""The results: one row per figure, printed as a table and written as JSON."""

import dataclasses
import json
from pathlib import Path
from typing import Any

from devtools.bench.stats import Summary

KB = 1000
MB = 1000 * 1000


@dataclasses.dataclass(frozen=True)
class Reference:
    """What a figure is read against: a trivial view on the same server, or a json.dumps."""

    label: str
    timing: Summary | None = None
    throughput: float | None = None


@dataclasses.dataclass
class Row:
    key: str
    label: str
    timing: Summary | None = None
    throughput: float | None = None
    throughput_unit: str = "/s"
    bytes: int | None = None
    queries: int | None = None
    peak_bytes: int | None = None
    reference: Reference | None = None
    target: str = ""
    met: bool | None = None
    # How the target was missed, in figures, when it was.
    shortfall: str = ""
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """The figure over its reference's: throughput when both have one, else median time."""
        reference = self.reference
        if reference is None:
            return None
        if self.throughput is not None and reference.throughput:
            return self.throughput / reference.throughput
        if self.timing is not None and reference.timing is not None and reference.timing.median:
            return self.timing.median / reference.timing.median
        return None

    def check(self, met: bool, shortfall: str = "") -> None:
        """Record a target's outcome; a row with several targets is met only if all are."""
        self.met = met if self.met is None else self.met and met
        if not met:
            self.shortfall = "; ".join(filter(None, [self.shortfall, shortfall]))

    def as_dict(self) -> dict[str, Any]:
        reference = self.reference
        return {
            "key": self.key,
            "label": self.label,
            **(self.timing.ms() if self.timing else {}),
            "throughput_per_s": self.throughput,
            "throughput_unit": self.throughput_unit if self.throughput is not None else None,
            "bytes": self.bytes,
            "queries": self.queries,
            "peak_memory_bytes": self.peak_bytes,
            "reference": None
            if reference is None
            else {
                "label": reference.label,
                **(reference.timing.ms() if reference.timing else {}),
                "throughput_per_s": reference.throughput,
            },
            "ratio_to_reference": self.ratio,
            "target": self.target,
            "met": self.met,
            "shortfall": self.shortfall,
            "details": self.details,
        }


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    ms = seconds * 1000
    if ms >= 10_000:
        return f"{seconds:.1f} s"
    if ms >= 1000:
        return f"{seconds:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    if ms >= 0.1:
        return f"{ms:.2f} ms"
    return f"{ms * 1000:.1f} µs"


def size(count: int | None) -> str:
    if count is None:
        return ""
    if count >= MB:
        return f"{count / MB:.1f} MB"
    if count >= KB:
        return f"{count / KB:.1f} kB"
    return f"{count} B"


def rate(value: float | None, unit: str = "/s") -> str:
    if value is None:
        return ""
    return f"{value:,.0f}{unit}" if value >= 100 else f"{value:.1f}{unit}"


def _reference_text(reference: Reference | None) -> str:
    if reference is None:
        return ""
    if reference.throughput is not None:
        return f"{reference.label} {rate(reference.throughput)}"
    timing = reference.timing
    return f"{reference.label} {duration(timing.median)} / {duration(timing.p95)}"


COLUMNS = (
    ("measurement", "<"),
    ("median", ">"),
    ("p95", ">"),
    ("p99", ">"),
    ("rate", ">"),
    ("bytes", ">"),
    ("queries", ">"),
    ("peak mem", ">"),
    ("reference: median / p95, or rate", "<"),
    ("× ref", ">"),
    ("target", "<"),
    ("met", "<"),
)


def _cells(row: Row) -> list[str]:
    timing = row.timing
    ratio = row.ratio
    return [
        row.label,
        duration(timing.median) if timing else "",
        duration(timing.p95) if timing and timing.n > 1 else "",
        duration(timing.p99) if timing and timing.n > 1 else "",
        rate(row.throughput, row.throughput_unit),
        size(row.bytes),
        "" if row.queries is None else str(row.queries),
        size(row.peak_bytes),
        _reference_text(row.reference),
        "" if ratio is None else f"{ratio:.2f}×" if ratio < 10 else f"{ratio:,.0f}×",
        row.target,
        {True: "yes", False: "NO", None: ""}[row.met],
    ]


def table(rows: list[Row]) -> str:
    cells = [[name for name, _ in COLUMNS]] + [_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = []
    for number, line in enumerate(cells):
        text = "  ".join(
            f"{cell:{align}{width}}"
            for cell, (_, align), width in zip(line, COLUMNS, widths, strict=True)
        )
        lines.append(text.rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def unmet(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.met is False]


def results(rows: list[Row], *, run: dict[str, Any]) -> dict[str, Any]:
    return {
        **run,
        "rows": [row.as_dict() for row in rows],
        "unmet": [
            {"key": row.key, "label": row.label, "target": row.target, "shortfall": row.shortfall}
            for row in unmet(rows)
        ],
    }


def json_write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
