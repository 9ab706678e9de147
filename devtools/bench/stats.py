"""Timing samples and their summary (median, p95, p99)."""

import dataclasses
import statistics
import time
from collections.abc import Callable, Iterable


@dataclasses.dataclass(frozen=True)
class Summary:
    """Seconds, summarized; `ms` gives the figures in milliseconds for the report."""

    n: int
    median: float
    p95: float
    p99: float
    mean: float

    def ms(self) -> dict[str, float]:
        return {
            "n": self.n,
            "median_ms": self.median * 1000,
            "p95_ms": self.p95 * 1000,
            "p99_ms": self.p99 * 1000,
            "mean_ms": self.mean * 1000,
        }


def summary(samples: Iterable[float]) -> Summary:
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    return Summary(
        n=len(ordered),
        median=statistics.median(ordered),
        p95=percentile(ordered, 95),
        p99=percentile(ordered, 99),
        mean=statistics.fmean(ordered),
    )


def percentile(ordered: list[float], pct: float) -> float:
    """The pct-th percentile of sorted samples, interpolated between the nearest two."""
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def interleaved(
    subject: Callable[[], object], reference: Callable[[], object], *, repeat: int
) -> tuple[list[float], list[float]]:
    """Time `subject` and `reference` alternately, so that both see the same machine."""
    subject_samples, reference_samples = [], []
    for _ in range(repeat):
        reference_samples.append(timed(reference))
        subject_samples.append(timed(subject))
    return subject_samples, reference_samples
