"""The benchmark's own data in the scratch database: a user, drafts, the reference bodies."""

import dataclasses
import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from campaigns import payloads, roles, services
from campaigns.models import Api, Campaign, Channel, Status

# The CleverTap reference page's request bodies (tests/fixtures/reference, listed in index.json).
REFERENCE_DIR = Path(settings.BASE_DIR) / "tests" / "fixtures" / "reference"
USERNAME = "bench"


@dataclasses.dataclass(frozen=True)
class Example:
    name: str
    endpoint: str
    body: dict

    @property
    def target(self) -> tuple[str, str]:
        return payloads.infer_target(self.body, self.endpoint)


def reference_examples() -> list[Example]:
    index = json.loads((REFERENCE_DIR / "index.json").read_text(encoding="utf-8"))
    return [
        Example(name, entry["endpoint"], json.loads((REFERENCE_DIR / name).read_text("utf-8")))
        for name, entry in index.items()
    ]


def reference_example(name: str) -> Example:
    return next(example for example in reference_examples() if example.name == name)


def user_create() -> tuple[object, str]:
    """A composer with a random password, logged in through the login form later."""
    roles.roles_ensure()
    password = secrets.token_urlsafe(16)
    user = get_user_model().objects.create_user(username=USERNAME, password=password)
    user.groups.set(Group.objects.filter(name=roles.COMPOSERS))
    return user, password


def drafts_per_channel(user) -> dict[tuple[str, str], Campaign]:
    """One draft per API family and channel, imported from the first reference body of each."""
    drafts: dict[tuple[str, str], Campaign] = {}
    for example in reference_examples():
        if example.target not in drafts:
            drafts[example.target] = services.campaign_import(
                user=user, body=example.body, endpoint=example.endpoint
            ).campaign
    return drafts


def drafts_fill(user, *, total: int) -> int:
    """Add plain drafts until the list holds `total` drafts; how many were added."""
    existing = Campaign.objects.exclude(status=Status.ARCHIVED).count()
    channels = Channel.values
    added = [
        Campaign(
            name=f"Bench draft {number}",
            owner=user,
            updated_by=user,
            api=Api.TARGETS,
            channel=channels[number % len(channels)],
            body={
                "name": f"Bench draft {number}",
                "target_mode": channels[number % len(channels)],
                "where": {},
                "when": "now",
            },
        )
        for number in range(existing + 1, total + 1)
    ]
    Campaign.objects.bulk_create(added, batch_size=1000)
    return len(added)
