"""Overlap warnings on the composer, in review and on the calendar."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import overlap_reads
from campaigns.models import AccountSettings, Campaign, Status
from tests.overlap_plan import next_monday, overlap_plan

pytestmark = pytest.mark.django_db

WEEKLY_WARNING = "Reaches the same people as ‘Weekly push’ 2 h earlier (both use segment 3210)."
FOLLOW_UP_WARNING = "Reaches the same people as ‘Follow-up push’ 2 h later (both use segment 3210)."


@pytest.fixture
def plan(people):
    return overlap_plan(people["composer"])


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_composers_of_the_two_pushes_warn_about_each_other(as_user, plan):
    client = as_user("composer")
    assert FOLLOW_UP_WARNING in text(client.get(f"/drafts/{plan['Weekly push'].pk}/"))
    assert WEEKLY_WARNING in text(client.get(f"/drafts/{plan['Follow-up push'].pk}/"))
    email = text(client.get(f"/drafts/{plan['One-off email'].pk}/"))
    assert "Overlaps with other campaigns" not in email


def test_review_shows_the_warning(as_user, plan):
    Campaign.objects.filter(pk=plan["Follow-up push"].pk).update(status=Status.IN_REVIEW)
    page = text(as_user("reviewer").get(f"/drafts/{plan['Follow-up push'].pk}/review/"))
    assert 'id="review-overlaps"' in page and WEEKLY_WARNING in page
    email = text(as_user("reviewer").get(f"/drafts/{plan['One-off email'].pk}/review/"))
    assert "Overlaps with other campaigns" not in email


def test_the_calendar_marks_both_pushes_on_the_day_they_meet(as_user, plan):
    meeting = next_monday() + datetime.timedelta(days=7)
    page = text(as_user("composer").get("/calendar/", {"view": "week", "date": str(meeting)}))
    marks = page.count('class="cal-overlap"')
    assert marks == 2  # the Monday 18:00 push and the 20:00 follow-up, once each
    assert f'data-overlap-for="campaign-{plan["Weekly push"].pk}"' in page
    assert f'data-overlap-for="campaign-{plan["One-off email"].pk}"' not in page
    assert FOLLOW_UP_WARNING in page


def test_a_narrower_window_leaves_them_unflagged(as_user, plan):
    AccountSettings.objects.update_or_create(pk=1, defaults={"overlap_window_hours": 1})
    page = text(as_user("composer").get(f"/drafts/{plan['Weekly push'].pk}/"))
    assert "Overlaps with other campaigns" not in page


def test_the_overlaps_of_a_campaign_take_the_same_queries_for_many_others(plan, people):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            found = overlap_reads.campaign_overlaps(plan["Weekly push"])
        assert found
        return len(captured)

    AccountSettings.current()
    few = queries()
    for _ in range(20):
        overlap_plan(people["reviewer"])
    assert queries() == few
