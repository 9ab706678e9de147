import pytest
from django.db import OperationalError

from campaigns import clevertap_limits, models
from tests import fault_server

ACCOUNT = fault_server.ACCOUNT_ID


def busy_slots(pool: str) -> int:
    return models.ApiSlot.objects.filter(pool=pool, busy_until__isnull=False).count()


def test_a_request_holds_one_in_flight_slot_while_it_runs(configured, db):
    with clevertap_limits.request_slots(account_id=ACCOUNT, counts_as_create=False):
        assert busy_slots(models.ApiSlotPool.IN_FLIGHT) == 1
        assert busy_slots(models.ApiSlotPool.CREATE_RATE) == 0

    assert busy_slots(models.ApiSlotPool.IN_FLIGHT) == 0


def test_the_slot_is_freed_when_the_request_fails(configured, db):
    with (
        pytest.raises(RuntimeError),
        clevertap_limits.request_slots(account_id=ACCOUNT, counts_as_create=True),
    ):
        raise RuntimeError("the request failed")

    assert busy_slots(models.ApiSlotPool.IN_FLIGHT) == 0


def test_a_create_rests_its_rate_slot_for_a_window_after_the_request(configured, db):
    configured.CLEVERTAP_CREATE_WINDOW_SECONDS = 60

    with clevertap_limits.request_slots(account_id=ACCOUNT, counts_as_create=True):
        assert busy_slots(models.ApiSlotPool.CREATE_RATE) == 1

    assert busy_slots(models.ApiSlotPool.CREATE_RATE) == 1
    assert busy_slots(models.ApiSlotPool.IN_FLIGHT) == 0


def test_with_every_slot_taken_it_waits_then_gives_up_without_running_the_request(configured, db):
    configured.CLEVERTAP_LIMIT_WAIT_SECONDS = 0.05
    for _ in range(3):
        models.ApiSlot.objects.claim(
            account_id=ACCOUNT, pool=models.ApiSlotPool.IN_FLIGHT, size=3, busy_seconds=60
        )
    ran = []

    with (
        pytest.raises(clevertap_limits.SlotsBusy),
        clevertap_limits.request_slots(account_id=ACCOUNT, counts_as_create=False),
    ):
        ran.append(True)

    assert ran == []


def test_a_locked_database_while_claiming_is_tried_again(configured, db, monkeypatch):
    claim = models.ApiSlot.objects.claim
    calls = []

    def locked_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return claim(**kwargs)

    monkeypatch.setattr(models.ApiSlot.objects, "claim", locked_once)

    with clevertap_limits.request_slots(account_id=ACCOUNT, counts_as_create=False):
        assert busy_slots(models.ApiSlotPool.IN_FLIGHT) == 1

    assert len(calls) == 2


def test_another_database_error_while_claiming_is_raised(configured, db, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("no such table: campaigns_apislot")

    monkeypatch.setattr(models.ApiSlot.objects, "claim", broken)

    with (
        pytest.raises(OperationalError),
        clevertap_limits.request_slots(account_id=ACCOUNT, counts_as_create=False),
    ):
        pass


def test_a_slot_whose_lease_ran_out_is_free_again(db):
    for _ in range(3):
        models.ApiSlot.objects.claim(
            account_id=ACCOUNT,
            pool=models.ApiSlotPool.IN_FLIGHT,
            size=3,
            busy_seconds=-1,
        )

    assert models.ApiSlot.objects.claim(
        account_id=ACCOUNT,
        pool=models.ApiSlotPool.IN_FLIGHT,
        size=3,
        busy_seconds=60,
    )


def test_slots_are_per_account(db):
    for _ in range(3):
        models.ApiSlot.objects.claim(
            account_id=ACCOUNT,
            pool=models.ApiSlotPool.IN_FLIGHT,
            size=3,
            busy_seconds=60,
        )

    assert not models.ApiSlot.objects.claim(
        account_id=ACCOUNT,
        pool=models.ApiSlotPool.IN_FLIGHT,
        size=3,
        busy_seconds=60,
    )
    assert models.ApiSlot.objects.claim(
        account_id="OTHER", pool=models.ApiSlotPool.IN_FLIGHT, size=3, busy_seconds=60
    )
