"""CleverTap campaigns: every campaign of the account in a range of days, from the message reports
stored by the background task (`campaigns.reports`); a page load reads the database only."""

import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timesince, timezone
from django.views.decorators.http import require_GET, require_POST

from campaigns import clevertap, reports, roles
from campaigns.views import forms
from campaigns.views.common import wants_fragment

PAGE = "campaigns/clevertap_campaigns.html"
PAGE_SIZE = 25
# While weeks are being fetched, the list asks again this often (htmx), or the page reloads
# itself (without JavaScript).
POLL_SECONDS = 2
RELOAD_SECONDS = 5

NOT_FETCHED = (
    "Campaigns that started from {date_from} to {date_to} have not been fetched from CleverTap yet."
)
PARTLY_FETCHED = (
    "{unread} of the {weeks} weeks from {date_from} to {date_to} {verb} not been fetched from "
    "CleverTap yet: the list below misses their campaigns."
)
FETCHING = (
    "Fetching {count} week{plural} from CleverTap (it takes about 6 seconds a week). "
    "This list updates by itself."
)
NO_WORKER = (
    "Nothing is being fetched: no background worker is running. Start one with "
    "“uv run manage.py worker”."
)
FETCHED_AT = "Fetched from CleverTap {ago} ago."
FETCHED_JUST_NOW = "Fetched from CleverTap just now."
FETCH_PROBLEM = "CleverTap could not be read for {days}: {error}"
PROBLEM_WEEK = "the week from {first} to {last}"
PROBLEM_WEEKS = "{count} weeks between {first} and {last}"
UP_TO_DATE = (
    "These days were fetched from CleverTap less than {minutes} minutes ago: nothing to fetch."
)
NONE_STARTED = "CleverTap has no campaign that started from {date_from} to {date_to}."
NONE_YET = "No campaign so far: the weeks not fetched yet may have some."
NONE_MATCH = "No campaign matches these filters."
START_NOTE = (
    "CleverTap lists each campaign under the day it started: one that started before "
    "{date_from} is not here, even if it is still running."
)
MADE_HERE = "Made in Campaign Studio"
MADE_IN_CLEVERTAP = "Made in CleverTap"
FETCH_BUTTON = "Fetch from CleverTap"
REFRESH_BUTTON = "Refresh from CleverTap"


@require_GET
def clevertap_campaigns(request: HttpRequest) -> HttpResponse:
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    context = _page_context(request, request.GET)
    if wants_fragment(request):
        return render(request, f"{PAGE}#reports", context)
    return render(request, PAGE, context)


@require_POST
def clevertap_fetch(request: HttpRequest) -> HttpResponse:
    """Queue the reading of the range's weeks from CleverTap, then show the range again."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    try:
        account_id = clevertap.account_current().account_id
    except clevertap.CleverTapError:
        return render(request, PAGE, _page_context(request, request.POST))
    form = forms.ReportFilterForm(request.POST, options=reports.NO_OPTIONS)
    if not form.is_valid():
        return render(request, PAGE, _page_context(request, request.POST))
    asked = form.filters()
    queued = reports.reports_fetch_request(
        account_id=account_id, date_from=asked["date_from"], date_to=asked["date_to"]
    )
    if not queued:
        minutes = settings.CLEVERTAP_REPORTS_FRESH_MINUTES
        messages.info(request, UP_TO_DATE.format(minutes=minutes))
    return redirect(f"{reverse('campaigns:clevertap_campaigns')}?{_query(asked)}")


def _page_context(request: HttpRequest, data: QueryDict) -> dict[str, Any]:
    try:
        account_id = clevertap.account_current().account_id
    except clevertap.CleverTapError as error:
        form = forms.ReportFilterForm(data, options=reports.NO_OPTIONS)
        return {"form": form, "problem": error.message}
    form = forms.ReportFilterForm(data, options=reports.filter_options(account_id=account_id))
    if not form.is_valid():
        return {"form": form}
    asked = form.filters()
    coverage = reports.coverage(
        account_id=account_id, date_from=asked["date_from"], date_to=asked["date_to"]
    )
    rows = reports.report_rows(account_id=account_id, **asked)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any(asked[name] for name in ("channel", "status", "label"))
    return {
        "form": form,
        "asked": asked,
        "coverage": coverage,
        "page": page,
        "entries": reports.report_entries(rows=page.object_list),
        "notices": _notices(asked, coverage),
        "empty_text": _empty_text(asked, coverage, filtered=filtered),
        "button": FETCH_BUTTON if coverage.unread else REFRESH_BUTTON,
        "poll_seconds": POLL_SECONDS,
        "reload_seconds": RELOAD_SECONDS,
        "made_here": MADE_HERE,
        "made_in_clevertap": MADE_IN_CLEVERTAP,
    }


def _notices(asked: dict[str, Any], coverage: reports.Coverage) -> dict[str, Any]:
    """What the page says about how the range was read, in words."""
    days = {"date_from": _day(asked["date_from"]), "date_to": _day(asked["date_to"])}
    status = ""
    if coverage.nothing_read and coverage.unread:
        status = NOT_FETCHED.format(**days)
    elif coverage.unread:
        status = PARTLY_FETCHED.format(
            unread=coverage.unread,
            weeks=coverage.weeks,
            verb="has" if coverage.unread == 1 else "have",
            **days,
        )
    elif coverage.read_at is not None:
        if timezone.now() - coverage.read_at < datetime.timedelta(minutes=1):
            status = FETCHED_JUST_NOW
        else:
            status = FETCHED_AT.format(ago=timesince.timesince(coverage.read_at, depth=1))
    return {
        "status": status,
        "fetching": (
            FETCHING.format(count=coverage.pending, plural="" if coverage.pending == 1 else "s")
            if coverage.pending
            else ""
        ),
        "no_worker": NO_WORKER if coverage.no_worker else "",
        "problems": _problems(coverage.problems),
        "start_note": START_NOTE.format(**days),
    }


def _problems(problems: list[reports.SliceProblem]) -> list[str]:
    """Each failure once, with the weeks it met (often all of them, for the same reason)."""
    weeks_by_error: dict[str, list[reports.SliceProblem]] = {}
    for problem in problems:
        weeks_by_error.setdefault(problem.error, []).append(problem)
    said = []
    for error, weeks in weeks_by_error.items():
        first, last = _day(weeks[0].first_day), _day(weeks[-1].last_day)
        days = (
            PROBLEM_WEEK.format(first=first, last=last)
            if len(weeks) == 1
            else PROBLEM_WEEKS.format(count=len(weeks), first=first, last=last)
        )
        said.append(FETCH_PROBLEM.format(days=days, error=error))
    return said


def _empty_text(asked: dict[str, Any], coverage: reports.Coverage, *, filtered: bool) -> str:
    if coverage.nothing_read:
        return ""
    if filtered:
        return NONE_MATCH
    if coverage.unread or coverage.pending:
        return NONE_YET
    return NONE_STARTED.format(date_from=_day(asked["date_from"]), date_to=_day(asked["date_to"]))


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "j M Y")


def _query(asked: dict[str, Any]) -> str:
    return urlencode(
        {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in asked.items()
            if value
        }
    )
