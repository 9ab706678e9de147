"""The task worker across restarts (`manage.py worker`): stopped or killed in the middle of a
100,000-identity send and started again, in its own process, it finishes the send with every batch
sent exactly once, as the sandbox received them over real HTTP. And the service it calls to find
the sends nobody works on any more (`sends.sends_stalled_resume`)."""

import collections
import dataclasses
import datetime
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campaigns.models import AttemptState, BatchState, PublishAttempt, SendBatch
from campaigns.publishing import sends
from sandbox import faults
from tests.drafts import emails, identity_send
from tests.processes import in_threads, worker_environment, worker_run
from tests.sandbox_records import profiles_create, sent_batches

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
IDENTITIES = 100_000
BATCHES = 100
# How long the sandbox holds each request while a worker is stopped: long enough to stop it
# while the sandbox has a batch's request.
LATENCY_MS = 300


@pytest.fixture(autouse=True)
def _sending_allowed():
    """A test that asks sends to stop must not stop the next test's."""
    yield
    sends.stop_between_batches.clear()


@dataclasses.dataclass
class WorkerProcess:
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text()


@pytest.fixture
def worker_start(tmp_path):
    """Start `manage.py worker` in its own process; any still running at the end is killed."""
    started: list[WorkerProcess] = []

    def start(**environment: str) -> WorkerProcess:
        log = tmp_path / f"worker-{len(started) + 1}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay"]
                + ["--interval", "0.05", "--recovery-interval", "0.2"],
                cwd=BASE_DIR,
                env={**worker_environment(), **environment},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        started.append(WorkerProcess(process, log))
        return started[-1]

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait()


def wait_until[T](condition: Callable[[], T], *, worker: WorkerProcess, seconds: float = 60) -> T:
    """Poll `condition` until it holds, while the worker runs; its value."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert worker.process.poll() is None, f"The worker exited:\n{worker.output()}"
        assert time.monotonic() < deadline, f"Not done in {seconds}s:\n{worker.output()}"
        time.sleep(0.02)
    return value


def worker_stop(worker: WorkerProcess, how: signal.Signals = signal.SIGTERM) -> int:
    worker.process.send_signal(how)
    return worker.process.wait(timeout=60)


def big_send(people) -> tuple[list[str], PublishAttempt]:
    addresses = emails(IDENTITIES)
    # The sandbox accepts a request that names one profile it knows: one per batch will do.
    profiles_create(emails=addresses[:: IDENTITIES // BATCHES])
    _, attempt = identity_send(people, addresses)
    assert attempt.batches.count() == BATCHES
    return addresses, attempt


# The polls read only what the (attempt, state, number) index holds: reading the batches' or the
# attempt's 100,000 identities as often would slow the sandbox down, which serves in this process.


def batch_in_flight(attempt: PublishAttempt) -> int | None:
    """Once three batches were sent, the number of the one being sent if its request has had
    time to reach the sandbox (which holds it for LATENCY_MS), else None."""
    batches = SendBatch.objects.filter(attempt=attempt)
    if batches.filter(state=BatchState.SENT).count() < 3:
        return None
    reached = timezone.now() - datetime.timedelta(milliseconds=LATENCY_MS / 2)
    in_flight = batches.filter(state=BatchState.SENDING, claimed_at__lte=reached)
    return in_flight.values_list("number", flat=True).first()


def states(attempt: PublishAttempt) -> collections.Counter[str]:
    return collections.Counter(attempt.batches.values_list("state", flat=True))


def settled(attempt: PublishAttempt) -> bool:
    unsettled = (AttemptState.PENDING, AttemptState.SENT)
    return PublishAttempt.objects.filter(pk=attempt.pk).exclude(state__in=unsettled).exists()


def times_received(attempt: PublishAttempt) -> dict[int, int]:
    """How many times the sandbox received each batch, by batch number."""
    received = collections.Counter(tuple(to["Email"]) for to in sent_batches())
    batches = dict(attempt.batches.values_list("number", "to"))
    assert received.keys() <= {tuple(to["Email"]) for to in batches.values()}
    return {number: received[tuple(to["Email"])] for number, to in batches.items()}


# The worker in its own process


def test_a_worker_stopped_mid_send_finishes_its_batch_and_the_next_worker_sends_the_rest(
    sandbox, people, worker_start
):
    addresses, attempt = big_send(people)
    faults.faults_configure(latency_ms=LATENCY_MS)
    first = worker_start()
    in_flight = wait_until(lambda: batch_in_flight(attempt), worker=first)

    assert worker_stop(first) == 0, first.output()

    assert attempt.batches.get(number=in_flight).state == BatchState.SENT
    assert states(attempt) == {BatchState.SENT: in_flight, BatchState.PENDING: BATCHES - in_flight}
    faults.faults_reset()
    second = worker_start()
    wait_until(lambda: settled(attempt), worker=second)
    assert worker_stop(second) == 0, second.output()
    attempt.refresh_from_db()

    assert attempt.state == AttemptState.SUCCEEDED
    assert states(attempt) == {BatchState.SENT: BATCHES}
    assert set(attempt.batches.values_list("sends", flat=True)) == {1}
    assert times_received(attempt) == dict.fromkeys(range(1, BATCHES + 1), 1)
    received = [address for to in sent_batches() for address in to["Email"]]
    assert sorted(received) == sorted(addresses)


def test_a_worker_killed_mid_send_leaves_only_its_batch_in_flight_unknown_once_restarted(
    sandbox, people, worker_start
):
    addresses, attempt = big_send(people)
    faults.faults_configure(latency_ms=LATENCY_MS)
    first = worker_start()
    wait_until(lambda: batch_in_flight(attempt), worker=first)

    worker_stop(first, signal.SIGKILL)

    # What the dead worker left "sending" (the batch in flight, or none if it had just finished).
    left_sending = list(
        attempt.batches.filter(state=BatchState.SENDING).values_list("number", flat=True)
    )
    assert len(left_sending) <= 1
    assert states(attempt)[BatchState.PENDING] > 0
    faults.faults_reset()
    # Started before that batch is stale: the worker's periodic look finds the stalled send.
    second = worker_start(SEND_BATCH_STALE_SECONDS="3")
    wait_until(lambda: settled(attempt), worker=second)
    assert worker_stop(second) == 0, second.output()
    attempt.refresh_from_db()

    unknown = list(attempt.batches.filter(state=BatchState.UNKNOWN).values_list("number", "error"))
    assert unknown == [(number, sends.BATCH_LEFT_SENDING) for number in left_sending]
    assert states(attempt) == collections.Counter(
        {BatchState.SENT: BATCHES - len(left_sending), BatchState.UNKNOWN: len(left_sending)}
    )
    received = times_received(attempt)
    # The batch in flight reached the sandbox once or never; every other batch exactly once.
    in_flight_received = {number: received.pop(number) for number in left_sending}
    assert set(in_flight_received.values()) <= {0, 1}
    assert received == dict.fromkeys(received, 1)
    if left_sending:
        assert attempt.state == AttemptState.UNKNOWN
        assert attempt.error == sends.BATCHES_UNKNOWN.format(unknown=1, total=BATCHES)
    else:
        assert attempt.state == AttemptState.SUCCEEDED
    received_addresses = [address for to in sent_batches() for address in to["Email"]]
    not_received = [
        address
        for number, times in in_flight_received.items()
        if times == 0
        for address in attempt.batches.get(number=number).to["Email"]
    ]
    assert sorted(received_addresses + not_received) == sorted(addresses)


# Stopping between batches, in this process


def test_a_send_asked_to_stop_finishes_the_batch_in_flight_and_claims_no_more(
    sandbox, people, monkeypatch
):
    addresses = emails(2500)
    profiles_create(emails=addresses)
    _, attempt = identity_send(people, addresses)
    batch_send = sends._batch_send

    def send_while_asked_to_stop(attempt, batch):
        sends.stop_between_batches.set()
        batch_send(attempt, batch)

    monkeypatch.setattr(sends, "_batch_send", send_while_asked_to_stop)

    sends.send_attempt_run(attempt=attempt)

    assert dict(attempt.batches.values_list("number", "state")) == {
        1: BatchState.SENT,
        2: BatchState.PENDING,
        3: BatchState.PENDING,
    }
    assert sent_batches() == [{"Email": addresses[:1000]}]
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SENT


# Finding stalled sends


def send_left(people, *, task_status: str, quiet_for: float) -> PublishAttempt:
    """A send of three batches, batch 1 sent, its task in `task_status`, quiet for a while."""
    profiles_create(emails=emails(2500))
    _, attempt = identity_send(people, emails(2500))
    now = timezone.now()
    attempt.batches.filter(number=1).update(
        state=BatchState.SENT, sends=1, claimed_at=now, finished_at=now
    )
    PublishAttempt.objects.filter(pk=attempt.pk).update(state=AttemptState.SENT)
    DBTaskResult.objects.update(status=task_status, started_at=now)
    quiet(attempt, seconds=quiet_for)
    attempt.refresh_from_db()
    return attempt


def quiet(attempt: PublishAttempt, *, seconds: float) -> None:
    """As if nothing had happened to the send for `seconds`."""
    moment = timezone.now() - datetime.timedelta(seconds=seconds)
    attempt.batches.exclude(claimed_at=None).update(claimed_at=moment)
    attempt.batches.exclude(finished_at=None).update(finished_at=moment)
    PublishAttempt.objects.filter(pk=attempt.pk).update(updated_at=moment)
    DBTaskResult.objects.update(enqueued_at=moment, started_at=moment)


@pytest.mark.parametrize(
    ("task_status", "quiet_for"),
    [("READY", 3600), ("RUNNING", 10), ("FAILED", 10)],
    ids=["queued", "running", "failed-just-now"],
)
def test_a_send_whose_task_is_queued_or_still_active_is_left_alone(
    people, settings, task_status, quiet_for
):
    settings.SEND_BATCH_STALE_SECONDS = 60
    attempt = send_left(people, task_status=task_status, quiet_for=quiet_for)

    assert sends.sends_stalled_resume() == []

    assert DBTaskResult.objects.count() == 1
    assert PublishAttempt.objects.get(pk=attempt.pk).task_id == attempt.task_id


def test_a_send_whose_worker_stopped_between_batches_is_queued_again_at_once(people, settings):
    settings.SEND_BATCH_STALE_SECONDS = 60
    attempt = send_left(people, task_status="SUCCESSFUL", quiet_for=0)

    resumed = sends.sends_stalled_resume()

    assert resumed == [attempt.pk]
    queued = DBTaskResult.objects.get(status="READY")
    assert queued.args_kwargs["args"] == [attempt.pk]
    assert PublishAttempt.objects.get(pk=attempt.pk).task_id == str(queued.id)
    assert sends.sends_stalled_resume() == []


def test_a_send_whose_worker_died_is_queued_again_once_nothing_happened_for_the_stale_time(
    sandbox, people, settings
):
    settings.SEND_BATCH_STALE_SECONDS = 60
    attempt = send_left(people, task_status="RUNNING", quiet_for=0)
    attempt.batches.filter(number=2).update(
        state=BatchState.SENDING, sends=1, claimed_at=timezone.now()
    )
    quiet(attempt, seconds=50)
    assert sends.sends_stalled_resume() == []

    quiet(attempt, seconds=70)
    resumed = sends.sends_stalled_resume()
    worker_run()

    assert resumed == [attempt.pk]
    assert dict(attempt.batches.values_list("number", "state")) == {
        1: BatchState.SENT,
        2: BatchState.UNKNOWN,
        3: BatchState.SENT,
    }
    assert sent_batches() == [{"Email": emails(2500)[2000:]}]


def test_a_send_held_for_its_undo_window_is_left_alone(people, settings):
    settings.PUBLISH_UNDO_SECONDS = 60
    settings.SEND_BATCH_STALE_SECONDS = 0
    profiles_create(emails=emails(5))
    _, attempt = identity_send(people, emails(5))

    assert sends.sends_stalled_resume() == []
    assert attempt.batches.get().state == BatchState.PENDING
    assert not DBTaskResult.objects.filter(task_path=sends.send_batches.module_path).exists()


def test_workers_looking_at_once_queue_a_stalled_send_once(people, settings):
    settings.SEND_BATCH_STALE_SECONDS = 60
    attempt = send_left(people, task_status="SUCCESSFUL", quiet_for=0)

    outcomes = in_threads(3, lambda i: sends.sends_stalled_resume())

    assert sorted(outcomes, key=len) == [[], [], [attempt.pk]]
    assert DBTaskResult.objects.filter(status="READY").count() == 1
