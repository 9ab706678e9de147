from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sandbox import faults


class Command(BaseCommand):
    help = (
        "Show or change the sandbox's fault switch: latency, server errors, dropped connections, "
        "malformed answers. Without options it shows the current settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--latency-ms", type=int)
        parser.add_argument("--error-rate", type=float, help="Share of 500/503 answers, 0 to 1.")
        parser.add_argument("--error-status", type=int, choices=[0, 500, 503])
        parser.add_argument("--drop-rate", type=float, help="Share of dropped connections.")
        parser.add_argument("--malformed-rate", type=float, help="Share of non-JSON answers.")
        parser.add_argument("--seed", type=int)
        parser.add_argument("--reset", action="store_true", help="No faults at all.")

    def handle(self, *args, reset: bool, **options):
        changes = {
            name: options[name]
            for name in (
                "latency_ms",
                "error_rate",
                "error_status",
                "drop_rate",
                "malformed_rate",
                "seed",
            )
        }
        try:
            if reset:
                current = faults.faults_reset()
            if any(value is not None for value in changes.values()):
                current = faults.faults_configure(**changes)
            elif not reset:
                current = faults.faults_get()
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            f"latency_ms={current.latency_ms} error_rate={current.error_rate} "
            f"error_status={current.error_status or '500 or 503'} drop_rate={current.drop_rate} "
            f"malformed_rate={current.malformed_rate} seed={current.seed}"
        )
