import os
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from devtools import demo
from sandbox.models import Profile

DEMO_PROFILES = 20_000


class Command(BaseCommand):
    help = (
        "Set up the demo (database, users, account settings, sample drafts, the sandbox's "
        "audience) and serve the app on 127.0.0.1:8000 with a task worker beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Set up only; do not serve.")
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--profiles", type=int, default=DEMO_PROFILES)

    def handle(self, *args, no_serve: bool, addrport: str, profiles: int, **options):
        call_command("migrate", interactive=False, verbosity=0)
        users = demo.demo_users_ensure()
        demo.demo_account_settings_ensure()
        composer = get_user_model().objects.get(username="composer")
        demo.demo_drafts_ensure(composer)
        demo.demo_library_ensure(composer)
        if settings.SANDBOX_ENABLED and not Profile.objects.exists():
            self.stdout.write(f"Seeding the sandbox audience ({profiles:,} profiles)...")
            call_command("seed_audience", profiles=profiles, seed=1)
        if settings.SANDBOX_ENABLED:
            # The sandbox stands for an account with CleverTap's Liquid beta, and so does the app.
            demo.demo_liquid_beta_ensure()
            demo.demo_profile_properties_ensure()
            demo.demo_test_recipients_ensure(composer)
        self.stdout.write(self.style.SUCCESS("Demo users (username / password / roles):"))
        for user in users:
            self.stdout.write(f"  {user.username:<10} {user.password:<20} {', '.join(user.groups)}")
        if settings.SANDBOX_ENABLED:
            self.stdout.write("No CleverTap credentials configured: using the built-in sandbox.")
        if no_serve:
            return
        # The app reaches its sandbox on the server it runs on.
        sandbox_url = f"http://{addrport}/sandbox"
        settings.SANDBOX_BASE_URL = sandbox_url
        # Identity sends and background estimates run in the task worker.
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--no-reload"],
            env={**os.environ, "SANDBOX_BASE_URL": sandbox_url},
        )
        try:
            self.stdout.write(f"Serving on http://{addrport}/")
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
