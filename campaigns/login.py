"""Logging in: django-axes counts failed logins and locks (settings: AXES_*); this module tells it
who the client is and which username was typed, and tells a locked-out person why, in words.

Axes' backend refuses a locked login before any password is checked, so a locked login answers the
same whatever was typed. Usernames that do not exist are counted and locked like any other. A
successful login forgets the username's failures but not its address's, so one valid account
cannot be used to reset an address's count.
"""

import ipaddress
import math

from axes import backends as axes_backends
from axes import helpers as axes_helpers
from axes import utils as axes_utils
from axes.handlers import proxy as axes_proxy
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import backends as auth_backends
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from campaigns import raw_reads, roles

LOCKED_USERNAME = (
    "Too many failed attempts to log in with this username. To protect the account, logging in "
    "with it is paused: try again in {minutes} minute{plural}."
)
LOCKED_ADDRESS = (
    "Too many failed attempts to log in from your network address. Logging in from it is paused: "
    "try again in {minutes} minute{plural}."
)
LOCKED = {"username": LOCKED_USERNAME, "ip_address": LOCKED_ADDRESS}


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, as far as the trusted proxies in front of the app tell it; None if
    unreadable (AXES_CLIENT_IP_CALLABLE).

    With `TRUSTED_PROXY_COUNT` proxies each appending to X-Forwarded-For, the client is the entry
    that many places from the end: anything further left was written by the client itself. IPv6
    clients are counted per /64 network, since one host can use any address in it: by the network's
    first address, as axes stores an address, not a network.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def username_counted(request: HttpRequest, credentials: dict | None) -> str:
    """The username a login counts against, as typed but for case and surrounding spaces
    (AXES_USERNAME_CALLABLE)."""
    typed = (credentials or request.POST).get("username") or ""
    return typed.strip().casefold()


class AxesBackend(axes_backends.AxesStandaloneBackend):
    """Axes' gate for logins through a page. `authenticate()` without a request (the test client's
    `login()`, a script) has no client to count against, and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class ModelBackend(auth_backends.ModelBackend):
    """Django's backend, reading the person a session names and their permissions with queries
    written out (`raw_reads`, `roles.permissions_of`): every request of a person logged in reads
    them, and the ORM's compiling of those queries cost three times their running."""

    def get_user(self, user_id):
        model = get_user_model()
        fields = [field.name for field in model._meta.concrete_fields]
        user = raw_reads.row(model, fields, id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        # As Django's, loaded in one query written out (`roles.permissions_of`).
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = roles.permissions_of(user_obj)
        return user_obj._perm_cache


def _lock_message(request: HttpRequest, *, username: str) -> str | None:
    """The lock that refused this login, in words (the username's before the address's)."""
    credentials = axes_helpers.get_credentials(username)
    limit = axes_helpers.get_failure_limit(request, credentials)
    cool_off = axes_helpers.get_cool_off(request)
    handler = axes_proxy.AxesProxyHandler.get_implementation()
    parameters = axes_helpers.get_lockout_parameters(request, credentials)
    for parameter, attempts in zip(
        parameters, handler.get_user_attempts(request, credentials), strict=True
    ):
        failures = 0
        for attempt_time, count in attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        ):
            failures += count
            if failures >= limit:
                # Locked until this failure leaves the period: too few would be left within it.
                seconds = (attempt_time + cool_off - timezone.now()).total_seconds()
                minutes = max(1, math.ceil(seconds / 60))
                return LOCKED[parameter].format(minutes=minutes, plural="" if minutes == 1 else "s")
    return None


class LockedLoginMixin:
    """Show a lock as the form's error on the login page; forget a username's failures once it
    logs in."""

    def clean(self):
        cleaned = super().clean()
        if self.user_cache is not None:
            axes_utils.reset(username=username_counted(self.request, cleaned))
        return cleaned

    def get_invalid_login_error(self):
        if getattr(self.request, "axes_locked_out", False):
            message = _lock_message(self.request, username=self.cleaned_data["username"])
            if message is not None:
                return ValidationError(message, code="locked")
        return super().get_invalid_login_error()


class AuthenticationForm(LockedLoginMixin, auth_forms.AuthenticationForm):
    pass


class AdminLoginForm(LockedLoginMixin, AdminAuthenticationForm):
    pass
