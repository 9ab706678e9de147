"""The calendar: every send of a month or a week, read from the database only."""

import datetime

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from campaigns import calendar, calendar_reads, overlap_reads, roles, selectors
from campaigns.views.calendar_forms import VIEW_MONTH, VIEW_WEEK, CalendarForm

PAGE = "campaigns/calendar.html"


@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    account_tz = calendar_reads.account_tz()
    today = timezone.now().astimezone(account_tz).date()
    form = CalendarForm(request.GET, owners=selectors.owner_options(), today=today)
    asked = form.asked(today=today)
    view, day = asked["view"], asked["day"]
    if view == VIEW_WEEK:
        first_day, last_day = calendar.week_range(day)
        shown = (first_day, last_day)
        earlier, later = day - datetime.timedelta(days=7), day + datetime.timedelta(days=7)
    else:
        first_day, last_day = calendar.month_range(day)
        month_first = day.replace(day=1)
        month_last = (month_first + datetime.timedelta(days=32)).replace(day=1)
        shown = (month_first, month_last - datetime.timedelta(days=1))
        earlier = (month_first - datetime.timedelta(days=1)).replace(day=1)
        later = month_last
    sources = calendar_reads.calendar_sources(
        first_day=first_day, last_day=last_day, filters=asked["filters"]
    )
    days = overlap_reads.days_with_overlaps(
        calendar.calendar_days(
            sources, first_day=first_day, last_day=last_day, account_tz=account_tz, in_range=shown
        )
    )
    agenda = [day for day in days if day.in_range and day.entries]
    context = {
        "form": form,
        "view": view,
        "day": day,
        "today": today,
        "shown": shown,
        "weeks": [days[index : index + 7] for index in range(0, len(days), 7)],
        "weekday_names": calendar.WEEKDAY_NAMES,
        "agenda": agenda,
        "send_count": sum(len(day.entries) for day in agenda),
        "timezone": str(account_tz),
        "links": {
            "earlier": _query(request.GET, date=earlier),
            "later": _query(request.GET, date=later),
            "today": _query(request.GET, date=today),
            "month": _query(request.GET, view=VIEW_MONTH),
            "week": _query(request.GET, view=VIEW_WEEK),
        },
    }
    return render(request, PAGE, context)


def _query(data: QueryDict, **changes: object) -> str:
    """The page's query with some values changed: the filters asked for stay."""
    query = data.copy()
    for name, value in changes.items():
        query[name] = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return f"?{query.urlencode()}"
