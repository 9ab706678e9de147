"""Login throttling, on django-axes: per username and per address, in words on the login pages,
with no account enumeration, shared through the database by every app server."""

import datetime
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone

from campaigns import login

ROOT = Path(__file__).resolve().parent.parent
LOGIN_URL = "/login/"
WRONG_PASSWORD = "Please enter a correct username and password"
pytestmark = pytest.mark.django_db


def login_attempt(client, username, password, address="10.0.0.1", url=LOGIN_URL, **headers):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def locked_text(template: str, minutes: int) -> str:
    return template.format(minutes=minutes, plural="" if minutes == 1 else "s")


def problem(response) -> str:
    """The error above the login form, as the person reads it."""
    found = re.search(r'id="login-problem">(.*?)</div>', response.text, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else ""


def age_failures(delta: datetime.timedelta) -> None:
    """Move every recorded failure back in time, as if `delta` had passed."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)


def test_five_failed_logins_lock_the_username_with_a_clear_message(client, demo_users):
    for attempt in range(4):
        response = login_attempt(client, "composer", "wrong", address=f"10.0.1.{attempt}")
        assert WRONG_PASSWORD in response.text
    response = login_attempt(client, "composer", "wrong", address="10.0.1.9")
    assert response.status_code == 200
    assert locked_text(login.LOCKED_USERNAME, 15) in response.text
    # Even the right password, from anywhere, is refused while the lock lasts.
    password = demo_users["composer"].password
    response = login_attempt(client, "Composer", password, address="10.0.2.1")
    response = login_attempt(client, "composer", password, address="10.0.2.1")
    assert response.status_code == 200
    assert locked_text(login.LOCKED_USERNAME, 15) in response.text
    assert 'name="username"' in response.text
    assert not is_logged_in(client)


def test_five_failures_from_one_address_lock_it_for_every_username(client, demo_users):
    for name in ["ann", "bob", "cy", "dee", "eve"]:
        login_attempt(client, name, "guess", address="192.0.2.7")
    password = demo_users["composer"].password
    response = login_attempt(client, "composer", password, address="192.0.2.7")
    assert response.status_code == 200
    assert locked_text(login.LOCKED_ADDRESS, 15) in response.text
    assert not is_logged_in(client)
    response = login_attempt(client, "composer", password, address="192.0.2.8")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_an_unknown_username_is_counted_and_locked_like_a_real_one(client, demo_users):
    answers = {}
    for name in ["composer", "nobody-of-that-name"]:
        answers[name] = [
            problem(login_attempt(client, name, "wrong", address=f"10.0.9.{attempt}"))
            for attempt in range(5)
        ]
    assert answers["composer"] == answers["nobody-of-that-name"]
    assert answers["composer"][-1] == locked_text(login.LOCKED_USERNAME, 15)
    # While locked, the answer is the same whatever password was typed.
    right = login_attempt(client, "composer", demo_users["composer"].password, address="10.0.9.7")
    wrong = login_attempt(client, "composer", "another guess", address="10.0.9.8")
    unknown = login_attempt(client, "nobody-of-that-name", "x", address="10.0.9.9")
    assert problem(right) == problem(wrong) == problem(unknown) == answers["composer"][-1]


def test_a_locked_login_does_not_check_the_password(client, demo_users):
    for attempt in range(5):
        login_attempt(client, "composer", "wrong", address=f"10.0.10.{attempt}")
    with mock.patch.object(
        ModelBackend, "authenticate", autospec=True, side_effect=AssertionError("checked")
    ) as check:
        response = login_attempt(client, "composer", demo_users["composer"].password)
    assert not check.called
    assert locked_text(login.LOCKED_USERNAME, 15) in response.text


def test_a_successful_login_clears_the_usernames_failures(client, demo_users):
    password = demo_users["composer"].password
    for attempt in range(4):
        login_attempt(client, "composer", "wrong", address=f"10.0.3.{attempt}")
    assert login_attempt(client, "composer", password, address="10.0.4.1").status_code == 302
    assert not AccessAttempt.objects.filter(username="composer").exists()
    client.logout()
    for attempt in range(4):
        login_attempt(client, "composer", "wrong", address=f"10.0.5.{attempt}")
    assert login_attempt(client, "composer", password, address="10.0.6.1").status_code == 302


def test_a_successful_login_leaves_the_addresss_failures(client, demo_users):
    # One valid account cannot be used to reset its address's count.
    for name in ["ann", "bob", "cy", "dee"]:
        login_attempt(client, name, "guess", address="192.0.2.20")
    password = demo_users["composer"].password
    assert login_attempt(client, "composer", password, address="192.0.2.20").status_code == 302
    client.logout()
    response = login_attempt(client, "eve", "guess", address="192.0.2.20")
    assert locked_text(login.LOCKED_ADDRESS, 15) in response.text


def test_a_lock_set_by_another_app_server_is_honoured(client, demo_users):
    # Failures live in the database: a lock written by any server holds on every server.
    AccessAttempt.objects.create(
        username="composer",
        ip_address="198.51.100.40",
        user_agent="another app server's client",
        http_accept="*/*",
        path_info=LOGIN_URL,
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    age_failures(datetime.timedelta(minutes=12))
    response = login_attempt(client, "composer", demo_users["composer"].password)
    assert locked_text(login.LOCKED_USERNAME, 3) in response.text
    assert not is_logged_in(client)


def test_a_lock_ends_after_the_lockout(client, demo_users):
    password = demo_users["composer"].password
    for attempt in range(5):
        login_attempt(client, "composer", "wrong", address=f"10.0.11.{attempt}")
    age_failures(datetime.timedelta(minutes=14, seconds=30))
    response = login_attempt(client, "COMPOSER", "wrong", address="10.0.12.1")
    assert locked_text(login.LOCKED_USERNAME, 1) in response.text
    age_failures(datetime.timedelta(seconds=35))
    # After the lock a fresh allowance: one failure does not lock again.
    assert WRONG_PASSWORD in login_attempt(client, "composer", "wrong", address="10.0.12.2").text
    assert login_attempt(client, "composer", password, address="10.0.12.3").status_code == 302


def test_failures_further_apart_than_the_period_do_not_add_up(client):
    for minutes_ago in (15.5, 11.5, 7.5, 3.5):
        login_attempt(client, "ann", "wrong", address="10.0.13.1")
        # Each failure from its own address, so that each keeps its own time.
        AccessAttempt.objects.filter(ip_address="10.0.13.1").update(
            ip_address=f"10.0.14.{int(minutes_ago)}",
            attempt_time=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        )
    response = login_attempt(client, "ann", "wrong", address="10.0.13.2")
    assert WRONG_PASSWORD in response.text


def test_the_limit_and_lockout_come_from_settings(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=120)
    login_attempt(client, "ann", "a", address="10.0.7.1")
    response = login_attempt(client, "ann", "b", address="10.0.7.2")
    assert locked_text(login.LOCKED_USERNAME, 2) in response.text


PRINT_AXES_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'limit': s.AXES_FAILURE_LIMIT, 'seconds': s.AXES_COOLOFF_TIME.total_seconds(),"
    " 'parameters': s.AXES_LOCKOUT_PARAMETERS, 'enabled': s.AXES_ENABLED}))"
)


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, (5, 900, ["username", "ip_address"], True)),
        # Axes has one limit and one period: it takes the stricter of ours.
        (
            {
                "LOGIN_FAILURES_PER_USERNAME": "3",
                "LOGIN_FAILURES_PER_ADDRESS": "10",
                "LOGIN_FAILURE_WINDOW_SECONDS": "600",
                "LOGIN_LOCKOUT_SECONDS": "1200",
            },
            (3, 1200, ["username", "ip_address"], True),
        ),
        ({"LOGIN_FAILURES_PER_ADDRESS": "0"}, (5, 900, ["username"], True)),
        ({"LOGIN_FAILURES_PER_USERNAME": "7"}, (5, 900, ["username", "ip_address"], True)),
        (
            {"LOGIN_FAILURES_PER_USERNAME": "0", "LOGIN_FAILURES_PER_ADDRESS": "0"},
            (0, 900, [], False),
        ),
    ],
)
def test_the_login_limits_from_the_environment_configure_axes(env, expected):
    base = {k: v for k, v in os.environ.items() if not k.startswith("LOGIN_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PRINT_AXES_SETTINGS],
        cwd=ROOT,
        env=base | {"DEBUG": "true"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    limit, seconds, parameters, enabled = expected
    assert json.loads(result.stdout) == {
        "limit": limit,
        "seconds": seconds,
        "parameters": parameters,
        "enabled": enabled,
    }


def test_the_admin_login_is_throttled_too(client, demo_users):
    for _ in range(5):
        response = login_attempt(client, "admin", "wrong", address="10.0.8.1", url="/admin/login/")
    assert response.status_code == 200
    assert locked_text(login.LOCKED_USERNAME, 15) in response.text
    password = demo_users["admin"].password
    response = login_attempt(client, "admin", password, address="10.0.8.2", url="/admin/login/")
    assert response.status_code == 200
    assert locked_text(login.LOCKED_USERNAME, 15) in response.text
    assert not is_logged_in(client)


def test_locking_is_logged_without_the_password(client, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(6):
        client.post(
            LOGIN_URL,
            {
                "username": "ann",
                "password": "hunter2-secret-guess",
                "csrfmiddlewaretoken": "token-kept-nowhere",
            },
            REMOTE_ADDR="10.0.0.1",
        )
    assert 'AXES: Locking out {username: "ann", ip_address: "10.0.0.1"' in caplog.text
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    for secret in ["hunter2-secret-guess", "token-kept-nowhere"]:
        assert secret not in caplog.text
        assert secret not in stored


def test_old_failures_are_forgotten(client):
    login_attempt(client, "ann", "wrong", address="10.0.0.1")
    age_failures(datetime.timedelta(days=1))
    login_attempt(client, "bob", "wrong", address="10.0.0.2")
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("bob", "10.0.0.2")
    ]


def test_logging_in_without_a_request_is_not_counted(demo_users):
    # Scripts and the test client's login() call authenticate() with no client to count against.
    assert authenticate(username="composer", password="wrong") is None
    assert not AccessAttempt.objects.exists()
    password = demo_users["composer"].password
    assert authenticate(username="composer", password=password).username == "composer"


# The client address


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        (0, "203.0.113.5", "198.51.100.1", "203.0.113.5"),
        (1, "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # Whatever the client wrote itself is further left than the proxy's entry.
        (1, "10.0.0.2", "1.1.1.1, 198.51.100.1", "198.51.100.1"),
        (2, "10.0.0.3", "1.1.1.1, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "10.0.0.3", "198.51.100.1", "10.0.0.3"),
        (0, "2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::"),
        (0, "::ffff:192.0.2.1", "", "192.0.2.1"),
        (1, "10.0.0.2", "not-an-address", None),
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies_only(
    rf, settings, proxies, remote, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert login.client_address(request) == expected


def test_the_address_locked_is_the_one_the_trusted_proxy_saw(client, settings, demo_users):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt, name in enumerate(["ann", "bob", "cy", "dee", "eve"]):
        # The client writes a new address of its own each time; the proxy appends the real one.
        forwarded = f"203.0.113.{attempt}, 198.51.100.9"
        login_attempt(client, name, "guess", address="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    password = demo_users["composer"].password
    response = login_attempt(
        client, "composer", password, address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert locked_text(login.LOCKED_ADDRESS, 15) in response.text
    response = login_attempt(
        client, "composer", password, address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.10"
    )
    assert response.status_code == 302


def test_an_ipv6_client_is_counted_per_64_network(client, demo_users):
    for attempt, name in enumerate(["ann", "bob", "cy", "dee", "eve"], start=1):
        login_attempt(client, name, "guess", address=f"2001:db8:1:2::{attempt}")
    password = demo_users["composer"].password
    response = login_attempt(client, "composer", password, address="2001:db8:1:2:ffff::9")
    assert locked_text(login.LOCKED_ADDRESS, 15) in response.text
    response = login_attempt(client, "composer", password, address="2001:db8:1:3::1")
    assert response.status_code == 302
