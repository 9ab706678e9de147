"""The audit log: every state change, approval, publish attempt, stop, settings change, CleverTap
call and comment, as a page and as CSV."""

import csv
import json
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaigns import audit, roles
from campaigns.views import forms

AUDIT = "campaigns/audit.html"
AUDIT_PER_PAGE = 50


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every state change, approval, publish attempt, stop, settings change, CleverTap call and
    comment; read-only."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    form = forms.AuditFilterForm(request.GET or None)
    events = audit.audit_list(**form.filters())
    page = Paginator(events, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    for event in page:
        event.summary = audit.event_summary(event)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, AUDIT, context)


@require_GET
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The audit log as filtered, as CSV (streamed: it can be long)."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    form = forms.AuditFilterForm(request.GET or None)
    events = audit.audit_list(**form.filters())
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (draft names are typed by people)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_rows(events) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(["time", "who", "action", "draft_id", "draft", "details"])
    for event in events.iterator(chunk_size=500):
        yield writer.writerow(
            [
                event.created_at.isoformat(),
                _cell(event.actor.get_username() if event.actor else ""),
                event.action,
                event.campaign_id or "",
                _cell(event.campaign.name if event.campaign else ""),
                _cell(json.dumps(event.details, ensure_ascii=False, sort_keys=True)),
            ]
        )
