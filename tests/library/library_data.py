"""Many library items at once, for the lists' query counts and the benchmark."""

from django.utils import timezone

from campaigns.models import LibraryItem, LibraryKind, LibraryVersion


def many_templates(owner, count: int, *, start: int = 0) -> None:
    """`count` push templates (version 1 each), written in bulk."""
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
            for n in range(start, start + count)
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
