import pytest


@pytest.fixture
def as_user(client, people):
    """The test client, logged in as one of the demo users by name: `as_user("reviewer")`."""

    def log_in(name: str):
        client.force_login(people[name])
        return client

    return log_in
