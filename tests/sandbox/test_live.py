"""The sandbox over real HTTP (pytest-django's live server, httpx): limits and faults as a client
sees them."""

import httpx
import pytest

from sandbox import api, faults, limits, testing
from sandbox.models import ReceivedRequest
from tests import processes

pytestmark = pytest.mark.django_db(transaction=True)

LIST = {"from": 20260101, "to": 20260131}
# Valid per the payload core, which the sandbox checks every create body against.
SMS_TO_EVERYONE = {
    "name": "Welcome",
    "target_mode": "sms",
    "where": {},
    "when": "now",
    "provider_nick_name": "Provider_1",
    "content": {"body": "Welcome to the shop"},
}


@pytest.fixture(autouse=True)
def sandbox():
    testing.sandbox_reset()
    yield
    testing.sandbox_reset()


@pytest.fixture
def base_url(live_server) -> str:
    return f"{live_server.url}/sandbox/1"


def post(base_url: str, path: str, body, *, headers=None, timeout: float = 30.0) -> httpx.Response:
    return httpx.post(
        f"{base_url}/{path}",
        json=body,
        headers=testing.auth_headers() if headers is None else headers,
        timeout=timeout,
    )


def test_an_estimate_over_http(base_url):
    testing.audience_small(profiles=60)
    response = post(base_url, "targets/create.json", {**SMS_TO_EVERYONE, "estimate_only": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert data["status"] == "success" and 0 < data["estimates"]["sms"] <= 60


def test_wrong_credentials_over_http_answer_401(base_url):
    response = post(base_url, "targets/list.json", LIST, headers={"X-CleverTap-Account-Id": "x"})
    assert response.status_code == 401
    assert response.json() == {
        "status": "fail",
        "error": api.ERROR_INVALID_CREDENTIALS,
        "code": 401,
    }


def test_more_requests_in_flight_than_allowed_answer_429(base_url, settings):
    settings.SANDBOX_MAX_CONCURRENT = 3
    # Every request holds its slot for a while, so that all of them overlap.
    faults.faults_configure(latency_ms=1500)
    clients = 6
    answers = processes.in_threads(clients, lambda _: post(base_url, "targets/list.json", LIST))

    statuses = sorted(response.status_code for response in answers)
    assert statuses.count(429) >= clients - 3, statuses
    assert 200 in statuses
    refused = next(response for response in answers if response.status_code == 429)
    assert refused.json() == {"status": "fail", "error": api.ERROR_TOO_MANY_CONCURRENT, "code": 429}
    assert limits.in_flight.count == 0, "every slot was given back"


def test_the_fault_switch_answers_503(base_url):
    faults.faults_configure(error_rate=1.0, error_status=503)
    response = post(base_url, "targets/list.json", LIST)
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "error": faults.SERVER_ERRORS[503],
        "code": 503,
    }


def test_the_fault_switch_answers_a_malformed_body_with_http_200(base_url):
    faults.faults_configure(malformed_rate=1.0)
    response = post(base_url, "targets/list.json", LIST)
    assert response.status_code == 200
    assert response.text == faults.MALFORMED_BODY
    with pytest.raises(ValueError):
        response.json()


def test_the_fault_switch_drops_the_connection(base_url):
    faults.faults_configure(drop_rate=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        post(base_url, "targets/list.json", LIST, timeout=10.0)
    assert ReceivedRequest.objects.filter(fault=faults.FAULT_DROP, status_code=0).exists()


def test_faults_follow_their_seed_and_shares(base_url):
    faults.faults_configure(error_rate=0.5, error_status=503, seed=42)
    first = [post(base_url, "targets/list.json", LIST).status_code for _ in range(12)]
    faults.faults_configure(seed=42)  # saving again starts the same draw from the beginning
    second = [post(base_url, "targets/list.json", LIST).status_code for _ in range(12)]
    assert first == second
    assert set(first) == {200, 503}
