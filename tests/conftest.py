import pytest

from campaigns import demo


@pytest.fixture
def demo_users(db):
    return {user.username: user for user in demo.demo_users_ensure()}


@pytest.fixture
def composer_client(client, demo_users):
    client.login(username="composer", password=demo_users["composer"].password)
    return client
