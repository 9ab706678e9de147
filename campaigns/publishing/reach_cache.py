"""CleverTap's answers per audience, kept 15 minutes in Django's cache (shared by every app server
when the cache is): an audience asked about again within them asks CleverTap nothing."""

from typing import Any

from django.core.cache import cache

from campaigns import models

CACHE_SECONDS = 15 * 60
# While one request asks CleverTap about an audience, another about the same one does not.
ASKING_SECONDS = 60


def answer_cached(key: str) -> dict[str, Any] | None:
    return cache.get(f"reach:answer:{key}")


def answer_remember(estimate: models.Estimate) -> None:
    """Keep a ready estimate's counts for its audience."""
    if estimate.state != models.EstimateState.READY or not estimate.audience_key:
        return
    cache.set(
        f"reach:answer:{estimate.audience_key}",
        {
            "result": estimate.result,
            "total": estimate.total,
            "answered_at": estimate.answered.isoformat(),
            "endpoint": estimate.endpoint,
        },
        timeout=CACHE_SECONDS,
    )


def asking_start(key: str) -> bool:
    """Whether this request may ask about the audience (no other request is asking)."""
    return cache.add(f"reach:asking:{key}", True, timeout=ASKING_SECONDS)


def asking_end(key: str) -> None:
    cache.delete(f"reach:asking:{key}")
