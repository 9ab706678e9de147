"""Every campaign of the CleverTap account, those made in CleverTap's dashboard included, from
CleverTap's Get Message Reports (`POST /1/message/report.json`), read in the background and kept.

CleverTap takes long to answer for many days (a third-party client measured about 6 s for 7 days
and 26 s for 30: CLEVERTAP-READS.md §2), so no page ever asks it: a page asks for a range to be
fetched (`reports_fetch_request`), a task reads its days a week at a time and stores the rows
(`MessageReport`), and the page reads the database only. Days read less than
CLEVERTAP_REPORTS_FRESH_MINUTES ago are not read again; a failed read is stored, in words, with
its days, and shown.

CleverTap lists a campaign under the day it *started*: each campaign is in exactly one week, and
one that started before a range is not in it, even if it still runs.
"""

import dataclasses
import datetime
import logging
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.tasks import task
from django.utils import timezone

from campaigns import clevertap, models
from campaigns.publishing import records, sends

logger = logging.getLogger(__name__)

# Messages people see.
FETCH_FAILED = "Reading these days from CleverTap failed unexpectedly: try again."
ACCOUNT_CHANGED = (
    "The CleverTap account was changed after these days were asked for: fetch them again."
)

# Weeks, Monday to Sunday, in the account's timezone. Seven days rather than the 14 a third-party
# client uses: CleverTap answers a week in about 6 s (two weeks in about 12), well inside the
# client's read timeout; the week holding today is read again every few minutes, and a week is
# the least that costs; and a fixed grid lets every range share what another range read.
SLICE_DAYS = 7
# A fetch asked for and not done after this long (no worker ran it, or it died) can be asked
# again.
PENDING_GIVE_UP = datetime.timedelta(minutes=10)
# CleverTap's `start_date`, e.g. "22 Sep, 2024 10:30:00" (no zone: the account's), as a
# third-party client reads it ("%d %b, %Y %H:%M:%S", CLEVERTAP-READS.md §2; the documented field
# table was not captured). English month names whatever the machine's locale.
START_DATE_RE = re.compile(r"^(\d{1,2}) ([A-Za-z]{3}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2})$")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# The values CleverTap's docs name, as people call them; others are shown as CleverTap spells them.
CHANNEL_NAMES = {
    "push": "Push",
    "email": "Email",
    "sms": "SMS",
    "whatsapp": "WhatsApp",
    "browser": "Web push",
    "audiences": "Audiences",
    "inapp": "In-app",
    "webhooks": "Webhook",
    "web_pop_up": "Web pop-up",
    "web_exit_intent": "Web exit intent",
    "web_native_display": "Web native display",
    "web_inbox": "Web inbox",
    "app_inbox": "App inbox",
}
STATUS_NAMES = {
    "scheduled": "Scheduled",
    "pending": "Scheduled",
    "running": "Running",
    "stopped": "Stopped",
    "completed": "Completed",
}


def channel_name(value: str) -> str:
    return CHANNEL_NAMES.get(value.lower(), value)


def status_name(value: str) -> str:
    return STATUS_NAMES.get(value.lower(), value)


# The grid of slices


def slice_first_day(day: datetime.date) -> datetime.date:
    """The Monday of the week holding `day`."""
    return day - datetime.timedelta(days=day.weekday())


def slice_first_days(*, date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    """The first day of every slice that holds a day of the range."""
    first, last = slice_first_day(date_from), slice_first_day(date_to)
    return [
        first + datetime.timedelta(days=SLICE_DAYS * n)
        for n in range((last - first).days // SLICE_DAYS + 1)
    ]


def fresh(report_slice: models.ReportSlice, *, now: datetime.datetime) -> bool:
    """Read well, and recently enough that it is not read again."""
    minutes = datetime.timedelta(minutes=settings.CLEVERTAP_REPORTS_FRESH_MINUTES)
    return (
        report_slice.fetched_at is not None
        and not report_slice.error
        and report_slice.fetched_at > now - minutes
    )


def pending(report_slice: models.ReportSlice, *, now: datetime.datetime) -> bool:
    """Asked for, and not read since (nor given up on)."""
    asked = report_slice.requested_at
    return (
        asked is not None
        and asked > now - PENDING_GIVE_UP
        and (report_slice.attempted_at is None or report_slice.attempted_at < asked)
    )


# Asking for a range, and reading it (the task)


def reports_fetch_request(
    *, account_id: str, date_from: datetime.date, date_to: datetime.date
) -> int:
    """Have the days of a range read from CleverTap in the background; how many weeks are asked
    for (those read recently, or already asked for, are not)."""
    now = timezone.now()
    due = []
    with transaction.atomic():
        for report_slice in _slices_ensure(account_id, date_from, date_to):
            if not fresh(report_slice, now=now) and not pending(report_slice, now=now):
                due.append(report_slice.pk)
        if due:
            models.ReportSlice.objects.filter(pk__in=due).update(requested_at=now)
            transaction.on_commit(lambda: fetch_slices.enqueue(due))
    return len(due)


@task()
def fetch_slices(slice_ids: list[int]) -> None:
    """The background task: read some weeks of message reports from CleverTap."""
    slices_fetch(slice_ids=slice_ids)


def slices_fetch(*, slice_ids: Iterable[int]) -> None:
    """Read the weeks, the latest first (the one people look at most)."""
    for report_slice in models.ReportSlice.objects.filter(pk__in=list(slice_ids)).order_by(
        "-first_day"
    ):
        try:
            slice_fetch(report_slice=report_slice)
        except Exception:
            # Whatever it was, the page says the read failed, and the other weeks are read.
            logger.exception("Could not read the message reports of %s", report_slice)
            _slice_failed(report_slice, FETCH_FAILED)


def slice_fetch(*, report_slice: models.ReportSlice) -> bool:
    """Read one week from CleverTap and store it, unless it was read recently; whether it was
    read. A CleverTap error is stored with the week, in words, and its old rows are kept."""
    report_slice.refresh_from_db()
    if fresh(report_slice, now=timezone.now()):
        return False
    try:
        if clevertap.account_current().account_id != report_slice.account_id:
            _slice_failed(report_slice, ACCOUNT_CHANGED)
            return False
        rows = clevertap.message_reports(
            date_from=report_slice.first_day, date_to=report_slice.last_day
        )
    except clevertap.CleverTapError as error:
        _slice_failed(report_slice, str(error))
        return False
    records.retrying_when_locked(lambda: _slice_store(report_slice, rows))
    return True


def _slices_ensure(
    account_id: str, date_from: datetime.date, date_to: datetime.date
) -> list[models.ReportSlice]:
    firsts = slice_first_days(date_from=date_from, date_to=date_to)
    models.ReportSlice.objects.bulk_create(
        [
            models.ReportSlice(
                account_id=account_id,
                first_day=first,
                last_day=first + datetime.timedelta(days=SLICE_DAYS - 1),
            )
            for first in firsts
        ],
        ignore_conflicts=True,
    )
    return list(
        models.ReportSlice.objects.select_for_update().filter(
            account_id=account_id, first_day__in=firsts
        )
    )


def _slice_failed(report_slice: models.ReportSlice, error: str) -> None:
    records.retrying_when_locked(
        lambda: models.ReportSlice.objects.filter(pk=report_slice.pk).update(
            attempted_at=timezone.now(), error=error
        )
    )


def _slice_store(report_slice: models.ReportSlice, rows: list[dict[str, Any]]) -> None:
    """The week's rows replace those it had: updated by message id, the ones gone removed."""
    now = timezone.now()
    read = {}
    for raw in rows:
        row = _row_read(raw, report_slice=report_slice, fetched_at=now)
        if row is None:
            logger.warning("A message report row without a message id: %r", raw)
            continue
        read[row.message_id] = row
    with transaction.atomic():
        models.MessageReport.objects.bulk_create(
            list(read.values()),
            update_conflicts=True,
            unique_fields=["account_id", "message_id"],
            update_fields=[
                "report_slice",
                "name",
                "channel",
                "status",
                "started_at",
                "labels",
                "labels_text",
                "sent",
                "viewed",
                "clicked",
                "raw",
                "fetched_at",
            ],
        )
        report_slice.rows.exclude(message_id__in=list(read)).delete()
        models.ReportSlice.objects.filter(pk=report_slice.pk).update(
            attempted_at=now, fetched_at=now, error=""
        )


def _row_read(
    raw: dict[str, Any], *, report_slice: models.ReportSlice, fetched_at: datetime.datetime
) -> models.MessageReport | None:
    """One of CleverTap's rows, read leniently (its field table is not documented)."""
    message_id = str(raw.get("message id") or "").strip()[:40]
    if not message_id:
        return None
    labels = raw.get("labels")
    if isinstance(labels, str):
        labels = [labels]
    elif not isinstance(labels, list):
        labels = []
    labels = [str(label) for label in labels if str(label).strip()]
    return models.MessageReport(
        account_id=report_slice.account_id,
        message_id=message_id,
        report_slice=report_slice,
        name=str(raw.get("message_name") or "")[:500],
        channel=str(raw.get("channel") or "")[:40],
        status=str(raw.get("status") or "")[:40],
        started_at=_start_read(raw.get("start_date")),
        labels=labels,
        labels_text=(f",{','.join(labels)}," if labels else "")[:1000],
        sent=_count_read(raw.get("sent")),
        viewed=_count_read(raw.get("viewed")),
        clicked=_count_read(raw.get("clicked")),
        raw=raw,
        fetched_at=fetched_at,
    )


def _start_read(value: Any) -> datetime.datetime | None:
    found = START_DATE_RE.match(str(value).strip())
    if not found or found[2].lower() not in MONTHS:
        return None
    day, _, year, hour, minute, second = found.groups()
    try:
        naive = datetime.datetime(
            int(year),
            MONTHS.index(found[2].lower()) + 1,
            int(day),
            int(hour),
            int(minute),
            int(second),
        )
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _count_read(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Reads for the page


@dataclasses.dataclass(frozen=True)
class SliceProblem:
    first_day: datetime.date
    last_day: datetime.date
    error: str


@dataclasses.dataclass(frozen=True)
class Coverage:
    """How much of a range has been read from CleverTap, and how well."""

    weeks: int
    read: int
    pending: int
    # Neither read nor being read.
    unread: int
    problems: list[SliceProblem]
    # The oldest successful read of the range's weeks (None: none read).
    read_at: datetime.datetime | None
    # Some week may be read again now (never read, failed, or not read recently).
    can_fetch: bool
    # A fetch waits and no background worker is running.
    no_worker: bool

    @property
    def nothing_read(self) -> bool:
        return self.read == 0


def coverage(*, account_id: str, date_from: datetime.date, date_to: datetime.date) -> Coverage:
    """What the page says about the range's reads (one query; one more while a read waits)."""
    now = timezone.now()
    firsts = slice_first_days(date_from=date_from, date_to=date_to)
    known = {
        report_slice.first_day: report_slice
        for report_slice in models.ReportSlice.objects.filter(
            account_id=account_id, first_day__in=firsts
        )
    }
    slices = [known.get(first) for first in firsts]
    waiting = sum(1 for s in slices if s is not None and pending(s, now=now))
    read_at = [s.fetched_at for s in slices if s is not None and s.fetched_at]
    return Coverage(
        weeks=len(firsts),
        read=len(read_at),
        pending=waiting,
        unread=sum(1 for s in slices if s is None or not (s.fetched_at or pending(s, now=now))),
        problems=[
            SliceProblem(first_day=s.first_day, last_day=s.last_day, error=s.error)
            for s in slices
            if s is not None and s.error
        ],
        read_at=min(read_at) if read_at else None,
        can_fetch=any(s is None or not (fresh(s, now=now) or pending(s, now=now)) for s in slices),
        no_worker=bool(waiting) and not sends.workers_alive(),
    )


def report_rows(
    *,
    account_id: str,
    date_from: datetime.date,
    date_to: datetime.date,
    channel: str = "",
    status: str = "",
    label: str = "",
) -> QuerySet[models.MessageReport]:
    """The campaigns that started in the range (days in the account's timezone), latest first;
    rows whose start could not be read are listed with the weeks they came in."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    rows = models.MessageReport.objects.filter(account_id=account_id).filter(
        Q(started_at__gte=start, started_at__lt=end)
        | Q(
            started_at__isnull=True,
            report_slice__first_day__lte=date_to,
            report_slice__last_day__gte=date_from,
        )
    )
    if channel:
        rows = rows.filter(channel=channel)
    if status:
        rows = rows.filter(status=status)
    if label:
        rows = rows.filter(labels_text__icontains=f",{label},")
    return rows.defer("raw").order_by(F("started_at").desc(nulls_last=True), "message_id")


@dataclasses.dataclass(frozen=True)
class FilterOptions:
    channels: list[tuple[str, str]]
    statuses: list[tuple[str, str]]
    labels: list[str]


NO_OPTIONS = FilterOptions(channels=[], statuses=[], labels=[])


def filter_options(*, account_id: str) -> FilterOptions:
    """The channels, statuses and labels the account's stored campaigns have (three queries)."""
    stored = models.MessageReport.objects.filter(account_id=account_id).order_by()
    channels = sorted(set(stored.values_list("channel", flat=True).distinct()) - {""})
    statuses = sorted(set(stored.values_list("status", flat=True).distinct()) - {""})
    labels = {
        label
        for text in stored.exclude(labels_text="").values_list("labels_text", flat=True).distinct()
        for label in text.strip(",").split(",")
        if label
    }
    return FilterOptions(
        channels=[(value, channel_name(value)) for value in channels],
        statuses=[(value, status_name(value)) for value in statuses],
        labels=sorted(labels, key=str.lower),
    )


def made_here(*, message_ids: Iterable[str]) -> dict[str, models.Campaign]:
    """The campaigns published from here among CleverTap's message ids (one query)."""
    ids = {int(message_id) for message_id in message_ids if message_id.isdigit()}
    if not ids:
        return {}
    attempts = (
        models.PublishAttempt.objects.filter(clevertap_id__in=ids)
        .select_related("campaign")
        .only("clevertap_id", "campaign__id", "campaign__name")
    )
    return {str(attempt.clevertap_id): attempt.campaign for attempt in attempts}


@dataclasses.dataclass(frozen=True)
class ReportEntry:
    """A row as the page shows it: the campaign it was published from, when made here."""

    row: models.MessageReport
    campaign: models.Campaign | None

    @property
    def channel_name(self) -> str:
        return channel_name(self.row.channel)

    @property
    def status_name(self) -> str:
        return status_name(self.row.status)

    # The counts as people read them: "12,480", or "—" when CleverTap gave none.
    @property
    def sent(self) -> str:
        return _count_text(self.row.sent)

    @property
    def viewed(self) -> str:
        return _count_text(self.row.viewed)

    @property
    def clicked(self) -> str:
        return _count_text(self.row.clicked)


def _count_text(count: int | None) -> str:
    return "—" if count is None else f"{count:,}"


def report_entries(*, rows: Iterable[models.MessageReport]) -> list[ReportEntry]:
    """The rows of a page, each with the campaign made here it stands for (one query)."""
    rows = list(rows)
    campaigns = made_here(message_ids=[row.message_id for row in rows])
    return [ReportEntry(row=row, campaign=campaigns.get(row.message_id)) for row in rows]
