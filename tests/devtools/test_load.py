"""`manage.py loadtest`: 8 users for 10 seconds, against gunicorn and the faulty sandbox."""

import io
import re
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from devtools import load


def test_eight_users_for_ten_seconds_lose_nothing_and_create_nothing_twice():
    before = set(Path(tempfile.gettempdir()).glob("campaign-studio-bench-*"))
    out = io.StringIO()

    # Raises CommandError, with the problems printed, when a check fails.
    call_command("loadtest", "--users=8", "--seconds=10", stdout=out)

    text = out.getvalue()
    assert "checks: passed" in text, text
    assert "PROBLEM" not in text
    requests = int(re.search(r"requests: (\d+)", text).group(1))
    assert requests > 8 * 3, text  # every user got past the login and worked
    assert re.search(r"saves: \{.*'saved': \d+", text), text
    assert re.search(r"latency: p50 \d+ ms, p95 \d+ ms", text)
    # The scratch directory (database, servers' logs) is gone.
    assert set(Path(tempfile.gettempdir()).glob("campaign-studio-bench-*")) == before


@pytest.mark.django_db
def test_on_postgresql_it_runs_on_a_scratch_database_it_drops():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL run of the suite (.ci/test) runs this")
    database = connection.settings_dict
    server = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT']}/postgres"
    )
    out = io.StringIO()

    call_command("loadtest", "--users=4", "--seconds=5", f"--postgres={server}", stdout=out)

    assert "checks: passed" in out.getvalue(), out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'campaign_studio_scratch_%%'"
        )
        assert cursor.fetchone() == (0,)


def test_the_report_counts_5xx_answers_and_odd_save_answers_as_problems(db):
    record = load.Record()
    record.save_states.update({"saved": 1, "oops": 1})
    record.server_errors.append("preview /x: 500")
    problems = load.report(record, edited=[], published=[])
    assert any("neither saved nor stale" in p for p in problems)
    assert any("5xx" in p for p in problems)
