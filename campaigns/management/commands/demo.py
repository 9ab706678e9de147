from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from campaigns import demo


class Command(BaseCommand):
    help = "Set up the demo (database, users, sample data) and serve the app on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Set up only; do not serve.")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, no_serve: bool, addrport: str, **options):
        call_command("migrate", interactive=False, verbosity=0)
        users = demo.demo_users_ensure()
        User = get_user_model()
        demo.demo_drafts_ensure(User.objects.get(username="composer"))
        self.stdout.write(self.style.SUCCESS("Demo users (username / password / roles):"))
        for user in users:
            self.stdout.write(f"  {user.username:<10} {user.password:<20} {', '.join(user.groups)}")
        if settings.SANDBOX_ENABLED:
            self.stdout.write("No CleverTap credentials configured: using the built-in sandbox.")
        if no_serve:
            return
        self.stdout.write(f"Serving on http://{addrport}/")
        call_command("runserver", addrport, use_reloader=False)
