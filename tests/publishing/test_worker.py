"""The task worker across restarts (`manage.py worker`): stopped in the middle of a 100,000-identity
send, or killed in the middle of a 20,000-identity one, and started again, in its own process, it
finishes the send with every batch sent exactly once (the one in flight when it was killed left
unknown), as the sandbox received them over real HTTP. Its heartbeat, and the service it calls to
find the sends nobody works on any more (`sends.sends_stalled_resume`)."""

import collections
import dataclasses
import datetime
import html
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campaigns import clevertap
from campaigns.models import AttemptState, BatchState, PublishAttempt, SendBatch, WorkerHeartbeat
from campaigns.publishing import records, sends
from sandbox import faults
from tests.drafts import emails, identity_send
from tests.processes import in_threads, worker_environment, worker_run
from tests.sandbox_records import profiles_create, sent_batches

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
IDENTITIES = 100_000
BATCHES = 100
# The send a worker is killed in the middle of.
KILLED_IDENTITIES = 20_000
KILLED_BATCHES = 20
# What "resumes by itself" means: this long after the worker was killed, at most.
RESUMED_WITHIN_SECONDS = 30
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

    def start(*, defaults: bool = False, **environment: str) -> WorkerProcess:
        """Quick to pick up tasks and to look for stalled sends, unless `defaults`. Never with
        the reloader (on with DEBUG): a signal would reach it, not the worker it runs."""
        log = tmp_path / f"worker-{len(started) + 1}.log"
        quick = ["--no-startup-delay", "--interval", "0.05", "--recovery-interval", "0.2"]
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--no-reload"]
                + ([] if defaults else quick),
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


def big_send(people, identities: int = IDENTITIES) -> tuple[list[str], PublishAttempt]:
    addresses = emails(identities)
    # The sandbox accepts a request that names one profile it knows: one per batch will do.
    profiles_create(emails=addresses[::1000])
    _, attempt = identity_send(people, addresses)
    assert attempt.batches.count() == identities // 1000
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


def heartbeat_of(worker: WorkerProcess) -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.filter(pid=worker.process.pid).first()


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


def test_a_worker_killed_mid_send_is_resumed_by_another_within_30_seconds_by_its_heartbeat(
    sandbox, people, worker_start, client
):
    addresses, attempt = big_send(people, KILLED_IDENTITIES)
    client.force_login(people["publisher"])
    progress_url = reverse("campaigns:send_progress", args=[attempt.campaign_id, attempt.pk])
    faults.faults_configure(latency_ms=LATENCY_MS)
    first = worker_start()
    wait_until(lambda: batch_in_flight(attempt), worker=first)

    worker_stop(first, signal.SIGKILL)
    killed_at = time.monotonic()

    # What the dead worker left "sending" (the batch in flight, or none if it had just finished).
    left_sending = list(
        attempt.batches.filter(state=BatchState.SENDING).values_list("number", flat=True)
    )
    assert len(left_sending) <= 1
    assert states(attempt)[BatchState.PENDING] > 0
    dead = heartbeat_of(first)
    assert dead is not None
    faults.faults_reset()
    # Started at once, with the default heartbeat and intervals: it cannot know yet that the first
    # worker is dead, and finds out from its heartbeat.
    second = worker_start(defaults=True)
    said = set()
    looked_at = 0.0

    def resumed() -> bool:
        nonlocal looked_at
        if time.monotonic() - looked_at >= 0.5:  # as the page polls: now and then
            said.add(progress_status(client, progress_url))
            looked_at = time.monotonic()
        return attempt.batches.filter(claimed_by=second_id()).exists()

    def second_id() -> str:
        found = heartbeat_of(second)
        return found.worker_id if found else "(not started)"

    wait_until(resumed, worker=second, seconds=RESUMED_WITHIN_SECONDS * 2)
    resumed_after = time.monotonic() - killed_at
    wait_until(lambda: settled(attempt), worker=second)
    assert worker_stop(second) == 0, second.output()
    attempt.refresh_from_db()

    assert resumed_after < RESUMED_WITHIN_SECONDS
    stopped_at = timezone.localtime(WorkerHeartbeat.objects.get(pk=dead.pk).beat_at)
    assert (
        sends.SEND_WORKER_DIED.format(
            time=stopped_at.strftime("%H:%M:%S"), then=sends.THEN_RESUMING
        )
        in said
    )
    unknown = list(attempt.batches.filter(state=BatchState.UNKNOWN).values_list("number", "error"))
    assert unknown == [(number, sends.BATCH_LEFT_SENDING) for number in left_sending]
    assert states(attempt) == collections.Counter(
        {
            BatchState.SENT: KILLED_BATCHES - len(left_sending),
            BatchState.UNKNOWN: len(left_sending),
        }
    )
    received = times_received(attempt)
    # The batch in flight reached the sandbox once or never; every other batch exactly once.
    in_flight_received = {number: received.pop(number) for number in left_sending}
    assert set(in_flight_received.values()) <= {0, 1}
    assert received == dict.fromkeys(received, 1)
    if left_sending:
        assert attempt.state == AttemptState.UNKNOWN
        assert attempt.error == sends.BATCHES_UNKNOWN.format(unknown=1, total=KILLED_BATCHES)
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


def progress_status(client, url: str) -> str:
    """What the send's progress fragment says of who sends it (as the page polls it)."""
    response = client.get(url, headers={"HX-Request": "true"})
    if response.status_code != 200 or "HX-Refresh" in response.headers:
        return ""
    found = re.search(r'id="send-status">([^<]*)<', response.content.decode())
    return html.unescape(found.group(1)) if found else ""


def test_a_running_worker_beats_and_is_forgotten_when_it_stops(db, worker_start):
    worker = worker_start(WORKER_HEARTBEAT_SECONDS="0.1")

    first = wait_until(lambda: heartbeat_of(worker), worker=worker)
    wait_until(lambda: heartbeat_of(worker).beat_at > first.beat_at, worker=worker)

    assert first.host == socket.gethostname()
    assert first.worker_id in sends.workers_alive()
    assert worker_stop(worker) == 0, worker.output()
    assert heartbeat_of(worker) is None


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


def heartbeat(worker_id: str = "worker-1", *, silent_for: float = 0) -> WorkerHeartbeat:
    """A worker started an hour ago whose last beat was `silent_for` seconds ago."""
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host="elsewhere",
        pid=4242,
        started_at=now - datetime.timedelta(hours=1),
        beat_at=now - datetime.timedelta(seconds=silent_for),
    )


def silent(worker_id: str, *, seconds: float) -> None:
    """As if the worker's last beat was `seconds` ago."""
    moment = timezone.now() - datetime.timedelta(seconds=seconds)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=moment)


def send_left(
    people, *, task_status: str, quiet_for: float, worker: str = "worker-1"
) -> PublishAttempt:
    """A send of three batches, batch 1 sent, its task in `task_status` (run by `worker`, whose
    heartbeat is alive), quiet for a while."""
    profiles_create(emails=emails(2500))
    _, attempt = identity_send(people, emails(2500))
    heartbeat(worker)
    now = timezone.now()
    attempt.batches.filter(number=1).update(
        state=BatchState.SENT, sends=1, claimed_at=now, claimed_by=worker, finished_at=now
    )
    PublishAttempt.objects.filter(pk=attempt.pk).update(state=AttemptState.SENT)
    DBTaskResult.objects.update(status=task_status, started_at=now, worker_ids=[worker])
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


def dead_after() -> float:
    return sends.worker_dead_after().total_seconds()


@pytest.mark.parametrize(
    ("task_status", "quiet_for"),
    [("READY", 3600), ("RUNNING", 3600), ("FAILED", 10)],
    ids=["queued", "running-by-a-live-worker", "failed-just-now"],
)
def test_a_send_whose_task_is_queued_or_still_active_is_left_alone(people, task_status, quiet_for):
    attempt = send_left(people, task_status=task_status, quiet_for=quiet_for)

    assert sends.sends_stalled_resume() == []

    assert DBTaskResult.objects.count() == 1
    assert PublishAttempt.objects.get(pk=attempt.pk).task_id == attempt.task_id


def test_a_send_whose_worker_stopped_between_batches_is_queued_again_at_once(people):
    attempt = send_left(people, task_status="SUCCESSFUL", quiet_for=0)

    resumed = sends.sends_stalled_resume()

    assert resumed == [attempt.pk]
    queued = DBTaskResult.objects.get(status="READY")
    assert queued.args_kwargs["args"] == [attempt.pk]
    assert PublishAttempt.objects.get(pk=attempt.pk).task_id == str(queued.id)
    assert sends.sends_stalled_resume() == []


def test_a_send_whose_worker_died_is_queued_again_once_its_heartbeat_missed_a_few_beats(
    sandbox, people
):
    attempt = send_left(people, task_status="RUNNING", quiet_for=0)
    attempt.batches.filter(number=2).update(
        state=BatchState.SENDING, sends=1, claimed_at=timezone.now(), claimed_by="worker-1"
    )
    silent("worker-1", seconds=dead_after() - 3)
    assert sends.sends_stalled_resume() == []

    silent("worker-1", seconds=dead_after() + 1)
    resumed = sends.sends_stalled_resume()
    worker_run()

    assert resumed == [attempt.pk]
    assert dict(attempt.batches.values_list("number", "state")) == {
        1: BatchState.SENT,
        2: BatchState.UNKNOWN,
        3: BatchState.SENT,
    }
    assert attempt.batches.get(number=2).error == sends.BATCH_LEFT_SENDING
    assert sent_batches() == [{"Email": emails(2500)[2000:]}]


def test_a_send_run_by_a_worker_that_never_beat_is_queued_again(people):
    attempt = send_left(people, task_status="RUNNING", quiet_for=0)
    WorkerHeartbeat.objects.all().delete()

    assert sends.sends_stalled_resume() == [attempt.pk]


def test_a_worker_started_again_under_the_same_id_does_not_keep_its_old_claims_alive(people):
    attempt = send_left(people, task_status="RUNNING", quiet_for=0)
    attempt.batches.filter(number=2).update(
        state=BatchState.SENDING, claimed_at=timezone.now(), claimed_by="worker-1"
    )
    # The same --worker-id, started again after that claim: its old run is not running.
    WorkerHeartbeat.objects.update(started_at=timezone.now() + datetime.timedelta(seconds=1))

    assert sends.sends_stalled_resume() == [attempt.pk]
    assert sends.send_attempt_resume(attempt=attempt, user=people["publisher"]) == 1
    assert attempt.batches.get(number=2).state == BatchState.UNKNOWN


def test_a_send_whose_run_failed_is_queued_again_once_a_worker_would_count_as_dead(people):
    attempt = send_left(people, task_status="FAILED", quiet_for=dead_after() + 1)

    assert sends.sends_stalled_resume() == [attempt.pk]


def test_a_batch_claimed_outside_a_worker_is_unknown_only_once_no_call_can_still_be_running(
    people, settings
):
    settings.CLEVERTAP_MAX_ATTEMPTS = 1
    settings.CLEVERTAP_LIMIT_WAIT_SECONDS = 1
    attempt = send_left(people, task_status="SUCCESSFUL", quiet_for=0)
    longest = records.call_seconds_longest()
    claimed = timezone.now() - datetime.timedelta(seconds=longest - 5)
    attempt.batches.filter(number=2).update(state=BatchState.SENDING, claimed_at=claimed)

    sends.send_attempt_resume(attempt=attempt, user=people["publisher"])
    assert attempt.batches.get(number=2).state == BatchState.SENDING

    attempt.batches.filter(number=2).update(claimed_at=claimed - datetime.timedelta(seconds=6))
    sends.send_attempt_resume(attempt=attempt, user=people["publisher"])
    assert attempt.batches.get(number=2).state == BatchState.UNKNOWN


def test_a_send_held_for_its_undo_window_is_left_alone(people, settings):
    settings.PUBLISH_UNDO_SECONDS = 60
    profiles_create(emails=emails(5))
    _, attempt = identity_send(people, emails(5))

    assert sends.sends_stalled_resume() == []
    assert attempt.batches.get().state == BatchState.PENDING
    assert not DBTaskResult.objects.filter(task_path=sends.send_batches.module_path).exists()


def test_workers_looking_at_once_queue_a_stalled_send_once(people):
    attempt = send_left(people, task_status="SUCCESSFUL", quiet_for=0)

    outcomes = in_threads(3, lambda i: sends.sends_stalled_resume())

    assert sorted(outcomes, key=len) == [[], [], [attempt.pk]]
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_workers_dead_for_a_day_are_forgotten(db):
    heartbeat("alive")
    heartbeat("dead-a-minute", silent_for=60)
    heartbeat("dead-a-day", silent_for=24 * 3600 + 1)

    assert sends.workers_dead_forget() == 1

    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {
        "alive",
        "dead-a-minute",
    }
    assert set(sends.workers_alive()) == {"alive"}


# What the progress of a send says, live


def said(attempt: PublishAttempt) -> tuple[str, bool, bool]:
    progress = sends.send_progress(attempt=attempt)
    return progress["status"], progress["warning"], progress["stalled"]


def local_time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M:%S")


def test_a_queued_send_says_whether_a_worker_is_running(people):
    profiles_create(emails=emails(5))
    _, attempt = identity_send(people, emails(5))
    attempt.refresh_from_db()

    assert said(attempt) == (sends.SEND_NO_WORKER, True, False)
    heartbeat("worker-2")
    assert said(attempt) == (sends.SEND_WAITING, False, False)


def test_a_send_whose_worker_is_alive_says_nothing_more(people):
    attempt = send_left(people, task_status="RUNNING", quiet_for=3600)

    assert said(attempt) == ("", False, False)


def test_a_send_whose_worker_stopped_responding_says_when_and_what_comes_next(people):
    attempt = send_left(people, task_status="RUNNING", quiet_for=0)
    silent("worker-1", seconds=dead_after() + 1)
    last_beat = local_time(WorkerHeartbeat.objects.get().beat_at)

    nobody = sends.SEND_WORKER_DIED.format(time=last_beat, then=sends.THEN_NO_WORKER)
    assert said(attempt) == (nobody, True, True)
    heartbeat("worker-2")
    resuming = sends.SEND_WORKER_DIED.format(time=last_beat, then=sends.THEN_RESUMING)
    assert said(attempt) == (resuming, True, True)

    attempt.batches.filter(number=2).update(
        state=BatchState.SENDING, claimed_at=timezone.now(), claimed_by="worker-1"
    )
    sends.sends_stalled_resume()
    attempt.refresh_from_db()
    # Queued again: until the next run marks the batch in flight unknown, it still says why.
    assert said(attempt) == (resuming, True, False)


def test_a_send_whose_run_ended_with_batches_waiting_says_so(people):
    attempt = send_left(people, task_status="SUCCESSFUL", quiet_for=0)
    finished = timezone.now() - datetime.timedelta(seconds=3)
    DBTaskResult.objects.update(finished_at=finished)
    WorkerHeartbeat.objects.all().delete()

    stopped = sends.SEND_WORKER_STOPPED.format(time=local_time(finished), then=sends.THEN_NO_WORKER)
    assert said(attempt) == (stopped, True, True)

    DBTaskResult.objects.update(status="FAILED")
    failed = sends.SEND_RUN_FAILED.format(time=local_time(finished), then=sends.THEN_NO_WORKER)
    assert said(attempt) == (failed, True, True)


def test_a_batch_whose_run_fails_is_left_unknown_not_sending(sandbox, people, monkeypatch):
    profiles_create(emails=emails(5))
    _, attempt = identity_send(people, emails(5))

    def broken(**kwargs):
        raise RuntimeError("the run fails here")

    monkeypatch.setattr(clevertap, "send", broken)

    with pytest.raises(RuntimeError):
        sends.send_attempt_run(attempt=attempt)

    batch = attempt.batches.get()
    assert (batch.state, batch.error) == (BatchState.UNKNOWN, sends.BATCH_LEFT_SENDING)
