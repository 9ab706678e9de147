import argparse
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.bench import report, run, scratch


class Command(BaseCommand):
    help = (
        "Measure the app on this machine under its production server (gunicorn, 4 workers) on a "
        "scratch database, print the figures beside references measured in the same run, and "
        "write them as JSON. Leaves nothing behind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Tiny sizes: checks that the benchmark still runs; targets are not checked.",
        )
        parser.add_argument(
            "--json",
            dest="json_path",
            type=Path,
            default=Path(settings.BASE_DIR) / "bench-results" / "latest.json",
            help="Where to write the results (default: bench-results/latest.json in the project).",
        )
        # The child process, run by this command on the scratch environment.
        parser.add_argument("--scratch", dest="scratch_dir", type=Path, help=argparse.SUPPRESS)
        parser.add_argument("--port", type=int, help=argparse.SUPPRESS)

    def handle(
        self, *args, quick: bool, json_path: Path, scratch_dir: Path | None, port, **options
    ):
        json_path = json_path.resolve()
        if scratch_dir is not None:
            self._measure(scratch_dir, port=port, quick=quick, json_path=json_path)
            return
        with scratch.scratch_dir() as directory:
            port = scratch.free_port()
            command = scratch.manage(
                "bench", f"--scratch={directory}", f"--port={port}", f"--json={json_path}"
            ) + (["--quick"] if quick else [])
            status = scratch.child_run(
                command, directory, port=port, out=self.stdout, wait_seconds=60
            )
            if status != 0:
                raise CommandError(f"The benchmark failed (exit status {status}).")

    def _measure(self, directory: Path, *, port: int, quick: bool, json_path: Path) -> None:
        started = time.monotonic()

        def progress(step: str) -> None:
            sys.stderr.write(f"bench [{time.monotonic() - started:5.0f} s] {step}\n")

        rows, info = run.bench_run(directory, port=port, quick=quick, progress=progress)
        machine = info["machine"]
        load = " → ".join(
            " ".join(f"{value:.2f}" for value in machine[key])
            for key in ("load_average_before", "load_average_after")
        )
        self.stdout.write(
            f"Campaign Studio benchmark, {info['date']}, {machine['cpus']} CPUs, load average "
            f"{load}, {'quick sizes' if quick else 'full sizes'}, {info['seconds']:.0f} s"
        )
        self.stdout.write(report.table(rows))
        missed = report.unmet(rows)
        if quick:
            self.stdout.write("Quick run: targets not checked.")
        elif missed:
            self.stdout.write("Targets not met:")
            for row in missed:
                self.stdout.write(f"  {row.label}: {row.target} (measured {row.shortfall})")
        else:
            self.stdout.write("Every target met.")
        report.json_write(json_path, report.results(rows, run=info))
        self.stdout.write(f"Results written to {json_path}")
