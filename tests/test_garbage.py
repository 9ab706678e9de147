"""The cyclic garbage collector runs between requests (`config/garbage.py`), not inside them."""

import gc
import weakref
from pathlib import Path

import pytest
from django.core.signals import request_finished

from config import garbage
from tests.processes import python_printed

ROOT = Path(__file__).resolve().parent.parent


class Node:
    """An object in a cycle: only the cyclic collector frees it."""

    def __init__(self):
        self.me = self


def _cycle_left_behind() -> weakref.ref:
    return weakref.ref(Node())


@pytest.fixture
def collector_off():
    """Nothing but the code under test collects while a test runs."""
    was_enabled = gc.isenabled()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()


@pytest.mark.parametrize(
    ("counts", "due"),
    [
        ((0, 0, 0), 0),
        ((1999, 10, 10), 0),
        ((5, 11, 0), 1),
        ((5, 3, 11), 2),
        ((5, 11, 11), 2),
    ],
)
def test_the_generation_due_is_the_oldest_over_its_threshold(counts, due):
    assert garbage.generation_due(counts, (2000, 10, 10)) == due


def test_a_requests_cycles_are_collected_once_it_is_answered(client, db, collector_off):
    left = _cycle_left_behind()
    client.get("/health/")
    assert left() is not None, "without the receiver nothing collects (the test can fail)"

    garbage.collect_between_requests()
    try:
        client.get("/health/")
        assert left() is None
    finally:
        request_finished.disconnect(dispatch_uid="collect_after_request")


def test_the_older_generation_is_collected_when_its_count_is_over(client, db, collector_off):
    gc.collect()
    _, threshold1, _ = gc.get_threshold()
    for _ in range(threshold1 + 1):
        gc.collect(0)
    assert gc.get_count()[1] > threshold1
    garbage.collect_between_requests()
    try:
        client.get("/health/")
    finally:
        request_finished.disconnect(dispatch_uid="collect_after_request")
    # A collection of the older generation counts one for the oldest and restarts its own count.
    assert gc.get_count()[1] == 0


def test_the_wsgi_application_collects_between_requests():
    """As gunicorn serves it: a request through `config.wsgi.application`, its answer read and
    closed, leaves no cycle behind (the collector's own runs turned off)."""
    script = """
import gc, io, weakref
from wsgiref.util import setup_testing_defaults
from config.wsgi import application
gc.disable()
class Node:
    def __init__(self):
        self.me = self
left = weakref.ref(Node())
environ = {"PATH_INFO": "/login/", "wsgi.input": io.BytesIO()}
setup_testing_defaults(environ)
answer = application(environ, lambda status, headers: None)
b"".join(answer)
assert left() is not None
answer.close()
print("collected" if left() is None else "left")
"""
    assert python_printed(script) == "collected"
