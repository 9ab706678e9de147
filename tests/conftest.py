"""Fixtures every test module can ask for by name.

`people` are the demo users by name; `sandbox` points the app's CleverTap client at the sandbox
app served by pytest-django's live_server, over real HTTP, with a distinctive passcode and a small
known audience; `configured` and `server` point it at a scripted fault server instead.
"""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from devtools import demo
from sandbox import faults, limits
from tests import fault_server, sandbox_records


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The demo users' passwords are hashed in many tests; Argon2 is slow on purpose (the setting
    # itself is tested in test_security.py).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached suggestions must not leak from one test's data into another's."""
    cache.clear()


@pytest.fixture
def demo_users(db):
    """The demo users as the demo command makes them, with their passwords, by name."""
    return {user.username: user for user in demo.demo_users_ensure()}


@pytest.fixture
def composer_client(client, demo_users):
    client.login(username="composer", password=demo_users["composer"].password)
    return client


@pytest.fixture
def composer_user(demo_users):
    return get_user_model().objects.get(username="composer")


@pytest.fixture
def people(db, settings) -> dict[str, Any]:
    """The demo users (composer, reviewer, publisher, admin) with their roles, by name."""
    # Publishing at once: the undo window has its own tests (tests/publishing/test_undo_window.py).
    settings.PUBLISH_UNDO_SECONDS = 0
    demo.demo_users_ensure()
    return {user.username: user for user in get_user_model().objects.all()}


@pytest.fixture
def undo(people, settings):
    """Publishing waits out a 30-second undo window (`people` sends at once)."""
    settings.PUBLISH_UNDO_SECONDS = 30
    return settings


@pytest.fixture
def sandbox(live_server, settings) -> Any:
    """The client talks to the sandbox over HTTP; the audience: 12 Android and 7 iOS users."""
    settings.CLEVERTAP_CONFIGURED = False
    settings.SANDBOX_ENABLED = True
    settings.SANDBOX_BASE_URL = f"{live_server.url}/sandbox"
    settings.SANDBOX_PASSCODE = sandbox_records.PASSCODE
    settings.CLEVERTAP_RETRY_BASE_DELAY = 0.01
    settings.CLEVERTAP_LIMIT_POLL_SECONDS = 0.01
    settings.CLEVERTAP_READ_TIMEOUT = 10.0
    limits.limits_reset()
    faults.faults_reset()
    sandbox_records.profiles_create(
        android=sandbox_records.ANDROID_USERS, ios=sandbox_records.IOS_USERS
    )
    yield live_server
    faults.faults_reset()
    limits.limits_reset()


@pytest.fixture
def configured(settings):
    """CleverTap credentials are configured (short timeouts and waits): no sandbox."""
    settings.CLEVERTAP_CONFIGURED = True
    settings.CLEVERTAP_ACCOUNT_ID = fault_server.ACCOUNT_ID
    settings.CLEVERTAP_PASSCODE = fault_server.PASSCODE
    settings.CLEVERTAP_REGION = "eu1"
    settings.CLEVERTAP_API_HOST = ""
    settings.CLEVERTAP_CONNECT_TIMEOUT = 1.0
    settings.CLEVERTAP_READ_TIMEOUT = 2.0
    settings.CLEVERTAP_MAX_ATTEMPTS = 4
    settings.CLEVERTAP_RETRY_BASE_DELAY = 0.001
    settings.CLEVERTAP_LIMIT_POLL_SECONDS = 0.01
    return settings


@pytest.fixture
def server(configured):
    """The configured account's API host is a real HTTP server answering scripted faults."""
    scripted = fault_server.FaultServer().start()
    configured.CLEVERTAP_API_HOST = scripted.url
    yield scripted
    scripted.stop()
