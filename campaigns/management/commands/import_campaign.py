from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from campaigns import jsonfile, services

CLI_USER = "cli"


class Command(BaseCommand):
    help = "Create drafts from a JSON file holding one CleverTap request body or a list of them."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--name", help="Name of the draft (of each, for a list).")
        parser.add_argument(
            "--endpoint",
            help="targets/create.json or send/<channel>.json, when the body cannot tell.",
        )
        parser.add_argument("--owner", help=f"Username of the owner (default: {CLI_USER}).")

    def handle(self, *args, file, name, endpoint, owner, **options):
        # Read leniently, as the import page reads: people save CleverTap's examples as they are.
        try:
            reading = jsonfile.read_json_file(file, storable=True, lenient=True)
        except jsonfile.Unreadable as error:
            raise CommandError(f"{error}\n{error.excerpt}", returncode=2) from None
        except jsonfile.JsonFileError as error:
            raise CommandError(str(error), returncode=2) from None
        document = reading.document
        bodies = document if isinstance(document, list) else [document]
        user = self._owner(owner)
        try:
            with transaction.atomic():
                results = [
                    services.campaign_import(user=user, body=body, name=name, endpoint=endpoint)
                    for body in bodies
                ]
        except ValueError as error:
            # Nothing was created: a list is imported whole or not at all.
            raise CommandError(str(error), returncode=2) from None
        if reading.notice:
            self.stderr.write(f"note: {reading.notice}")
        for result in results:
            self.stdout.write(str(result.campaign.pk))
            for notice in result.notices + result.draft_notices:
                self.stderr.write(f"  note: {notice}")
            for error in result.errors:
                self.stderr.write(f"  problem: {error.where}: {error.message}")

    def _owner(self, username):
        User = get_user_model()
        if username:
            try:
                return User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(f"There is no user {username!r}.") from None
        user, created = User.objects.get_or_create(username=CLI_USER)
        if created:
            user.set_unusable_password()
            user.save()
        return user
