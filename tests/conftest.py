import pytest

from devtools import demo


@pytest.fixture
def demo_users(db):
    return {user.username: user for user in demo.demo_users_ensure()}


@pytest.fixture
def composer_client(client, demo_users):
    client.login(username="composer", password=demo_users["composer"].password)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached suggestions must not leak from one test's data into another's."""
    from django.core.cache import cache

    cache.clear()
