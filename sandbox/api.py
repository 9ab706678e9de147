"""The CleverTap-compatible HTTP API, mounted at /sandbox/1/...: the same requests, paths and
answers as CleverTap, so the app's client only changes its base URL.

Every request goes through `_serve`, in this order:
1. in-flight limit (`sandbox.limits`, per process): over it, HTTP 429;
2. credentials (`X-CleverTap-Account-Id`, `X-CleverTap-Passcode` against SANDBOX_ACCOUNT_ID and
   SANDBOX_PASSCODE), checked before anything reads the body: only with them, on a path
   CleverTap has, is the body read, once, by `campaigns.jsonfile` (the app's one reader of
   outside JSON), so that a fault's answer still records it; without them it is neither read
   nor recorded. A GET endpoint (`profile.json`) has no body: its query stands for it, as an
   object of its parameters (a list for a parameter given several times);
3. the fault switch (`sandbox.faults`): latency, then maybe a 500/503, a dropped connection or a
   malformed HTTP 200;
4. without the credentials (or on a path CleverTap does not have), HTTP 401; then the endpoint's
   method only (POST; GET for `profile.json`), else 405;
5. `targets/create.json` only: at most 3 a second (429);
6. the body as step 2 read it: not JSON (or not UTF-8, or empty) or not an object, code 78;
   over the reader's size or depth limit, or holding what cannot be stored (NUL, half a
   character, 1e999), code 400 with the reader's message; all HTTP 400;
7. `_validation_errors(body, endpoint)`: every check in one place, the transport envelope's own
   and then the payload core's (`payload_core_errors`, the one hook);
8. the endpoint's handler.
Every request, whatever its answer, is recorded in `ReceivedRequest` (never the passcode).

HTTP statuses: 200 on success; 400 for a refused body (CleverTap's codes 9, 21, 73, 76, 78, 84,
89 where it documents or was recorded answering them, else code 400, in CleverTap's words where
the reference records them); 401; 404 unknown campaign or estimate request; 405; 409
result of an unfinished campaign (CleverTap's `{"status": "fail", "error": "This target hasn't
been completed"}`, no code, the state named after it; the HTTP status is a third party's claim)
or stop of a completed one; 429; 500/503 from the fault switch.
Unknown paths under /sandbox/1/ answer 401 "Invalid credentials or URL", as CleverTap does.

Answers beyond CleverTap's documented ones (documented here, the shapes the app can rely on):
- async estimate: `{"estimate_only": true, "async_estimate": true, ...}` answers
  `{"status": "success", "request_id": "<hex>"}`; a later create call whose body is
  `{"request_id": "<hex>"}` answers `{"status": "success", "request_id": ..., "state": "pending"}`
  until it is ready (services.ASYNC_ESTIMATE_SECONDS), then
  `{"status": "success", "request_id": ..., "state": "done", "estimates": {...}}`.
- `send/<channel>.json` with `"estimate_only": true` answers estimates instead of queueing.
- stop: `{"status": "success"}`; result: `{"status": "success", "id", "name", "campaign_status",
  "result": {"sent", "delivered", "errors", "viewed", "clicked", "platforms": {key: {...}}}}`;
  list: `{"status": "success", "targets": [{"id", "name", "status", "scheduled_on"}]}` with
  `scheduled_on` as YYYYMMDDHHMM; a campaign waiting for its time is listed "pending", as
  CleverTap lists it.
- `GET profile.json?identity=|email=|objectId=` (exactly one): `{"status": "success", "record":
  {"identity", "email", "profileData", "events", "platformInfo"}}` (`sandbox.selectors`).
  CleverTap does not document the answer for an unknown profile; third-party code sees a 200 with
  a null record, a fail body or an HTTP 400 (CLEVERTAP-READS.md §1). The sandbox answers the fail
  envelope with HTTP 200, CleverTap's usual way to fail (NOTES.md); the app's client takes all
  three as "no such profile".
- `message/report.json` `{"from": "YYYYMMDD", "to": "YYYYMMDD"}` (strings, unlike list's
  integers; optional `channel`, `status`, `label` arrays; other keys ignored):
  `{"status": "success", "messages": [{"message id", "message_name", "channel", "status",
  "start_date", "labels", "sent", "viewed", "clicked"}]}` (`sandbox.services.message_reports`).
"""

import datetime
import hmac
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from campaigns import (
    identities,
    jsonfile,
    payloads,
    personalization,
    personalization_checks,
    selectors,
)
from campaigns.channels import push, registry
from sandbox import audience, faults, limits, services
from sandbox import selectors as sandbox_selectors
from sandbox.errors import ApiError

ENDPOINT_CREATE = "targets/create.json"
ENDPOINT_STOP = "targets/stop.json"
ENDPOINT_RESULT = "targets/result.json"
ENDPOINT_LIST = "targets/list.json"
ENDPOINT_PROFILE = "profile.json"
ENDPOINT_MESSAGE_REPORTS = "message/report.json"
ENDPOINT_UNKNOWN = ""  # a path CleverTap does not have

# CleverTap's documented answer to invalid Liquid (CLEVERTAP-READS.md §4; HTTP status unknown).
ERROR_INVALID_LIQUID = (
    "Invalid syntax for {field} field. Rectify and try again. Read more: "
    "https://developer.clevertap.com/docs/create-campaign-api"
)
CODE_INVALID_PAYLOAD = 78
CODE_INVALID_RECIPIENTS = 84
CODE_BAD_REQUEST = 400
CODE_UNAUTHORIZED = 401
CODE_METHOD_NOT_ALLOWED = 405
CODE_TOO_MANY_REQUESTS = 429

ERROR_INVALID_CREDENTIALS = "Invalid credentials or URL"
ERROR_INVALID_PAYLOAD = "Invalid payload pls update and try again"
ERROR_INVALID_RECIPIENTS = "Invalid recipients"
ERROR_TOO_MANY_CONCURRENT = "Too many concurrent requests"
ERROR_CREATE_RATE = "Too many requests: targets/create.json is limited to 3 requests per second"
ERROR_METHOD_NOT_ALLOWED = "Method not allowed: use POST"
ERROR_METHOD_NOT_ALLOWED_GET = "Method not allowed: use GET"
ERROR_CAMPAIGN_ID = '"id" has to be a campaign id (an integer)'
ERROR_LIST_RANGE = '"from" and "to" have to be days as YYYYMMDD, "from" not after "to"'
ERROR_REQUEST_ID = '"request_id" has to be the string an async estimate answered'
ERROR_PROFILE_LOOKUP = (
    'Look a profile up by exactly one of "identity", "email" or "objectId", '
    "given once and not empty"
)
ERROR_PROFILE_NOT_FOUND = "No profile has {key} {value}"
ERROR_REPORT_DAY = '"{key}" has to be a day as a "YYYYMMDD" string, e.g. "20171201"'
ERROR_REPORT_ORDER = '"from" has to be on or before "to"'
ERROR_REPORT_FILTER = '"{key}" has to be an array of strings'
# Message Reports' filters this sandbox applies (`delivery`, `message_type`, `daily`: ignored).
REPORT_FILTERS = ("channel", "status", "label")
SUCCESS_QUEUED = "Added to queue for processing"
# Who the reader's messages (`jsonfile`) name.
BODY_NAME = "The request body"

Handler = Callable[[dict[str, Any]], dict[str, Any]]


# Validation: the one call every body goes through


def _validation_errors(body: Any, endpoint: str) -> list[ApiError]:
    """Everything wrong with `body` for `endpoint`, first the transport envelope's checks, then
    the payload core's. The API answers the first; an empty list lets the handler run."""
    if not isinstance(body, dict):
        return [ApiError(ERROR_INVALID_PAYLOAD, code=CODE_INVALID_PAYLOAD)]
    if endpoint == ENDPOINT_CREATE and "request_id" in body:
        return _async_lookup_errors(body)
    errors = _envelope_errors(body, endpoint)
    if errors:
        return errors
    if endpoint == ENDPOINT_CREATE or endpoint.startswith("send/"):
        return payload_core_errors(body=body, endpoint=endpoint)
    return []


def payload_core_errors(*, body: dict[str, Any], endpoint: str) -> list[ApiError]:
    """The payload core's rules (`campaigns.selectors.body_errors`, the validator the composer and
    the CLI use), answered like CleverTap: documented codes (9, 21, 73, 76, 89...) first, with
    their documented texts; other problems as code 400, in CleverTap's words where the reference
    records them, else ours with their JSON path."""
    try:
        api, channel = payloads.infer_target(body, endpoint)
    except ValueError as error:
        return [ApiError(str(error), code=CODE_BAD_REQUEST)]
    # Liquid is judged as CleverTap judges it (`_liquid_refusals`), with the sandbox's own
    # account's beta: the app's stricter rules (a default on every output) are the composer's.
    errors = selectors.body_errors(body, api=api, channel=channel, liquid_api_beta=False)
    answers = [
        ApiError(error.api_message or error.message, code=error.code)
        if error.code is not None
        else ApiError(error.api_message or f"{error.where}: {error.message}", code=CODE_BAD_REQUEST)
        for error in sorted(errors, key=lambda error: error.code is None)
    ]
    coded = sum(1 for error in errors if error.code is not None)
    answers[coded:coded] = _liquid_refusals(body, api=api, channel=channel)
    to = body.get("to")
    if api == "send" and isinstance(to, dict) and identities.count(to) > identities.MAX_PER_REQUEST:
        answers.append(ApiError(identities.TOO_MANY_FOR_ONE_REQUEST, code=CODE_BAD_REQUEST))
    return answers


def _liquid_refusals(body: dict[str, Any], *, api: str, channel: str) -> list[ApiError]:
    """CleverTap's answer to Liquid it cannot render, in a push campaign of an account in its
    Liquid beta (CLEVERTAP-READS.md §4-5); elsewhere, and without the beta, tags are plain text."""
    rendered = personalization.rendered_by_clevertap(
        api=api, channel=channel, liquid_api_beta=sandbox_selectors.liquid_api_beta()
    )
    if not rendered:
        return []
    return [
        ApiError(ERROR_INVALID_LIQUID.format(field=_field_name(path)), code=CODE_BAD_REQUEST)
        for path, text in push.personalized_texts(body)
        if personalization_checks.clevertap_refuses(text)
    ]


def _field_name(path: tuple) -> str:
    return next((key for key in reversed(path) if isinstance(key, str)), "")


def _envelope_errors(body: dict[str, Any], endpoint: str) -> list[ApiError]:
    if endpoint in (ENDPOINT_STOP, ENDPOINT_RESULT) and _campaign_id(body) is None:
        return [ApiError(ERROR_CAMPAIGN_ID, code=CODE_BAD_REQUEST)]
    if endpoint == ENDPOINT_LIST:
        day_from, day_to = _day(body.get("from")), _day(body.get("to"))
        if day_from is None or day_to is None or day_from > day_to:
            return [ApiError(ERROR_LIST_RANGE, code=CODE_BAD_REQUEST)]
    if endpoint == ENDPOINT_PROFILE and _profile_lookup(body) is None:
        return [ApiError(ERROR_PROFILE_LOOKUP, code=CODE_BAD_REQUEST)]
    if endpoint == ENDPOINT_MESSAGE_REPORTS:
        return _report_errors(body)
    return []


def _report_errors(body: dict[str, Any]) -> list[ApiError]:
    for key in ("from", "to"):
        if _report_day(body.get(key)) is None:
            return [ApiError(ERROR_REPORT_DAY.format(key=key), code=CODE_BAD_REQUEST)]
    if _report_day(body["from"]) > _report_day(body["to"]):
        return [ApiError(ERROR_REPORT_ORDER, code=CODE_BAD_REQUEST)]
    for key in REPORT_FILTERS:
        values = body.get(key)
        if values is not None and not (
            isinstance(values, list) and all(isinstance(value, str) for value in values)
        ):
            return [ApiError(ERROR_REPORT_FILTER.format(key=key), code=CODE_BAD_REQUEST)]
    return []


def _report_day(value: Any) -> datetime.date | None:
    """A "YYYYMMDD" string as a day; Message Reports takes no integers, unlike targets/list."""
    if not isinstance(value, str) or len(value) != 8 or not value.isascii() or not value.isdigit():
        return None
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def _profile_lookup(query: dict[str, Any]) -> tuple[str, str] | None:
    """The one lookup key and its value a profile request gives, or None unless it is one."""
    given = [key for key in sandbox_selectors.PROFILE_LOOKUPS if key in query]
    if len(given) != 1:
        return None
    value = query[given[0]]
    if not isinstance(value, str) or not value.strip():
        return None
    return given[0], value


def _async_lookup_errors(body: dict[str, Any]) -> list[ApiError]:
    request_id = body.get("request_id")
    if not isinstance(request_id, str) or not request_id.strip():
        return [ApiError(ERROR_REQUEST_ID, code=CODE_BAD_REQUEST)]
    return []


def _campaign_id(body: dict[str, Any]) -> int | None:
    value = body.get("id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _day(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        day = int(value)
        time.strptime(str(day), "%Y%m%d")
    except ValueError:
        return None
    return day if 10000101 <= day <= 99991231 else None


# The handlers: a valid body in, a success body out (or ApiError raised)


def _create(body: dict[str, Any]) -> dict[str, Any]:
    if "request_id" in body:
        return {
            "status": "success",
            **services.async_estimate_answer(request_id=body["request_id"]),
        }
    reach = _reach(body, ENDPOINT_CREATE)
    if body.get("estimate_only") is True:
        if body.get("async_estimate") is True:
            asked = services.async_estimate_create(body=body, estimates=reach.estimates)
            return {"status": "success", "request_id": asked.request_id}
        return {"status": "success", "estimates": reach.estimates}
    estimates = {} if body.get("skip_estimate") is True else reach.estimates
    campaign = services.campaign_create(body=body, estimates=estimates)
    return {"status": "success", "id": campaign.id, "estimates": estimates}


def _send(channel: str) -> Handler:
    endpoint = f"send/{channel}.json"

    def handle(body: dict[str, Any]) -> dict[str, Any]:
        if not audience.recipients(to=body["to"]).exists():
            raise ApiError(ERROR_INVALID_RECIPIENTS, code=CODE_INVALID_RECIPIENTS)
        if body.get("estimate_only") is True:
            return {"status": "success", "estimates": _reach(body, endpoint).estimates}
        return {"status": "success", "message": SUCCESS_QUEUED}

    return handle


def _stop(body: dict[str, Any]) -> dict[str, Any]:
    services.campaign_stop(campaign_id=_campaign_id(body))
    return {"status": "success"}


def _result(body: dict[str, Any]) -> dict[str, Any]:
    return {"status": "success", **services.campaign_report(campaign_id=_campaign_id(body))}


def _list(body: dict[str, Any]) -> dict[str, Any]:
    targets = services.campaigns_between(day_from=_day(body["from"]), day_to=_day(body["to"]))
    return {"status": "success", "targets": targets}


def _profile(query: dict[str, Any]) -> dict[str, Any]:
    key, value = _profile_lookup(query)
    record = sandbox_selectors.profile_record(key=key, value=value)
    if record is None:
        # Undocumented: the fail envelope with HTTP 200 (the module's docstring says why).
        raise ApiError(
            ERROR_PROFILE_NOT_FOUND.format(key=key, value=value),
            code=services.CODE_NOT_FOUND,
            http_status=200,
        )
    return {"status": "success", "record": record}


def _message_reports(body: dict[str, Any]) -> dict[str, Any]:
    messages = services.message_reports(
        day_from=_report_day(body["from"]),
        day_to=_report_day(body["to"]),
        channels=body.get("channel") or (),
        statuses=body.get("status") or (),
        labels=body.get("label") or (),
    )
    return {"status": "success", "messages": messages}


def _unknown(body: dict[str, Any]) -> dict[str, Any]:
    raise ApiError(ERROR_INVALID_CREDENTIALS, code=CODE_UNAUTHORIZED, http_status=401)


def _reach(body: dict[str, Any], endpoint: str) -> audience.Reach:
    try:
        return audience.reach(body=body, endpoint=endpoint)
    except audience.AudienceError as error:
        raise ApiError(error.message, code=CODE_BAD_REQUEST) from error


# The views


@csrf_exempt
@login_not_required
def targets_create(request: HttpRequest) -> HttpResponse:
    return _serve(request, endpoint=ENDPOINT_CREATE, handle=_create)


@csrf_exempt
@login_not_required
def targets_stop(request: HttpRequest) -> HttpResponse:
    return _serve(request, endpoint=ENDPOINT_STOP, handle=_stop)


@csrf_exempt
@login_not_required
def targets_result(request: HttpRequest) -> HttpResponse:
    return _serve(request, endpoint=ENDPOINT_RESULT, handle=_result)


@csrf_exempt
@login_not_required
def targets_list(request: HttpRequest) -> HttpResponse:
    return _serve(request, endpoint=ENDPOINT_LIST, handle=_list)


@csrf_exempt
@login_not_required
def profile(request: HttpRequest) -> HttpResponse:
    return _serve(request, endpoint=ENDPOINT_PROFILE, handle=_profile, method="GET")


@csrf_exempt
@login_not_required
def message_reports(request: HttpRequest) -> HttpResponse:
    return _serve(request, endpoint=ENDPOINT_MESSAGE_REPORTS, handle=_message_reports)


@csrf_exempt
@login_not_required
def send(request: HttpRequest, channel: str) -> HttpResponse:
    if channel not in registry.SEND_CHANNELS:
        return _serve(request, endpoint=ENDPOINT_UNKNOWN, handle=_unknown)
    return _serve(request, endpoint=f"send/{channel}.json", handle=_send(channel))


@csrf_exempt
@login_not_required
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _serve(request, endpoint=ENDPOINT_UNKNOWN, handle=_unknown)


# The pipeline


class _Exchange:
    """What one request brought and what it was answered, for the answer and the log."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.started = time.monotonic()
        self.body: Any = None
        self.body_text = ""
        # Why the reader refused the body, if it did.
        self.body_error: ApiError | None = None
        self.fault = ""

    def answer(self, payload: dict[str, Any], *, status: int = 200) -> HttpResponse:
        self.record(status_code=status, response=payload)
        return JsonResponse(payload, status=status)

    def fail(self, error: ApiError) -> HttpResponse:
        return self.answer(error.envelope(), status=error.http_status)

    def raw(self, text: str, *, status: int, content_type: str) -> HttpResponse:
        self.record(status_code=status, response_text=text)
        return HttpResponse(text, status=status, content_type=content_type)

    def record(self, *, status_code: int, response: Any = None, response_text: str = "") -> None:
        services.request_record(
            method=self.request.method or "",
            path=_loggable(self.request.path),
            account_id=_loggable(self.request.headers.get("X-CleverTap-Account-Id", "")),
            body=self.body,
            body_text=_loggable(self.body_text),
            status_code=status_code,
            response=response,
            response_text=response_text,
            fault=self.fault,
            duration_ms=int((time.monotonic() - self.started) * 1000),
        )


def _serve(
    request: HttpRequest, *, endpoint: str, handle: Handler, method: str = "POST"
) -> HttpResponse:
    exchange = _Exchange(request)
    if not limits.in_flight.enter():
        return exchange.fail(
            ApiError(ERROR_TOO_MANY_CONCURRENT, code=CODE_TOO_MANY_REQUESTS, http_status=429)
        )
    try:
        return _serve_in_flight(exchange, endpoint=endpoint, handle=handle, method=method)
    finally:
        limits.in_flight.leave()


def _serve_in_flight(
    exchange: _Exchange, *, endpoint: str, handle: Handler, method: str
) -> HttpResponse:
    request = exchange.request
    authorized = endpoint != ENDPOINT_UNKNOWN and _authorized(request)
    if authorized and method == "GET":
        exchange.body = _query(request)
    elif authorized:
        _body_read(exchange)
    draw = faults.fault_draw(faults=faults.faults_get())
    if draw.latency_ms:
        exchange.fault = faults.FAULT_LATENCY
        time.sleep(draw.latency_ms / 1000)
    if draw.fault:
        exchange.fault = draw.fault
    if draw.fault == faults.FAULT_ERROR:
        message = faults.SERVER_ERRORS[draw.error_status]
        return exchange.fail(
            ApiError(message, code=draw.error_status, http_status=draw.error_status)
        )
    if draw.fault == faults.FAULT_DROP:
        sock = faults.client_socket(request.META)
        if sock is None:
            return exchange.raw("", status=200, content_type="application/json")
        exchange.record(status_code=0)  # before the client can notice
        faults.connection_drop(sock)
        return HttpResponse(b"")  # never reaches the client
    if draw.fault == faults.FAULT_MALFORMED:
        return exchange.raw(faults.MALFORMED_BODY, status=200, content_type="application/json")
    if not authorized:
        return exchange.fail(
            ApiError(ERROR_INVALID_CREDENTIALS, code=CODE_UNAUTHORIZED, http_status=401)
        )
    if request.method != method:
        message = ERROR_METHOD_NOT_ALLOWED_GET if method == "GET" else ERROR_METHOD_NOT_ALLOWED
        return exchange.fail(ApiError(message, code=CODE_METHOD_NOT_ALLOWED, http_status=405))
    if endpoint == ENDPOINT_CREATE and _creates_campaign(exchange.body):
        limits.creates_seen.arrived()
    if endpoint == ENDPOINT_CREATE and not limits.create_rate.allow():
        return exchange.fail(
            ApiError(ERROR_CREATE_RATE, code=CODE_TOO_MANY_REQUESTS, http_status=429)
        )
    if exchange.body_error is not None:
        return exchange.fail(exchange.body_error)
    errors = _validation_errors(exchange.body, endpoint)
    if errors:
        return exchange.fail(errors[0])
    try:
        return exchange.answer(handle(exchange.body))
    except ApiError as error:
        return exchange.fail(error)


def _body_read(exchange: _Exchange) -> None:
    """Read the body once with the app's reader; keep the raw text when it is refused (for the
    log) and why (for the answer)."""
    request = exchange.request
    try:
        raw = request.body
    except RequestDataTooBig:
        exchange.body_text = "(body too large)"
        # Django refused to read it: over the smaller of its limit and the reader's.
        limit = min(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, jsonfile.MAX_BYTES)
        try:
            jsonfile.size_check(_content_length(request), name=BODY_NAME, limit=limit)
        except jsonfile.JsonFileError as error:
            exchange.body_error = ApiError(str(error), code=CODE_BAD_REQUEST)
        return
    if not raw:
        exchange.body_error = ApiError(ERROR_INVALID_PAYLOAD, code=CODE_INVALID_PAYLOAD)
        return
    try:
        exchange.body = jsonfile.load_json_bytes(raw, name=BODY_NAME, storable=True)
    except jsonfile.NotJson:
        exchange.body_error = ApiError(ERROR_INVALID_PAYLOAD, code=CODE_INVALID_PAYLOAD)
    except jsonfile.JsonFileError as error:
        exchange.body_error = ApiError(str(error), code=CODE_BAD_REQUEST)
    if exchange.body is None:
        exchange.body_text = raw[: services.TEXT_KEPT].decode("utf-8", errors="replace")


def _query(request: HttpRequest) -> dict[str, Any]:
    """A GET's parameters as the object its handler reads and the log keeps."""
    return {
        _loggable(key): _loggable(values[0]) if len(values) == 1 else list(map(_loggable, values))
        for key, values in request.GET.lists()
    }


def _loggable(text: str) -> str:
    # PostgreSQL's text cannot hold NUL: shown as the decoder shows a byte it cannot read.
    return text.replace("\x00", "\ufffd")


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _creates_campaign(body: Any) -> bool:
    """A create call that is not an estimate nor the poll of a background one."""
    if not isinstance(body, dict):
        return False
    return body.get("estimate_only") is not True and "request_id" not in body


def _authorized(request: HttpRequest) -> bool:
    account_id = request.headers.get("X-CleverTap-Account-Id", "")
    passcode = request.headers.get("X-CleverTap-Passcode", "")
    account_ok = hmac.compare_digest(account_id.encode(), settings.SANDBOX_ACCOUNT_ID.encode())
    passcode_ok = hmac.compare_digest(passcode.encode(), settings.SANDBOX_PASSCODE.encode())
    return account_ok and passcode_ok
