"""What a CleverTap call gives: a result or one error, each with the redacted record of the
request; the kinds of failure and their words for people; the passcode scrubbed."""

import dataclasses
from typing import Any

REDACTED = "***"

# Kinds of failure, for code that reacts to them (the message is for people).
KIND_API = "api"
KIND_AUTH = "auth"
KIND_RATE_LIMITED = "rate_limited"
KIND_SERVER = "server"
KIND_TIMEOUT = "timeout"
KIND_CONNECTION = "connection"
KIND_BAD_RESPONSE = "bad_response"
KIND_CONFIGURATION = "configuration"

MESSAGE_API_ERROR = "CleverTap refused the request."
MESSAGE_AUTH = (
    "CleverTap rejected the credentials: check the region (CLEVERTAP_REGION or CLEVERTAP_API_HOST) "
    "and the account id and passcode."
)
MESSAGE_FORBIDDEN = (
    "CleverTap refused access: check that the passcode may use this API and that this server's "
    "address is allowed in CleverTap."
)
MESSAGE_NOT_FOUND = "CleverTap does not know this campaign: check the campaign id."
MESSAGE_RATE_LIMITED = "CleverTap received too many requests from this account: try again shortly."
MESSAGE_LOCAL_BUSY = (
    "Too many CleverTap requests for this account are already under way: try again shortly."
)
MESSAGE_SERVER = "CleverTap is unavailable at the moment: try again later."
MESSAGE_TIMEOUT = "CleverTap did not answer in time: try again later."
MESSAGE_CONNECTION = "Could not connect to CleverTap: check the network and the API host."
MESSAGE_BAD_RESPONSE = "CleverTap sent an answer that could not be read."
MESSAGE_OUTCOME_UNKNOWN = (
    "The request reached CleverTap but its answer was lost or unclear, so the campaign may or may "
    "not have been created or sent: check the campaign list in CleverTap before publishing again."
)
MESSAGE_UNKNOWN_REGION = (
    "CLEVERTAP_REGION {region!r} is not a CleverTap region: use one of in1, sg1, us1, aps3, "
    "mec1 or eu1, or set CLEVERTAP_API_HOST."
)
MESSAGE_NOT_CONFIGURED = (
    "CleverTap is not configured: set CLEVERTAP_ACCOUNT_ID and CLEVERTAP_PASSCODE, "
    "or enable the sandbox."
)


@dataclasses.dataclass(frozen=True)
class RequestRecord:
    """What was sent, safe to store and show: the passcode reads "***", header and body alike."""

    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class CleverTapResult:
    """A successful call. `duration_ms` covers the whole call: every attempt, waits included."""

    operation: str
    data: dict[str, Any]
    http_status: int
    duration_ms: int
    attempts: int
    request: RequestRecord


class CleverTapError(Exception):
    """Every way a CleverTap call can fail.

    `message` is for the user. `kind` is one of the KIND_* constants. `retry_safe` says whether
    sending the same request again cannot deliver a campaign twice; `outcome_unknown` says that a
    create or send may have reached CleverTap and been acted on although no success was seen.
    `attempts` counts the HTTP requests sent.
    """

    def __init__(
        self,
        *,
        message: str,
        kind: str,
        retry_safe: bool,
        outcome_unknown: bool = False,
        http_status: int | None = None,
        clevertap_error: str = "",
        clevertap_code: int | str | None = None,
        operation: str = "",
        request: RequestRecord | None = None,
        data: dict[str, Any] | None = None,
        attempts: int = 0,
        duration_ms: int = 0,
    ) -> None:
        self.message = message
        self.kind = kind
        self.retry_safe = retry_safe
        self.outcome_unknown = outcome_unknown
        self.http_status = http_status
        self.clevertap_error = clevertap_error
        self.clevertap_code = clevertap_code
        self.operation = operation
        self.request = request
        self.data = data
        self.attempts = attempts
        self.duration_ms = duration_ms
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [self.message]
        if self.clevertap_error or self.clevertap_code is not None:
            said = self.clevertap_error or "no details"
            code = f" (code {self.clevertap_code})" if self.clevertap_code is not None else ""
            parts.append(f"CleverTap said: {said}{code}.")
        if self.http_status is not None:
            parts.append(f"[HTTP {self.http_status}]")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"CleverTapError(kind={self.kind!r}, message={self.message!r}, "
            f"http_status={self.http_status!r}, clevertap_error={self.clevertap_error!r}, "
            f"clevertap_code={self.clevertap_code!r}, retry_safe={self.retry_safe!r}, "
            f"outcome_unknown={self.outcome_unknown!r}, attempts={self.attempts!r})"
        )


def scrubbed(value: Any, *, passcode: str) -> Any:
    """`value` with the passcode replaced wherever it appears, in keys and strings alike."""
    if not passcode:
        return value
    if isinstance(value, str):
        return value.replace(passcode, REDACTED)
    if isinstance(value, dict):
        return {
            scrubbed(key, passcode=passcode): scrubbed(item, passcode=passcode)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [scrubbed(item, passcode=passcode) for item in value]
    return value
