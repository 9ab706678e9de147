"""The health check that load balancers and uptime monitors call, and the benchmark's reference:
the whole middleware stack and nothing else (no login, no template, no query of its own)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
