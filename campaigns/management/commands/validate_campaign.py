from django.core.management.base import BaseCommand, CommandError

from campaigns import jsonfile, payloads, selectors


class Command(BaseCommand):
    help = (
        "Check a CleverTap request body (or a list of them). Exit status: 0 valid, 1 problems "
        "found, 2 the file is not JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--endpoint", help="targets/create.json or send/<channel>.json")

    def handle(self, *args, file, endpoint, **options):
        try:
            document = jsonfile.load_json_file(file)
        except jsonfile.JsonFileError as error:
            raise CommandError(str(error), returncode=2) from None
        bodies = document if isinstance(document, list) else [document]
        problems = 0
        for number, body in enumerate(bodies, start=1):
            label = f"body {number}: " if len(bodies) > 1 else ""
            if not isinstance(body, dict):
                kind = payloads.json_kind(body)
                self.stdout.write(f"{label}(body): {payloads.NOT_AN_OBJECT.format(kind=kind)}")
                problems += 1
                continue
            try:
                api, channel = payloads.infer_target(body, endpoint)
            except ValueError as error:
                self.stdout.write(f"{label}(endpoint): {error}")
                problems += 1
                continue
            for error in selectors.body_errors(body, api=api, channel=channel):
                self.stdout.write(f"{label}{error.where}: {error.message}")
                problems += 1
        if problems:
            raise CommandError(f"{problems} problem(s) found.", returncode=1)
        self.stdout.write("Valid.")
