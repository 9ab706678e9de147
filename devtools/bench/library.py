"""The library's templates page at two sizes: its queries must not grow with the templates."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import LibraryItem, LibraryKind, LibraryVersion
from devtools.bench import stats, web
from devtools.bench.report import Reference, Row


def templates_fill(owner, *, total: int) -> int:
    """Push templates (one version each), written in bulk, until there are `total`."""
    start = LibraryItem.objects.filter(kind=LibraryKind.TEMPLATE).count()
    now = timezone.now()
    items = LibraryItem.objects.bulk_create(
        [
            LibraryItem(
                kind=LibraryKind.TEMPLATE,
                name=f"Template {n:05d}",
                labels_text=f",batch{n % 7},",
                channel="push",
                api="targets",
                owner=owner,
                created_at=now,
                updated_at=now,
            )
            for n in range(start, total)
        ],
        batch_size=1000,
    )
    LibraryVersion.objects.bulk_create(
        [
            LibraryVersion(
                item=item,
                number=1,
                content={"body": {"content": {"title": item.name, "body": "Hello {{Name}}"}}},
                author=owner,
                created_at=now,
            )
            for item in items
        ],
        batch_size=1000,
    )
    return total


def template_list(browser: web.Browser, user, *, templates: int, repeat: int) -> Row:
    url = reverse("campaigns:template_list")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    if client.get(url).status_code != 200:
        raise RuntimeError(f"GET {url} in-process failed")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    browser.get(url)
    health = web.health_url()
    pages, references = stats.interleaved(
        lambda: browser.get(url), lambda: browser.get(health), repeat=repeat
    )
    return Row(
        key=f"template_list_{templates}",
        label=f"templates page, {templates:,} templates",
        timing=stats.summary(pages),
        queries=len(queries),
        reference=Reference("health", stats.summary(references)),
        details={"templates": templates},
    )
