"""The client's two reads, `profile` and `message_reports`: what they send, what they make of
CleverTap's answers (CLEVERTAP-READS.md sections 1 and 2), over real HTTP, first against the
scripted fault server (answers the sandbox never gives), then against the sandbox."""

import datetime
import json
import urllib.parse

import pytest
from django.utils import timezone

from campaigns import clevertap, clevertap_limits
from sandbox import faults
from tests import fault_server, sandbox_records
from tests.fault_server import Answer

RECORD = {
    "email": "jack@gmail.com",
    "profileData": {"Last Score": 308, "High Score": 308, "Replayed": True},
    "events": {"App Launched": {"count": 10, "first_seen": 1457271567, "last_seen": 1458041215}},
}
REPORT_ROW = {
    "message id": 1457432766,
    "message_name": "Spring sale",
    "channel": "push",
    "status": "completed",
    "start_date": "22 Sep, 2024 10:30:00",
    "labels": ["spring"],
    "sent": 82,
    "viewed": 40,
    "clicked": 28,
}
SEPTEMBER_1 = datetime.date(2024, 9, 1)
SEPTEMBER_30 = datetime.date(2024, 9, 30)


def query_of(seen: fault_server.Seen) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(seen.path).query)


# The profile: what is sent


def test_profile_gets_profile_json_by_identity_without_a_body(server, db):
    server.answer(Answer(body={"status": "success", "record": RECORD}))

    record = clevertap.profile(identity="cust-0000001")

    assert record == RECORD
    seen = server.seen[0]
    assert seen.method == "GET"
    assert seen.path == "/1/profile.json?identity=cust-0000001"
    assert seen.body == b""
    assert seen.headers["X-CleverTap-Account-Id"] == fault_server.ACCOUNT_ID
    assert seen.headers["X-CleverTap-Passcode"] == fault_server.PASSCODE


@pytest.mark.parametrize(
    ("lookup", "query"),
    [
        ({"email": "jack+1@gmail.com"}, "email=jack%2B1%40gmail.com"),
        ({"object_id": "-1a06 b&c"}, "objectId=-1a06%20b%26c"),
        ({"identity": "ü/ø?"}, "identity=%C3%BC%2F%C3%B8%3F"),
    ],
)
def test_profile_url_encodes_the_one_lookup_it_sends(server, db, lookup, query):
    server.answer(Answer(body={"status": "success", "record": RECORD}))

    clevertap.profile(**lookup)

    assert server.seen[0].path == f"/1/profile.json?{query}"


@pytest.mark.parametrize(
    "lookup",
    [{}, {"identity": "a", "email": "a@example.com"}, {"email": "a@b.c", "object_id": "x"}],
)
def test_profile_needs_exactly_one_lookup(server, db, lookup):
    with pytest.raises(ValueError):
        clevertap.profile(**lookup)

    assert server.seen == []


def test_the_profile_record_is_scrubbed_and_says_get(server, db):
    server.answer(Answer(status=401, body={"status": "fail", "error": "Invalid credentials"}))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.profile(email="jack@gmail.com")

    record = caught.value.request
    assert record.method == "GET"
    assert record.url == f"{server.url}/1/profile.json?email=jack%40gmail.com"
    assert record.body is None
    assert record.headers == {
        "X-CleverTap-Account-Id": fault_server.ACCOUNT_ID,
        "X-CleverTap-Passcode": "***",
    }
    assert fault_server.PASSCODE not in json.dumps(record.as_dict())


# The profile: what its answers mean


@pytest.mark.parametrize(
    "answer",
    [
        Answer(body={"status": "success", "record": None}),
        Answer(body={"status": "success"}),
        Answer(body={"status": "fail", "error": "Profile not found"}),
        Answer(status=400, body={"status": "fail", "error": "No such identity", "code": 400}),
        Answer(status=400, body=b"Bad Request"),
    ],
)
def test_an_unknown_profile_is_none_in_every_shape_clevertap_may_answer(server, db, answer):
    server.answer(answer)

    assert clevertap.profile(identity="nobody") is None
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("status", "message"), [(401, clevertap.MESSAGE_AUTH), (403, clevertap.MESSAGE_FORBIDDEN)]
)
def test_a_refused_profile_read_is_the_auth_error_not_an_unknown_profile(
    server, db, status, message
):
    server.answer(Answer(status=status, body={"status": "fail", "error": "Forbidden"}))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.profile(identity="cust-1")

    assert (caught.value.kind, caught.value.message) == (clevertap.KIND_AUTH, message)


def test_a_profile_read_is_retried_after_a_server_error_or_a_lost_answer(server, configured, db):
    configured.CLEVERTAP_READ_TIMEOUT = 0.2
    server.answer(
        Answer(status=503, body=b"busy"),
        Answer(delay=1.0),
        Answer(hang_up=True),
        Answer(body={"status": "success", "record": RECORD}),
    )

    assert clevertap.profile(identity="cust-1") == RECORD
    assert len(server.seen) == 4


def test_a_rate_limited_profile_read_that_stays_so_is_not_an_unknown_profile(server, db):
    server.default = Answer(status=429, body={"status": "fail", "error": "Too many requests"})

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.profile(identity="cust-1")

    assert caught.value.kind == clevertap.KIND_RATE_LIMITED
    assert len(server.seen) == 4


def test_a_profile_answer_without_status_but_with_a_record_is_read(server, db):
    server.answer(Answer(body={"record": RECORD}))

    assert clevertap.profile(identity="cust-1") == RECORD


@pytest.mark.parametrize(
    "body", [{"status": "success", "record": "jack"}, {"status": "success", "record": [RECORD]}]
)
def test_a_record_that_is_not_an_object_is_a_bad_response(server, db, body):
    server.answer(Answer(body=body))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.profile(identity="cust-1")

    assert caught.value.kind == clevertap.KIND_BAD_RESPONSE
    assert caught.value.message == clevertap.MESSAGE_BAD_RESPONSE
    assert caught.value.request.method == "GET"


# Message reports


def test_message_reports_posts_the_range_as_strings_and_returns_the_rows_raw(server, db):
    server.answer(Answer(body={"status": "success", "messages": [REPORT_ROW]}))

    rows = clevertap.message_reports(date_from=SEPTEMBER_1, date_to=SEPTEMBER_30)

    assert rows == [REPORT_ROW]
    seen = server.seen[0]
    assert (seen.method, seen.path) == ("POST", "/1/message/report.json")
    assert json.loads(seen.body) == {"from": "20240901", "to": "20240930"}
    assert seen.headers["Content-Type"] == "application/json; charset=utf-8"


def test_message_reports_sends_each_filter_only_when_given(server, db):
    server.default = Answer(body={"status": "success", "messages": []})

    clevertap.message_reports(
        date_from=SEPTEMBER_1, date_to=SEPTEMBER_30, channels=("push", "email"), labels=["spring"]
    )
    clevertap.message_reports(
        date_from=SEPTEMBER_1, date_to=SEPTEMBER_30, statuses=iter(["running"])
    )

    assert [json.loads(seen.body) for seen in server.seen] == [
        {"from": "20240901", "to": "20240930", "channel": ["push", "email"], "label": ["spring"]},
        {"from": "20240901", "to": "20240930", "status": ["running"]},
    ]


def test_a_filter_given_as_one_string_is_a_programming_error(server, db):
    with pytest.raises(ValueError):
        clevertap.message_reports(date_from=SEPTEMBER_1, date_to=SEPTEMBER_30, channels="push")

    assert server.seen == []


@pytest.mark.parametrize(
    ("body", "rows"),
    [
        ({"messages": [REPORT_ROW]}, [REPORT_ROW]),  # no capture shows a top-level status
        ({"status": "success", "messages": None}, []),
        ({"status": "success"}, []),
    ],
)
def test_message_reports_read_what_clevertap_may_answer(server, db, body, rows):
    server.answer(Answer(body=body))

    assert clevertap.message_reports(date_from=SEPTEMBER_1, date_to=SEPTEMBER_30) == rows


@pytest.mark.parametrize(
    "body",
    [
        {"status": "success", "messages": {"a": REPORT_ROW}},
        {"status": "success", "messages": [REPORT_ROW, "row"]},
        {"no": "messages"},
    ],
)
def test_unreadable_message_reports_are_a_bad_response(server, db, body):
    server.answer(Answer(body=body))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.message_reports(date_from=SEPTEMBER_1, date_to=SEPTEMBER_30)

    assert caught.value.kind == clevertap.KIND_BAD_RESPONSE
    assert len(server.seen) == 1


def test_a_refused_message_report_is_an_api_error(server, db):
    server.answer(Answer(body={"status": "fail", "error": "Invalid date", "code": 400}))

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.message_reports(date_from=SEPTEMBER_1, date_to=SEPTEMBER_30)

    assert caught.value.kind == clevertap.KIND_API
    assert caught.value.clevertap_error == "Invalid date"
    assert caught.value.operation == "message_reports"


def test_a_message_report_is_retried_after_a_lost_answer(server, db):
    server.answer(Answer(hang_up=True), Answer(body={"status": "success", "messages": []}))

    assert clevertap.message_reports(date_from=SEPTEMBER_1, date_to=SEPTEMBER_30) == []
    assert len(server.seen) == 2


def test_reads_are_logged_with_their_method_and_path_but_no_lookup(server, db, caplog):
    caplog.set_level("INFO", logger="campaigns.clevertap")
    server.answer(Answer(body={"status": "success", "record": RECORD}))

    clevertap.profile(email="jack@gmail.com")

    lines = [r.getMessage() for r in caplog.records if r.name == "campaigns.clevertap"]
    assert lines[0].startswith("CleverTap GET /1/profile.json -> 200 in ")
    assert "jack" not in caplog.text


def test_a_read_holds_an_in_flight_slot_but_no_create_slot(server, db, monkeypatch):
    held = []
    slots = clevertap_limits.request_slots

    def recording(**kwargs):
        held.append(kwargs)
        return slots(**kwargs)

    monkeypatch.setattr(clevertap_limits, "request_slots", recording)
    server.answer(
        Answer(body={"status": "success", "record": RECORD}),
        Answer(body={"status": "success", "messages": []}),
    )

    clevertap.profile(identity="cust-1")
    clevertap.message_reports(date_from=SEPTEMBER_1, date_to=SEPTEMBER_30)

    assert held == [
        {"account_id": fault_server.ACCOUNT_ID, "counts_as_create": False, "wait_seconds": None},
        {"account_id": fault_server.ACCOUNT_ID, "counts_as_create": False, "wait_seconds": None},
    ]


# Against the sandbox, over HTTP


def test_the_sandbox_answers_a_profile_in_clevertaps_shape(sandbox):
    record = clevertap.profile(identity="android-3")

    assert record == {
        "identity": "android-3",
        "profileData": {
            "MSG-push": True,
            "MSG-email": False,
            "MSG-sms": False,
            "MSG-whatsapp": False,
        },
        "events": {},
        "platformInfo": [
            {
                "platform": "Android",
                "objectId": "a3",
                "push_token": record["platformInfo"][0]["push_token"],
            }
        ],
    }


def test_the_sandbox_finds_a_profile_by_email_and_by_object_id(sandbox):
    sandbox_records.profiles_create(emails=["jack+1@example.com"])

    by_email = clevertap.profile(email="Jack+1@example.com")
    by_object_id = clevertap.profile(object_id="i2")

    assert by_email["email"] == "jack+1@example.com"
    assert by_object_id["identity"] == "ios-2"
    assert by_object_id["platformInfo"][0]["platform"] == "iOS"


def test_a_profile_the_sandbox_does_not_know_is_none(sandbox):
    assert clevertap.profile(identity="nobody-here") is None
    assert clevertap.profile(object_id="zz") is None
    answers = [(r.status_code, r.response) for r in sandbox_records.received("profile.json")]
    assert [(status, answer["status"]) for status, answer in answers] == [(200, "fail")] * 2


def test_a_wrong_passcode_is_the_auth_error_and_no_record_holds_a_passcode(sandbox, settings):
    # The app configured for the sandbox's account, with a passcode the sandbox does not take.
    settings.CLEVERTAP_CONFIGURED = True
    settings.CLEVERTAP_API_HOST = settings.SANDBOX_BASE_URL
    settings.CLEVERTAP_ACCOUNT_ID = settings.SANDBOX_ACCOUNT_ID
    settings.CLEVERTAP_PASSCODE = "Wrong-passcode-7731"

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.profile(identity="android-1")
    with pytest.raises(clevertap.CleverTapError) as report_caught:
        clevertap.message_reports(date_from=SEPTEMBER_1, date_to=SEPTEMBER_30)

    for error in (caught.value, report_caught.value):
        assert (error.kind, error.message) == (clevertap.KIND_AUTH, clevertap.MESSAGE_AUTH)
        assert error.http_status == 401
        assert "Wrong-passcode-7731" not in json.dumps(error.request.as_dict())
        assert error.request.headers["X-CleverTap-Passcode"] == "***"
    logged = json.dumps(
        [(r.path, r.body) for r in sandbox_records.received("profile.json")], default=str
    )
    assert "Wrong-passcode-7731" not in logged and sandbox_records.PASSCODE not in logged


def test_the_sandbox_reports_the_campaigns_created_through_the_client(sandbox):
    today = timezone.localdate()
    created = clevertap.create(
        body={
            "name": "Spring",
            "target_mode": "push",
            "where": {},
            "content": {"title": "Hi", "body": "Spring is here"},
            "when": "now",
            "labels": ["spring"],
        }
    ).data["id"]

    rows = clevertap.message_reports(date_from=today, date_to=today)

    (row,) = rows
    assert list(row) == [
        "message id",
        "message_name",
        "channel",
        "status",
        "start_date",
        "labels",
        "sent",
        "viewed",
        "clicked",
    ]
    assert row["message id"] == created
    assert (row["message_name"], row["channel"], row["labels"]) == ("Spring", "push", ["spring"])
    assert row["status"] in ("running", "completed")
    started = datetime.datetime.strptime(row["start_date"], "%d %b, %Y %H:%M:%S")
    assert started.date() == today
    assert row["sent"] == sandbox_records.ANDROID_USERS + sandbox_records.IOS_USERS
    assert (
        clevertap.message_reports(
            date_from=today, date_to=today, channels=["email"], labels=["spring"]
        )
        == []
    )
    assert clevertap.message_reports(date_from=today, date_to=today, labels=["spring"]) == rows


def test_a_range_the_sandbox_holds_no_campaign_in_is_an_empty_list(sandbox):
    assert clevertap.message_reports(date_from=SEPTEMBER_1, date_to=SEPTEMBER_30) == []
    (asked,) = sandbox_records.received("message/report.json")
    assert asked.body == {"from": "20240901", "to": "20240930"}


def test_a_profile_read_the_sandbox_keeps_failing_is_retried_then_a_server_error(sandbox):
    faults.faults_configure(error_rate=1.0, error_status=503)

    with pytest.raises(clevertap.CleverTapError) as caught:
        clevertap.profile(identity="android-1")

    assert (caught.value.kind, caught.value.message) == (
        clevertap.KIND_SERVER,
        clevertap.MESSAGE_SERVER,
    )
    assert caught.value.attempts == len(sandbox_records.received("profile.json")) > 1
