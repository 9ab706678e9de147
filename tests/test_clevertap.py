import datetime
import json
import logging
import socket

import httpx
import pytest

from campaigns import clevertap, models
from tests import fault_server, processes
from tests.fault_server import Answer

CAMPAIGN = {"name": "Spring", "target_mode": "push", "when": "now", "content": {"body": "Hi"}}
SUCCESS = {"status": "success", "estimates": {"android": 10, "ios": 30}}


@pytest.fixture
def answer_with(configured, monkeypatch, db):
    """Route every call to a handler through httpx.MockTransport; collect the requests."""
    seen: list[httpx.Request] = []

    def use(handler):
        def recording(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return handler(request)

        monkeypatch.setattr(
            clevertap.account, "http_transport", lambda: httpx.MockTransport(recording)
        )
        return seen

    return use


def answers(*responses):
    """A handler that gives these answers in turn (an exception is raised instead)."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


# Where requests go


@pytest.mark.parametrize(
    ("region", "url"),
    [
        ("in1", "https://in1.api.clevertap.com"),
        ("sg1", "https://sg1.api.clevertap.com"),
        ("us1", "https://us1.api.clevertap.com"),
        ("aps3", "https://aps3.api.clevertap.com"),
        ("mec1", "https://mec1.api.clevertap.com"),
        ("eu1", "https://api.clevertap.com"),
        ("", "https://api.clevertap.com"),
        (" US1 ", "https://us1.api.clevertap.com"),
    ],
)
def test_it_uses_the_host_of_the_region(configured, region, url):
    configured.CLEVERTAP_REGION = region

    assert clevertap.account_current().base_url == url


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("ct.example.com", "https://ct.example.com"),
        ("https://ct.example.com/", "https://ct.example.com"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
    ],
)
def test_a_host_override_wins_over_the_region(configured, host, url):
    configured.CLEVERTAP_REGION = "in1"
    configured.CLEVERTAP_API_HOST = host

    assert clevertap.account_current().base_url == url


def test_an_unknown_region_is_a_configuration_error(configured):
    configured.CLEVERTAP_REGION = "mars1"

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.account_current()

    assert caught.value.kind == clevertap.KIND_CONFIGURATION
    assert caught.value.message == clevertap.MESSAGE_UNKNOWN_REGION.format(region="mars1")


def test_without_credentials_it_talks_to_the_sandbox(settings, answer_with):
    settings.CLEVERTAP_CONFIGURED = False
    settings.SANDBOX_ENABLED = True
    settings.SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox/"
    seen = answer_with(answers(httpx.Response(200, json=SUCCESS)))

    result = clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)

    assert str(seen[0].url) == "http://127.0.0.1:8000/sandbox/1/targets/create.json"
    assert seen[0].headers["X-CleverTap-Account-Id"] == settings.SANDBOX_ACCOUNT_ID
    assert seen[0].headers["X-CleverTap-Passcode"] == settings.SANDBOX_PASSCODE
    assert result.request.headers["X-CleverTap-Passcode"] == "***"


def test_without_credentials_or_sandbox_it_is_not_configured(settings):
    settings.CLEVERTAP_CONFIGURED = False
    settings.SANDBOX_ENABLED = False

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.account_current()

    assert caught.value.message == clevertap.MESSAGE_NOT_CONFIGURED


# What is sent and what comes back


def test_it_sends_the_credentials_in_headers_but_records_them_redacted(answer_with):
    seen = answer_with(answers(httpx.Response(200, json=SUCCESS)))

    result = clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)

    request = seen[0]
    assert request.method == "POST"
    assert str(request.url) == "https://api.clevertap.com/1/targets/create.json"
    assert request.headers["X-CleverTap-Account-Id"] == fault_server.ACCOUNT_ID
    assert request.headers["X-CleverTap-Passcode"] == fault_server.PASSCODE
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert result.request == clevertap.RequestRecord(
        method="POST",
        url="https://api.clevertap.com/1/targets/create.json",
        headers={
            "X-CleverTap-Account-Id": fault_server.ACCOUNT_ID,
            "X-CleverTap-Passcode": "***",
            "Content-Type": "application/json; charset=utf-8",
        },
        body={**CAMPAIGN, "estimate_only": True},
    )
    assert fault_server.PASSCODE not in json.dumps(result.request.as_dict())
    assert fault_server.PASSCODE not in repr(clevertap.account_current())


def test_estimate_sends_estimate_only_and_returns_the_answer(answer_with):
    seen = answer_with(answers(httpx.Response(200, json=SUCCESS)))

    result = clevertap.estimate(endpoint="send/sms.json", body=CAMPAIGN)

    assert seen[0].url.path == "/1/send/sms.json"
    assert json.loads(seen[0].content) == {**CAMPAIGN, "estimate_only": True}
    assert result.operation == "estimate"
    assert result.data == SUCCESS
    assert result.http_status == 200
    assert result.attempts == 1
    assert result.duration_ms >= 0


def test_create_and_send_never_send_estimate_only(answer_with):
    seen = answer_with(
        answers(
            httpx.Response(200, json={"status": "success", "id": 1457432766, "estimates": {}}),
            httpx.Response(200, json={"status": "success", "message": "Added to queue"}),
        )
    )

    created = clevertap.create(body={**CAMPAIGN, "estimate_only": True})
    clevertap.send(channel="push", body={**CAMPAIGN, "estimate_only": False})

    assert seen[0].url.path == "/1/targets/create.json"
    assert json.loads(seen[0].content) == CAMPAIGN
    assert created.data["id"] == 1457432766
    assert seen[1].url.path == "/1/send/push.json"
    assert json.loads(seen[1].content) == CAMPAIGN


def test_stop_result_and_list_send_what_clevertap_expects(answer_with):
    seen = answer_with(
        answers(
            httpx.Response(200, json={"status": "success"}),
            httpx.Response(200, json={"status": "success", "result": {}}),
            httpx.Response(200, json={"status": "success", "targets": []}),
        )
    )

    clevertap.stop(campaign_id=42)
    clevertap.result(campaign_id=42)
    clevertap.campaign_list(date_from=datetime.date(2026, 1, 2), date_to=datetime.date(2026, 2, 3))

    assert [(r.url.path, json.loads(r.content)) for r in seen] == [
        ("/1/targets/stop.json", {"id": 42}),
        ("/1/targets/result.json", {"id": 42}),
        ("/1/targets/list.json", {"from": 20260102, "to": 20260203}),
    ]


def test_it_refuses_endpoints_and_channels_that_are_not_campaign_apis(answer_with):
    with pytest.raises(ValueError):
        clevertap.estimate(endpoint="targets/stop.json", body=CAMPAIGN)
    with pytest.raises(ValueError):
        clevertap.send(channel="../upload", body=CAMPAIGN)


# Failures


def test_a_fail_envelope_with_http_200_is_an_api_error(answer_with):
    fail = {"status": "fail", "error": "Invalid target_mode", "code": 400}
    seen = answer_with(answers(httpx.Response(200, json=fail)))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)

    error = caught.value
    assert error.kind == clevertap.KIND_API
    assert error.message == clevertap.MESSAGE_API_ERROR
    assert error.clevertap_error == "Invalid target_mode"
    assert error.clevertap_code == 400
    assert error.http_status == 200
    assert error.data == fail
    assert (error.retry_safe, error.outcome_unknown) == (True, False)
    assert error.attempts == 1
    assert len(seen) == 1
    assert "Invalid target_mode" in str(error)


def test_http_400_with_the_envelope_is_an_api_error_and_not_retried(answer_with):
    fail = {"status": "fail", "error": "Bad when", "code": 5}
    seen = answer_with(answers(httpx.Response(400, json=fail)))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    assert (caught.value.kind, caught.value.http_status) == (clevertap.KIND_API, 400)
    assert (caught.value.retry_safe, caught.value.outcome_unknown) == (True, False)
    assert len(seen) == 1


def test_401_tells_the_user_to_check_the_region_and_credentials(answer_with):
    fail = {"status": "fail", "error": "Invalid credentials or URL", "code": 401}
    seen = answer_with(answers(httpx.Response(401, json=fail)))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_AUTH
    assert caught.value.message == clevertap.MESSAGE_AUTH
    assert "region" in clevertap.MESSAGE_AUTH
    assert caught.value.clevertap_error == "Invalid credentials or URL"
    assert len(seen) == 1


def test_404_says_the_campaign_is_unknown(answer_with):
    answer_with(answers(httpx.Response(404, json={"status": "fail", "error": "Not found"})))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.result(campaign_id=7)

    assert caught.value.message == clevertap.MESSAGE_NOT_FOUND


def test_429_is_retried_then_succeeds_even_for_create(answer_with):
    seen = answer_with(
        answers(
            httpx.Response(429, json={"status": "fail", "error": "Too many requests"}),
            httpx.Response(429, text="slow down"),
            httpx.Response(200, json={"status": "success", "id": 1, "estimates": {}}),
        )
    )

    result = clevertap.create(body=CAMPAIGN)

    assert result.attempts == 3
    assert len(seen) == 3


def test_429_until_attempts_run_out_says_too_many_requests(answer_with):
    seen = answer_with(lambda request: httpx.Response(429, text=""))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_RATE_LIMITED
    assert caught.value.message == clevertap.MESSAGE_RATE_LIMITED
    assert (caught.value.retry_safe, caught.value.outcome_unknown) == (True, False)
    assert caught.value.attempts == len(seen) == 4


def test_server_errors_are_retried_for_estimate(answer_with):
    seen = answer_with(
        answers(
            httpx.Response(500, text="oops"),
            httpx.Response(503, text="<html>Service Unavailable</html>"),
            httpx.Response(200, json=SUCCESS),
        )
    )

    result = clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)

    assert result.attempts == len(seen) == 3
    assert result.data == SUCCESS


def test_server_errors_until_attempts_run_out_say_clevertap_is_unavailable(answer_with):
    seen = answer_with(lambda request: httpx.Response(503))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.stop(campaign_id=1)

    assert caught.value.kind == clevertap.KIND_SERVER
    assert caught.value.message == clevertap.MESSAGE_SERVER
    assert caught.value.http_status == 503
    assert caught.value.attempts == len(seen) == 4


@pytest.mark.parametrize("operation", ["create", "send"])
def test_a_delivery_that_times_out_on_read_is_not_retried(answer_with, operation):
    seen = answer_with(answers(httpx.ReadTimeout("timed out")))

    with pytest.raises(clevertap.CleverTapError) as caught:
        if operation == "create":
            clevertap.create(body=CAMPAIGN)
        else:
            clevertap.send(channel="email", body=CAMPAIGN)

    error = caught.value
    assert error.kind == clevertap.KIND_TIMEOUT
    assert error.message == clevertap.MESSAGE_OUTCOME_UNKNOWN
    assert (error.retry_safe, error.outcome_unknown) == (False, True)
    assert error.attempts == len(seen) == 1


def test_a_create_answered_with_a_server_error_is_not_retried(answer_with):
    seen = answer_with(answers(httpx.Response(500, text="")))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_SERVER
    assert caught.value.message == clevertap.MESSAGE_OUTCOME_UNKNOWN
    assert (caught.value.retry_safe, caught.value.outcome_unknown) == (False, True)
    assert len(seen) == 1


def test_an_estimate_that_times_out_on_read_is_retried(answer_with):
    seen = answer_with(answers(httpx.ReadTimeout("timed out"), httpx.Response(200, json=SUCCESS)))

    result = clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)

    assert result.attempts == len(seen) == 2


def test_a_connect_error_on_create_is_retried_because_nothing_was_sent(answer_with):
    seen = answer_with(
        answers(
            httpx.ConnectError("connection refused"),
            httpx.ConnectTimeout("connect timed out"),
            httpx.Response(200, json={"status": "success", "id": 9, "estimates": {}}),
        )
    )

    result = clevertap.create(body=CAMPAIGN)

    assert result.data["id"] == 9
    assert result.attempts == len(seen) == 3


def test_a_connection_lost_after_sending_a_create_is_outcome_unknown(answer_with):
    seen = answer_with(answers(httpx.RemoteProtocolError("Server disconnected")))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_CONNECTION
    assert caught.value.outcome_unknown is True
    assert len(seen) == 1


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json=["a", "list"]),
        httpx.Response(200, json={"no": "status"}),
    ],
)
def test_an_unreadable_answer_is_a_bad_response(answer_with, response):
    seen = answer_with(answers(response))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_BAD_RESPONSE
    assert caught.value.message == clevertap.MESSAGE_BAD_RESPONSE
    assert caught.value.http_status == 200
    assert len(seen) == 1


def test_an_unreadable_answer_to_a_create_is_outcome_unknown(answer_with):
    answer_with(answers(httpx.Response(200, text="garbage")))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_BAD_RESPONSE
    assert caught.value.outcome_unknown is True


def test_retries_back_off_exponentially_with_jitter(answer_with, configured, monkeypatch):
    configured.CLEVERTAP_MAX_ATTEMPTS = 5
    configured.CLEVERTAP_RETRY_BASE_DELAY = 0.1
    configured.CLEVERTAP_RETRY_MAX_DELAY = 0.5
    slept: list[float] = []
    monkeypatch.setattr(clevertap.calls.time, "sleep", slept.append)
    seen = answer_with(lambda request: httpx.Response(503))

    with pytest.raises(clevertap.CleverTapError) as caught:
        # Not create.json, whose rate slots would make the limiter wait (and sleep) too.
        clevertap.estimate(endpoint="send/push.json", body=CAMPAIGN)

    assert caught.value.attempts == len(seen) == 5
    assert len(slept) == 4
    for delay, ceiling in zip(slept, [0.1, 0.2, 0.4, 0.5], strict=True):
        assert ceiling / 2 <= delay <= ceiling


def test_the_passcode_never_appears_in_errors_records_or_logs(answer_with, caplog):
    caplog.set_level(logging.DEBUG)
    echo = {"status": "fail", "error": f"Bad passcode {fault_server.PASSCODE}", "code": 401}
    answer_with(answers(httpx.Response(401, json=echo)))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    error = caught.value
    assert error.clevertap_error == "Bad passcode ***"
    for text in [str(error), repr(error), error.message, json.dumps(error.request.as_dict())]:
        assert fault_server.PASSCODE not in text
    assert "/1/targets/create.json" in caplog.text
    assert fault_server.PASSCODE not in caplog.text


def test_each_attempt_is_logged_without_headers_or_body(answer_with, caplog):
    caplog.set_level(logging.INFO, logger="campaigns.clevertap")
    answer_with(answers(httpx.Response(503), httpx.Response(200, json=SUCCESS)))

    clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)

    lines = [r.getMessage() for r in caplog.records if r.name == "campaigns.clevertap"]
    assert len(lines) == 2
    assert lines[0].startswith("CleverTap POST /1/targets/create.json -> 503 in ")
    assert lines[1].endswith("(attempt 2)")
    assert not any(fault_server.ACCOUNT_ID in line or "Spring" in line for line in lines)


# The limiter


def test_a_call_waits_for_a_slot_then_gives_up_without_sending(answer_with, configured):
    configured.CLEVERTAP_LIMIT_WAIT_SECONDS = 0.1
    for _ in range(3):
        assert models.ApiSlot.objects.claim(
            account_id=fault_server.ACCOUNT_ID,
            pool=models.ApiSlotPool.IN_FLIGHT,
            size=3,
            busy_seconds=60,
        )
    seen = answer_with(answers(httpx.Response(200, json=SUCCESS)))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_RATE_LIMITED
    assert caught.value.message == clevertap.MESSAGE_LOCAL_BUSY
    assert (caught.value.retry_safe, caught.value.outcome_unknown) == (True, False)
    assert caught.value.attempts == len(seen) == 0


def test_a_create_keeps_its_rate_slot_busy_for_a_window_after_the_answer(answer_with, configured):
    configured.CLEVERTAP_CREATE_WINDOW_SECONDS = 60
    answer_with(lambda request: httpx.Response(200, json={"status": "success", "id": 1}))
    for _ in range(3):
        clevertap.create(body=CAMPAIGN)
    assert not models.ApiSlot.objects.claim(
        account_id=fault_server.ACCOUNT_ID,
        pool=models.ApiSlotPool.CREATE_RATE,
        size=3,
        busy_seconds=1,
    )
    configured.CLEVERTAP_LIMIT_WAIT_SECONDS = 0.05

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    assert caught.value.message == clevertap.MESSAGE_LOCAL_BUSY
    assert caught.value.attempts == 0
    # CleverTap counts every call to create.json, estimates included; other endpoints are free.
    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)
    assert caught.value.message == clevertap.MESSAGE_LOCAL_BUSY
    clevertap.estimate(endpoint="send/push.json", body=CAMPAIGN)


def test_slots_are_freed_after_successes_and_failures(answer_with):
    answer_with(answers(httpx.Response(200, json=SUCCESS), httpx.ReadTimeout("timed out")))

    clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)
    with pytest.raises(clevertap.CleverTapError):
        clevertap.create(body=CAMPAIGN)

    in_flight = models.ApiSlot.objects.filter(pool=models.ApiSlotPool.IN_FLIGHT)
    assert in_flight.count() == 3
    assert not in_flight.filter(busy_until__isnull=False).exists()


# Over real sockets


def test_a_real_read_timeout_on_create_is_not_retried(server, configured, db):
    configured.CLEVERTAP_READ_TIMEOUT = 0.2
    server.answer(Answer(delay=1.0))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_TIMEOUT
    assert caught.value.message == clevertap.MESSAGE_OUTCOME_UNKNOWN
    assert (caught.value.retry_safe, caught.value.outcome_unknown) == (False, True)
    assert len(server.seen) == 1


def test_a_real_read_timeout_on_estimate_is_retried(server, configured, db):
    configured.CLEVERTAP_READ_TIMEOUT = 0.2
    server.answer(Answer(delay=1.0))

    result = clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)

    assert result.attempts == len(server.seen) == 2


def test_a_real_hang_up_on_create_is_outcome_unknown(server, db):
    server.answer(Answer(hang_up=True))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_CONNECTION
    assert caught.value.message == clevertap.MESSAGE_OUTCOME_UNKNOWN
    assert caught.value.outcome_unknown is True
    assert len(server.seen) == 1


def test_a_real_hang_up_and_503_on_list_are_retried(server, db):
    server.answer(Answer(hang_up=True), Answer(status=503, body=b"busy"))

    result = clevertap.campaign_list(
        date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 1, 31)
    )

    assert result.attempts == len(server.seen) == 3
    assert [seen.path for seen in server.seen] == ["/1/targets/list.json"] * 3
    assert server.seen[0].headers["X-CleverTap-Passcode"] == fault_server.PASSCODE


def test_a_real_garbage_answer_is_a_bad_response(server, db):
    server.answer(Answer(body=b"\x00\xffnot json"))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_BAD_RESPONSE
    assert len(server.seen) == 1


def test_a_refused_connection_is_retried_and_safe_to_repeat(configured, db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configured.CLEVERTAP_API_HOST = f"http://127.0.0.1:{port}"

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.create(body=CAMPAIGN)

    assert caught.value.kind == clevertap.KIND_CONNECTION
    assert caught.value.message == clevertap.MESSAGE_CONNECTION
    assert (caught.value.retry_safe, caught.value.outcome_unknown) == (True, False)
    assert caught.value.attempts == 4


@pytest.mark.django_db(transaction=True)
def test_no_more_than_3_requests_are_in_flight_at_once(server):
    server.default = Answer(delay=0.3)

    outcomes = processes.in_threads(
        10, lambda _: clevertap.estimate(endpoint="targets/create.json", body=CAMPAIGN)
    )

    assert all(isinstance(o, clevertap.CleverTapResult) for o in outcomes), outcomes
    assert len(server.seen) == 10
    assert server.max_in_flight == 3


@pytest.mark.django_db(transaction=True)
def test_no_more_than_3_creates_are_sent_in_any_second(server):
    server.default = Answer(body={"status": "success", "id": 1, "estimates": {}})

    outcomes = processes.in_threads(6, lambda _: clevertap.create(body=CAMPAIGN))

    assert all(isinstance(o, clevertap.CleverTapResult) for o in outcomes), outcomes
    arrivals = sorted(seen.arrived_at for seen in server.seen)
    assert len(arrivals) == 6
    assert all(arrivals[i + 3] - arrivals[i] >= 1.0 for i in range(3)), arrivals
