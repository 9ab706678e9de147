"""The client's limits under contention, counted at the sandbox: four processes estimating and
publishing at once never have more than 3 requests in flight at CleverTap, nor more than 3
campaign creates in any one second.

Each process is `manage.py shell` on the test database (tests/processes.py), talking to the live
sandbox over real HTTP; the sandbox serves in this process, so its counters (`sandbox.limits`)
are read here.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from campaigns import clevertap
from campaigns.models import AttemptState, Estimate, EstimateState, PublishAttempt
from sandbox import faults, limits
from tests.drafts import PUSH_BODY, draft
from tests.processes import in_threads, worker_environment
from tests.sandbox_records import creates_received

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
PROCESSES = 4
ESTIMATES_EACH = 3
PUBLISHES_EACH = 3
# Long enough for the processes' requests to overlap at the sandbox.
LATENCY_MS = 150

# Waits for the go file (so that all four start together), then estimates and publishes its drafts
# as the publisher would, and prints what became of them.
PROCESS_CODE = """
import json, os, time
from pathlib import Path
from django.contrib.auth import get_user_model
from campaigns.models import Campaign
from campaigns.publishing import attempts, confirm, estimates

publisher = get_user_model().objects.get(username="publisher")
work = json.loads(os.environ["CONTENTION_WORK"])
Path(os.environ["CONTENTION_READY"]).touch()
go = Path(os.environ["CONTENTION_GO"])
while not go.exists():
    time.sleep(0.01)
done = {"estimates": [], "attempts": []}
for pk in work["estimate"]:
    made = estimates.campaign_estimate(campaign=Campaign.objects.get(pk=pk), user=publisher)
    done["estimates"].append(made.pk)
for pk in work["publish"]:
    campaign = Campaign.objects.get(pk=pk)
    token = confirm.publish_confirmation(campaign=campaign, user=publisher).token
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=token
    )
    done["attempts"].append(attempt.pk)
print(json.dumps(done))
"""


def test_four_processes_never_exceed_3_in_flight_nor_3_creates_a_second(
    sandbox, people, tmp_path, settings
):
    faults.faults_configure(latency_ms=LATENCY_MS)
    # The sandbox counts create calls without refusing them, so that what it saw is what the
    # client sent.
    settings.SANDBOX_CREATE_PER_SECOND = 0
    limits.limits_reset()
    work = [
        {
            "estimate": [draft(people["composer"]).pk for _ in range(ESTIMATES_EACH)],
            "publish": [
                draft(people["composer"], {**PUSH_BODY, "name": f"Sale {n}-{i}"}).pk
                for i in range(PUBLISHES_EACH)
            ],
        }
        for n in range(PROCESSES)
    ]
    go = tmp_path / "go"
    started = []
    for n, share in enumerate(work):
        environment = {
            **worker_environment(),
            # Sent at once: the undo window has its own tests.
            "PUBLISH_UNDO_SECONDS": "0",
            "CONTENTION_WORK": json.dumps(share),
            "CONTENTION_READY": str(tmp_path / f"ready-{n}"),
            "CONTENTION_GO": str(go),
        }
        started.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "shell", "-c", PROCESS_CODE],
                cwd=BASE_DIR,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        deadline = time.monotonic() + 120
        while not all((tmp_path / f"ready-{n}").exists() for n in range(PROCESSES)):
            assert all(p.poll() is None for p in started), [p.communicate() for p in started]
            assert time.monotonic() < deadline, "the processes did not start"
            time.sleep(0.05)
        go.touch()
        outputs = [process.communicate(timeout=300) for process in started]
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait()

    assert [p.returncode for p in started] == [0] * PROCESSES, outputs
    done = [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs]
    made = Estimate.objects.filter(pk__in=[pk for d in done for pk in d["estimates"]])
    assert [e.state for e in made] == [EstimateState.READY] * PROCESSES * ESTIMATES_EACH
    published = PublishAttempt.objects.filter(pk__in=[pk for d in done for pk in d["attempts"]])
    assert [a.state for a in published] == [AttemptState.SUCCEEDED] * PROCESSES * PUBLISHES_EACH
    assert len({a.clevertap_id for a in published}) == PROCESSES * PUBLISHES_EACH
    # What the sandbox saw: contention, and never more than the limits.
    assert 2 <= limits.in_flight.peak <= 3, limits.in_flight.peak
    assert 1 <= limits.creates_seen.peak <= 3, limits.creates_seen.peak
    assert limits.create_rate.seen.peak <= 3, limits.create_rate.seen.peak
    assert len(creates_received()) <= PROCESSES * PUBLISHES_EACH


def test_estimates_count_against_the_create_rate_as_the_sandbox_counts_them(sandbox, settings):
    settings.SANDBOX_CREATE_PER_SECOND = 0
    limits.limits_reset()

    outcomes = in_threads(
        8, lambda _: clevertap.estimate(endpoint="targets/create.json", body=PUSH_BODY)
    )

    assert all(isinstance(o, clevertap.CleverTapResult) for o in outcomes), outcomes
    assert limits.create_rate.seen.peak <= 3, limits.create_rate.seen.peak
