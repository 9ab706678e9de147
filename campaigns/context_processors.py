from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from campaigns import roles, selectors


def studio(request: HttpRequest) -> dict:
    return {"sandbox_enabled": settings.SANDBOX_ENABLED}


def review_badge(request: HttpRequest) -> dict:
    """The number of drafts waiting for review, for reviewers (0 for everyone else).

    Lazy: one COUNT query, made only when a page's top bar shows the badge (fragments never do).
    """

    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.has_perm(roles.REVIEW_PERMISSION):
            return 0
        return selectors.review_count()

    return {"review_badge": SimpleLazyObject(count)}
