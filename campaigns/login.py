"""Logging in: failed attempts are limited per username and per client address.

Failures are counted in the database (`LoginThrottle`), so every app server sees the same counts.
A username or an address with `LOGIN_FAILURES_PER_USERNAME` / `LOGIN_FAILURES_PER_ADDRESS`
failures within `LOGIN_FAILURE_WINDOW_SECONDS` is locked for `LOGIN_LOCKOUT_SECONDS`. While it is
locked the password is not even checked: a locked login answers the same whatever was typed, and an
attacker cannot keep the server busy hashing guesses. A successful login clears the username's
count; the address's count stays, so one valid account cannot be used to reset it.

Usernames that do not exist are counted and locked like any other, so a lock says nothing about
which accounts exist.
"""

import ipaddress
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from campaigns import models

LOCKED_USERNAME = (
    "Too many failed attempts to log in with this username. To protect the account, logging in "
    "with it is paused: try again in {minutes} minute{plural}."
)
LOCKED_ADDRESS = (
    "Too many failed attempts to log in from your network address. Logging in from it is paused: "
    "try again in {minutes} minute{plural}."
)
# The longest key stored: usernames are at most 150 characters, addresses far shorter.
KEY_LENGTH = 150

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginLock:
    scope: str
    until: datetime

    def message(self, *, now: datetime | None = None) -> str:
        seconds = (self.until - (now or timezone.now())).total_seconds()
        minutes = max(1, math.ceil(seconds / 60))
        template = LOCKED_USERNAME if self.scope == models.LoginScope.USERNAME else LOCKED_ADDRESS
        return template.format(minutes=minutes, plural="" if minutes == 1 else "s")


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address, as far as the trusted proxies in front of the app tell it.

    With `TRUSTED_PROXY_COUNT` proxies each appending to X-Forwarded-For, the client is the entry
    that many places from the end: anything further left was written by the client itself. IPv6
    clients are counted per /64 network, since one host can use any address in it.
    """
    if request is None:
        return ""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    return _address_key(address)


def _address_key(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:KEY_LENGTH]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _username_key(username: str) -> str:
    return username.strip().casefold()[:KEY_LENGTH]


def _keys(*, username: str, address: str) -> list[tuple[str, str, int]]:
    """(scope, key, limit) for each count this login feeds; a limit of 0 disables that count."""
    keys = []
    if settings.LOGIN_FAILURES_PER_USERNAME > 0:
        keys.append(
            (
                models.LoginScope.USERNAME,
                _username_key(username),
                settings.LOGIN_FAILURES_PER_USERNAME,
            )
        )
    if address and settings.LOGIN_FAILURES_PER_ADDRESS > 0:
        keys.append((models.LoginScope.ADDRESS, address, settings.LOGIN_FAILURES_PER_ADDRESS))
    return keys


def login_lock_find(
    *, username: str, address: str, now: datetime | None = None
) -> LoginLock | None:
    """The lock on this username or address, if either is locked now (the username's first)."""
    now = now or timezone.now()
    keys = _keys(username=username, address=address)
    if not keys:
        return None
    match = Q()
    for scope, key, _limit in keys:
        match |= Q(scope=scope, key=key)
    locked = {
        throttle.scope: throttle.locked_until
        for throttle in models.LoginThrottle.objects.filter(match, locked_until__gt=now)
    }
    for scope in (models.LoginScope.USERNAME, models.LoginScope.ADDRESS):
        if scope in locked:
            return LoginLock(scope=scope, until=locked[scope])
    return None


def login_failure_record(
    *, username: str, address: str, now: datetime | None = None
) -> LoginLock | None:
    """Count a failed login against its username and its address; the lock it caused, if any."""
    now = now or timezone.now()
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    lockout = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    # Rows whose failures and lock have all run out say nothing any more.
    forgotten = now - timedelta(seconds=max(window, settings.LOGIN_LOCKOUT_SECONDS))
    models.LoginThrottle.objects.filter(last_failure_at__lt=forgotten).delete()
    locks = []
    for scope, key, limit in _keys(username=username, address=address):
        with transaction.atomic():
            throttle, _ = models.LoginThrottle.objects.select_for_update().get_or_create(
                scope=scope, key=key, defaults={"last_failure_at": now}
            )
            if throttle.locked_until and throttle.locked_until > now:
                # Locked by a concurrent request since this one checked.
                locks.append(LoginLock(scope=scope, until=throttle.locked_until))
                continue
            since = now.timestamp() - window
            recent = [at for at in throttle.failures if at > since] + [now.timestamp()]
            throttle.last_failure_at = now
            if len(recent) >= limit:
                throttle.failures = []
                throttle.locked_until = now + lockout
                locks.append(LoginLock(scope=scope, until=throttle.locked_until))
                logger.warning(
                    "Logins locked for %s %r until %s after %d failures in %d seconds.",
                    scope,
                    key,
                    throttle.locked_until.isoformat(),
                    len(recent),
                    window,
                )
            else:
                throttle.failures = recent
                throttle.locked_until = None
            throttle.save()
    order = [models.LoginScope.USERNAME, models.LoginScope.ADDRESS]
    return min(locks, key=lambda lock: order.index(lock.scope)) if locks else None


def login_success_record(*, username: str) -> None:
    """A successful login forgets the username's failures (not the address's)."""
    models.LoginThrottle.objects.filter(
        scope=models.LoginScope.USERNAME, key=_username_key(username)
    ).delete()


class ThrottledLoginMixin:
    """Refuse locked logins before checking the password; count failures; clear on success."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None and self.cleaned_data.get("password"):
            lock = login_lock_find(username=username, address=client_address(self.request))
            if lock is not None:
                logger.info("Refused a login for %r: %s is locked.", username, lock.scope)
                raise ValidationError(lock.message(), code="locked")
        cleaned = super().clean()
        if self.user_cache is not None:
            login_success_record(username=username)
        return cleaned

    def get_invalid_login_error(self):
        lock = login_failure_record(
            username=self.cleaned_data.get("username") or "",
            address=client_address(self.request),
        )
        if lock is not None:
            return ValidationError(lock.message(), code="locked")
        return super().get_invalid_login_error()


class AuthenticationForm(ThrottledLoginMixin, auth_forms.AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
