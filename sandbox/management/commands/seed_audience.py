import datetime
import sys
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError

from sandbox import seeding


class ProgressBar:
    """A one-line progress bar on a terminal stream, redrawn only when the percentage moves."""

    def __init__(self, stream: TextIO, *, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self._shown: tuple[str, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if self._shown == (stage, percent):
            return
        if self._shown and self._shown[0] != stage and self._shown[1] < 100:
            self.stream.write("\n")
        self._shown = (stage, percent)
        filled = self.width * percent // 100
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{stage:<9} [{bar}] {percent:3d}% {done:>10,}")
        if percent == 100 and done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _day(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise CommandError(f"--today needs a date as YYYYMMDD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Replace the sandbox audience with a deterministic sample: profiles, about ten events "
        "each over the last 365 days, and a few segments."
    )

    def add_arguments(self, parser):
        parser.add_argument("--profiles", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--events-per-profile", type=float, default=10.0, help="Average events per profile."
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="YYYYMMDD, the last day of the history (default: today). Same seed and day, "
            "same audience.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self,
        *args,
        profiles: int,
        seed: int,
        events_per_profile: float,
        today: datetime.date | None,
        no_progress: bool,
        **options,
    ):
        if profiles < 0 or events_per_profile < 0:
            raise CommandError("--profiles and --events-per-profile cannot be negative")
        progress = None if no_progress else ProgressBar(sys.stderr)
        summary = seeding.audience_seed(
            profiles=profiles,
            seed=seed,
            events_per_profile=events_per_profile,
            today=today,
            progress=progress,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.profiles:,} profiles, {summary.events:,} events and "
                f"{summary.segments} segments in {summary.seconds:.1f} s (seed {seed})."
            )
        )
