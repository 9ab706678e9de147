"""The app's own middleware.

`SessionIdleRefreshMiddleware`: logins expire after SESSION_COOKIE_AGE seconds without a request
(the idle limit). Django can push the expiry back on every request (SESSION_SAVE_EVERY_REQUEST),
but that writes the session row on every request: every live-preview keystroke would take the
database's write lock. This middleware pushes it back at most once every SESSION_REFRESH_SECONDS
instead, so a login expires between the idle limit minus that interval and the idle limit after its
last request.

`RequestLimitsMiddleware`: requests over the size limits answer a 400 page that says what was too
large, never a 500. Django raises RequestDataTooBig, TooManyFieldsSent or TooManyFilesSent when a
request body is read that goes over DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS or
DATA_UPLOAD_MAX_NUMBER_FILES. The CSRF middleware reads form bodies before any view, where a view's
exception handling cannot see it; so this middleware, placed before it, reads them first and
answers with the page itself. Bodies read later by a view (JSON for the sandbox API, forms posted
to CSRF-exempt views) are caught in `process_exception`.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

REFRESHED_KEY = "_idle_refreshed_at"


class SessionIdleRefreshMiddleware:
    """Place after SessionMiddleware: the session it marks as changed is saved on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only sessions this request used and that hold something (a login): no new rows for
        # anonymous visitors.
        if session is None or not session.accessed or session.is_empty():
            return response
        now = time.time()
        refreshed_at = session.get(REFRESHED_KEY)
        if not isinstance(refreshed_at, (int, float)) or (
            now - refreshed_at >= settings.SESSION_REFRESH_SECONDS
        ):
            session[REFRESHED_KEY] = now
        return response


# Request size limits

TOO_LARGE = (
    "What you sent is larger than {limit}, the most this server accepts in one request. "
    "Make it smaller (for example a shorter email body or fewer rows) and send it again. Files "
    "to import can be up to 5 MB; upload them as a file instead of pasting them."
)
TOO_MANY_FIELDS = (
    "What you sent has more than {limit} fields, the most this server accepts in one request. "
    "Remove some rows and send it again."
)
TOO_MANY_FILES = (
    "What you sent has more than {limit} files, the most this server accepts in one request. "
    "Send fewer files at once."
)
TEMPLATE = "400.html"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
LIMIT_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def size_in_words(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} bytes"


def limit_message(error: Exception) -> str:
    if isinstance(error, TooManyFieldsSent):
        return TOO_MANY_FIELDS.format(limit=f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}")
    if isinstance(error, TooManyFilesSent):
        return TOO_MANY_FILES.format(limit=f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}")
    return TOO_LARGE.format(limit=size_in_words(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))


def too_large_response(request: HttpRequest, error: Exception) -> HttpResponse:
    logging.getLogger(f"django.security.{error.__class__.__name__}").warning(
        "%s: %s", error, request.path
    )
    return render(request, TEMPLATE, {"problem": limit_message(error)}, status=400)


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        if request.method != "POST" or request.content_type not in FORM_CONTENT_TYPES:
            return None
        if getattr(view, "csrf_exempt", False):
            # Nothing reads its body before the view, which may still change its upload handlers.
            return None
        try:
            request.POST  # noqa: B018 - reading the form body is the point
        except LIMIT_ERRORS as error:
            return too_large_response(request, error)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, LIMIT_ERRORS):
            return too_large_response(request, exception)
        return None
