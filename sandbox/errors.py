"""The failure every sandbox API handler raises, answered as CleverTap's error envelope."""

from typing import Any


class ApiError(Exception):
    """A failed call, answered `{"status": "fail", "error": message, "code": code}` (no code when
    None) with `http_status`."""

    def __init__(self, message: str, *, code: int | None, http_status: int = 400) -> None:
        self.message = message
        self.code = code
        self.http_status = http_status
        super().__init__(message)

    def envelope(self) -> dict[str, Any]:
        # Some of CleverTap's documented failures carry no code (None).
        if self.code is None:
            return {"status": "fail", "error": self.message}
        return {"status": "fail", "error": self.message, "code": self.code}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiError) and (
            (self.message, self.code, self.http_status)
            == (other.message, other.code, other.http_status)
        )

    def __hash__(self) -> int:
        return hash((self.message, self.code, self.http_status))

    def __repr__(self) -> str:
        return f"ApiError({self.message!r}, code={self.code!r}, http_status={self.http_status!r})"
