"""Helpers for tests that use the sandbox: its own tests and the app's client tests alike."""

import datetime

from django.conf import settings

from sandbox import faults, limits, seeding, services

# A fixed "today" for seeded audiences, so that event days (and tests' date ranges) never move.
TODAY = datetime.date(2026, 6, 30)


def auth_headers() -> dict[str, str]:
    """The headers a request to the sandbox needs (httpx / requests style)."""
    return {
        "X-CleverTap-Account-Id": settings.SANDBOX_ACCOUNT_ID,
        "X-CleverTap-Passcode": settings.SANDBOX_PASSCODE,
        "Content-Type": "application/json; charset=utf-8",
    }


def client_headers() -> dict[str, str]:
    """The same, for Django's test client (`client.post(..., **client_headers())`)."""
    return {
        "HTTP_X_CLEVERTAP_ACCOUNT_ID": settings.SANDBOX_ACCOUNT_ID,
        "HTTP_X_CLEVERTAP_PASSCODE": settings.SANDBOX_PASSCODE,
    }


def audience_small(
    *, profiles: int = 200, seed: int = 11, events_per_profile: float = 6.0
) -> seeding.SeedSummary:
    """A small deterministic audience, its history ending on TODAY."""
    return seeding.audience_seed(
        profiles=profiles, seed=seed, events_per_profile=events_per_profile, today=TODAY
    )


def sandbox_reset() -> None:
    """No faults, no Liquid beta, and the per-process limits' counters emptied."""
    limits.limits_reset()
    faults.faults_reset()
    services.liquid_api_beta_set(False)
