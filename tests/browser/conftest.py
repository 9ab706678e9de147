import threading

import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def login(page, live_server, demo_users):
    """Log in through the real login page as one of the demo users."""

    def _login(username: str):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(demo_users[username].password)
        page.get_by_role("button", name="Log in").click()
        return page

    return _login


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # Every browser test restores the migrated data (`serialized_rollback`): a live-server
            # test that flushes without it re-creates the content types under new ids, and the
            # next test that restores them fails at set-up on their unique names.
            marker = item.get_closest_marker("django_db")
            if marker is not None and not marker.kwargs.get("serialized_rollback"):
                raise pytest.UsageError(f"{item.nodeid}: browser tests need serialized_rollback")


# Opted into by the modules that need them (`pytest.mark.usefixtures`).


@pytest.fixture
def one_request_at_a_time(live_server):
    """Serve the app's requests one at a time: pages send several at once (preview, autosave and
    swaps; several people's polls), and these tests expect their answers in order.

    The sandbox is let through: a publish calls it over HTTP from inside a page's request, which
    holds the lock while it waits for the answer.
    """
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    lock = threading.Lock()

    def serialized(environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/sandbox/"):
            return app(environ, start_response)
        with lock:
            response = app(environ, start_response)
            try:
                content = b"".join(response)
            finally:
                if hasattr(response, "close"):
                    response.close()
        return [content]

    httpd.set_app(serialized)
    yield
    httpd.set_app(app)


@pytest.fixture
def quiet_pages_at_the_end(context):
    """Leave every page when a test ends, so no autosave still runs while the database resets."""
    yield
    for open_page in context.pages:
        open_page.wait_for_load_state("networkidle")
        open_page.goto("about:blank")
