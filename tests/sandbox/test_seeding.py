import io
import statistics

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sandbox import seeding, selectors, testing
from sandbox.management.commands.seed_audience import ProgressBar
from sandbox.models import Event, Profile, Segment


def audience_rows() -> tuple[list[tuple], list[tuple], list[tuple]]:
    profiles = list(Profile.objects.order_by("id").values_list())
    events = list(Event.objects.order_by("id").values_list())
    segments = list(Segment.objects.order_by("id").values_list())
    return profiles, events, segments


def test_same_seed_and_day_give_the_same_audience(db):
    testing.audience_small(profiles=120, seed=5)
    first = audience_rows()
    testing.audience_small(profiles=120, seed=5)
    assert audience_rows() == first


def test_another_seed_gives_another_audience(db):
    testing.audience_small(profiles=120, seed=5)
    first = audience_rows()
    testing.audience_small(profiles=120, seed=6)
    assert audience_rows()[0] != first[0]


def test_seeding_replaces_the_previous_audience(db):
    testing.audience_small(profiles=150)
    summary = testing.audience_small(profiles=40)
    assert Profile.objects.count() == 40 == summary.profiles
    assert Event.objects.count() == summary.events
    assert Segment.objects.count() == summary.segments == 5
    assert not Event.objects.exclude(profile__in=Profile.objects.all()).exists()


def test_the_audience_is_sized_and_shaped_like_the_request(db):
    summary = testing.audience_small(profiles=400, events_per_profile=10)
    assert Profile.objects.count() == 400
    assert 3200 <= summary.events <= 4800, "about ten events per profile"
    days = Event.objects.values_list("day", flat=True)
    assert min(days) >= seeding.yyyymmdd(testing.TODAY.replace(year=testing.TODAY.year - 1))
    assert max(days) <= seeding.yyyymmdd(testing.TODAY)
    assert set(selectors.event_names()) == {name for name, _ in seeding.EVENT_WEIGHTS}
    types = [p["Customer Type"] for p in Profile.objects.values_list("properties", flat=True)]
    assert {"Platinum", "Gold", "Silver"} == set(types)
    assert types.count("Silver") > types.count("Gold") > types.count("Platinum")
    ages = [p["Age"] for p in Profile.objects.values_list("properties", flat=True) if "Age" in p]
    assert min(ages) >= 18 and max(ages) <= 70 and 25 < statistics.mean(ages) < 50
    identities = list(Profile.objects.values_list("identity", flat=True))
    assert len(set(identities)) == 400


def test_reachability_shares_are_realistic(db):
    testing.audience_small(profiles=1000, events_per_profile=1)
    total = Profile.objects.count()

    def share(**filters) -> float:
        return Profile.objects.filter(**filters).count() / total

    assert 0.45 < share(has_android=True) < 0.62
    assert 0.25 < share(has_ios=True) < 0.42
    assert 0.85 < 1 - share(email="") < 0.97
    assert 0.02 < share(email_opt_out=True) < 0.12
    assert 0.2 < share(has_chrome=True) < 0.4


def test_platinum_customers_are_more_active(db):
    testing.audience_small(profiles=600, events_per_profile=10)

    def per_profile(customer_type: str) -> float:
        profiles = Profile.objects.filter(**{"properties__Customer Type": customer_type})
        return Event.objects.filter(profile__in=profiles).count() / profiles.count()

    assert per_profile("Platinum") > per_profile("Silver")


def test_no_events_per_profile_gives_no_events(db):
    summary = testing.audience_small(profiles=30, events_per_profile=0)
    assert summary.events == 0 and Profile.objects.count() == 30


def test_command_seeds_and_reports(db):
    out = io.StringIO()
    call_command(
        "seed_audience",
        "--profiles",
        "50",
        "--seed",
        "3",
        "--today",
        "20260630",
        "--no-progress",
        stdout=out,
    )
    assert Profile.objects.count() == 50
    assert "Seeded 50 profiles" in out.getvalue()


def test_command_refuses_a_bad_day(db):
    with pytest.raises(CommandError, match="YYYYMMDD"):
        call_command("seed_audience", "--profiles", "5", "--today", "2026-06-30")


def test_progress_bar_draws_each_stage_to_one_hundred_percent():
    stream = io.StringIO()
    bar = ProgressBar(stream, width=10)
    for done in (0, 50, 50, 100):
        bar("profiles", done, 100)
    bar("events", 0, 0)
    text = stream.getvalue()
    assert "[#####-----]  50%" in text
    assert text.count("[#####-----]") == 1, "unchanged progress is not redrawn"
    assert "profiles  [##########] 100%" in text and text.endswith("\n")
