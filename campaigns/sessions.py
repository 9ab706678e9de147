"""Logins expire after SESSION_COOKIE_AGE seconds without a request (the idle limit).

Django can push the expiry back on every request (SESSION_SAVE_EVERY_REQUEST), but that writes the
session row on every request: every live-preview keystroke would take the database's write lock.
This middleware pushes it back at most once every SESSION_REFRESH_SECONDS instead, so a login
expires between the idle limit minus that interval and the idle limit after its last request.
"""

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
