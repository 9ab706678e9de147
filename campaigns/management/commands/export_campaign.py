import json

from django.core.management.base import BaseCommand, CommandError

from campaigns import clevertap, payloads
from campaigns.models import Campaign


class Command(BaseCommand):
    help = "Print a draft's request body exactly as it would be sent, or the whole request as curl."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int)
        parser.add_argument("--format", choices=["json", "curl"], default="json")

    def handle(self, *args, id, format, **options):
        try:
            campaign = Campaign.objects.get(pk=id)
        except Campaign.DoesNotExist:
            raise CommandError(f"There is no campaign {id}.") from None
        if format == "curl":
            endpoint = payloads.endpoint(campaign.api, campaign.channel)
            self.stdout.write(clevertap.curl_command(endpoint=endpoint, body=campaign.body))
        else:
            self.stdout.write(json.dumps(campaign.body, indent=2, ensure_ascii=False))
