"""A draft's estimated reach over its versions, drawn as a small SVG line chart on the server
(nothing to load, nothing the page's Content-Security-Policy would refuse), with its numbers as a
table for those who do not see the chart."""

import dataclasses
import datetime

from campaigns import models

VERSIONS_SHOWN = 12
ROWS_READ = 200
# The drawing's own units (the SVG scales to the panel's width).
WIDTH = 320
HEIGHT = 120
LEFT = 44
RIGHT = 12
TOP = 12
BOTTOM = 26


@dataclasses.dataclass(frozen=True)
class Point:
    version: int
    total: int
    answered: datetime.datetime
    x: float = 0.0
    y: float = 0.0


@dataclasses.dataclass(frozen=True)
class Chart:
    points: list[Point]
    polyline: str
    top_label: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - 8


def history(campaign: models.Campaign, versions: dict[str, int]) -> list[Point]:
    """The latest ready estimate of each version, oldest version first (the last 12).
    `versions`: body hash -> version saved with it (an estimate of what was typed then saved
    counts that version)."""
    rows = (
        models.Estimate.objects.filter(
            campaign=campaign, state=models.EstimateState.READY, total__isnull=False
        )
        .order_by("-created_at", "-id")
        .values_list("version", "body_hash", "total", "created_at", "answered_at")[:ROWS_READ]
    )
    latest: dict[int, Point] = {}
    for typed_on, body_hash, total, created_at, answered_at in rows:
        version = versions.get(body_hash, typed_on)
        if version not in latest:
            latest[version] = Point(version, total, answered_at or created_at)
    versions = sorted(latest)[-VERSIONS_SHOWN:]
    return [latest[version] for version in versions]


def chart(points: list[Point]) -> Chart | None:
    """Where each point goes in the drawing; None with fewer than two versions to join."""
    if len(points) < 2:
        return None
    top = max(point.total for point in points) or 1
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM
    placed = [
        dataclasses.replace(
            point,
            x=round(LEFT + span_x * index / (len(points) - 1), 1),
            y=round(TOP + span_y * (1 - point.total / top), 1),
        )
        for index, point in enumerate(points)
    ]
    return Chart(
        points=placed,
        polyline=" ".join(f"{point.x},{point.y}" for point in placed),
        top_label=_short(top),
    )


def _short(number: int) -> str:
    """12400 -> "12.4k": the axis label fits the narrow panel."""
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f}M".replace(".0M", "M")
    if number >= 10_000:
        return f"{number / 1000:.0f}k"
    if number >= 1000:
        return f"{number / 1000:.1f}k".replace(".0k", "k")
    return str(number)
