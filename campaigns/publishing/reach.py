"""Reach that follows the audience: the composer's estimate of what is typed, refreshed after an
edit of the audience alone, its age, whether it matches, and the draft's estimates over versions.

CleverTap is asked only when the audience (`audience_keys`) is one it has not answered for in the
last 15 minutes (answers are kept in Django's cache, shared by every app server), only when the
limiter has a slot free at once (a reach refreshed while typing never queues behind other calls),
and never for a draft with problems. Identity sends are counted here, as the estimate button does.
"""

import dataclasses
import datetime
import math

from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from campaigns import clevertap, identities, models, payloads, roles
from campaigns.publishing import audience_keys, estimates, reach_cache, records

NOT_ESTIMABLE = (
    "Cannot be estimated until {count} problem{plural} {are} fixed: shown at {their} "
    "field{plural}. The reach refreshes by itself once {it_they} {are}."
)
BUSY = (
    "CleverTap is busy with other requests: the estimate will refresh in a few seconds. The "
    "reach shown is the last one counted."
)
BUSY_NO_ESTIMATE = (
    "CleverTap is busy with other requests: the estimate will refresh in a few seconds."
)
ASKING = "Being estimated for another page: the estimate will refresh in a few seconds."
NO_ENDPOINT = (
    "This channel cannot be sent to a list of identities, so its reach cannot be estimated: find "
    "the audience by events and properties instead."
)

MATCHES_TYPED = "Matches what you see."
MATCHES_SAVED = "Matches the saved version {version}."
SAME_AUDIENCE = "For version {version}; only the content changed since, so the reach holds."
AUDIENCE_CHANGED = "For version {version}; the audience changed since."

# On the review page: the estimate of the version under review.
REVIEW_EXACT = "The estimate of version {version}, the version under review."
REVIEW_NONE = (
    "Version {version}, the version under review, has not been estimated yet. “Estimate reach” "
    "estimates it (nothing is sent)."
)
REVIEW_SAME_AUDIENCE = (
    " Version {earlier} had the same audience and was estimated to reach {total} user{plural}."
)


@dataclasses.dataclass
class Reach:
    """What the panel shows after a refresh: an estimate (None: none yet) and a notice."""

    estimate: models.Estimate | None
    notice: str = ""
    # Ask again in a few seconds (the limiter was busy, or another page was asking).
    retry: bool = False


def live_estimate(*, campaign: models.Campaign, state, user) -> Reach:
    """The reach of the body typed in the composer (`state`, a bound `composer.Composer`)."""
    roles.require_any(user, *estimates.ESTIMATE_PERMISSIONS)
    endpoint = state.endpoint
    latest = _latest_ready(campaign)
    if not endpoint:
        return Reach(latest, notice=NO_ENDPOINT)
    key = audience_keys.audience_key(state.body, endpoint=endpoint)
    if state.errors:
        return Reach(_problems(campaign, state, endpoint=endpoint, key=key))
    if state.api == models.Api.SEND:
        counted = _counted(campaign, state, endpoint=endpoint, key=key, latest=latest, user=user)
        return Reach(counted)
    if latest is not None and _same_audience_now(latest, campaign=campaign, key=key):
        return Reach(latest)
    cached = reach_cache.answer_cached(key)
    if cached is not None:
        return Reach(_from_cache(campaign, cached, body=state.body, key=key, user=user))
    if not reach_cache.asking_start(key):
        return Reach(latest, notice=ASKING, retry=True)
    try:
        return _asked(
            campaign, body=state.body, endpoint=endpoint, key=key, latest=latest, user=user
        )
    finally:
        reach_cache.asking_end(key)


def _latest_ready(campaign: models.Campaign) -> models.Estimate | None:
    return (
        models.Estimate.objects.filter(campaign=campaign, state=models.EstimateState.READY)
        .select_related("recipient_check")
        .first()
    )


def _same_audience_now(estimate: models.Estimate, *, campaign, key: str) -> bool:
    """The draft's last estimate already counts this audience, at this version, recently."""
    age = (timezone.now() - estimate.answered).total_seconds()
    return (
        estimate.audience_key == key
        and estimate.version == campaign.version
        and age < reach_cache.CACHE_SECONDS
    )


def _new_estimate(campaign, *, body, endpoint: str, key: str, user) -> models.Estimate:
    return models.Estimate(
        campaign=campaign,
        version=campaign.version,
        body_hash=payloads.body_hash(body),
        endpoint=endpoint,
        audience_key=key,
        user=user,
    )


def _problems(campaign, state, *, endpoint: str, key: str) -> models.Estimate:
    """Not stored: what the panel says while the typed draft has problems."""
    count = len(state.errors)
    shown = _new_estimate(campaign, body=state.body, endpoint=endpoint, key=key, user=None)
    shown.state = models.EstimateState.FAILED
    shown.error = NOT_ESTIMABLE.format(
        count=count,
        plural=pluralize(count),
        are="is" if count == 1 else "are",
        their="its" if count == 1 else "their",
        it_they="it" if count == 1 else "they",
    )
    shown.errors = estimates.path_errors(state.errors)
    return shown


def _counted(campaign, state, *, endpoint: str, key: str, latest, user) -> models.Estimate:
    """An identity send: its unique identities counted here, as the estimate button counts them
    (its sample is looked up in CleverTap by the button alone)."""
    if latest is not None and _same_audience_now(latest, campaign=campaign, key=key):
        return latest
    to = identities.unique_identities(state.body.get("to"))
    made = _new_estimate(campaign, body=state.body, endpoint=endpoint, key=key, user=user)
    made.result = {kind: len(values) for kind, values in to.items() if values}
    made.total = identities.count(to)
    made.requests = math.ceil(made.total / identities.MAX_PER_REQUEST)
    made.state = models.EstimateState.READY
    made.save()
    return made


def _from_cache(campaign, cached: dict, *, body, key: str, user) -> models.Estimate:
    """A stored estimate with the counts CleverTap answered for this audience (no call)."""
    made = _new_estimate(campaign, body=body, endpoint=cached["endpoint"], key=key, user=user)
    made.result = cached["result"]
    made.total = cached["total"]
    made.answered_at = parse_datetime(cached["answered_at"])
    made.state = models.EstimateState.READY
    made.save()
    return made


def _asked(campaign, *, body, endpoint: str, key: str, latest, user) -> Reach:
    """Ask CleverTap, with no wait for the limiter: a busy limiter keeps the last estimate."""
    made = _new_estimate(campaign, body=body, endpoint=endpoint, key=key, user=user)
    made.save()
    try:
        result = records.api_call(
            # No wait for the limiter, one try: the next audience edit (or the button) asks again.
            lambda: clevertap.estimate(endpoint=endpoint, body=body, live=True),
            campaign=campaign,
            user=user,
            estimate=made,
        )
    except clevertap.CleverTapError as error:
        if error.kind == clevertap.KIND_RATE_LIMITED:
            made.delete()  # nothing was counted: the panel keeps the last reach
            return Reach(latest, notice=BUSY if latest else BUSY_NO_ESTIMATE, retry=True)
        estimates.estimate_failed(made, error, campaign=campaign, body=body)
    else:
        estimates.estimate_read(made, result.data, waiting=False)
    made.save()
    reach_cache.answer_remember(made)
    return Reach(made)


# What the panel says about an estimate


def age_words(moment: datetime.datetime, *, now: datetime.datetime | None = None) -> str:
    """ "estimated 20 s ago", in words, from the server's clock."""
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    if seconds < 5:
        return "estimated just now"
    if seconds < 60:
        return f"estimated {seconds} s ago"
    minutes = seconds // 60
    if minutes < 60:
        return f"estimated {minutes} min ago"
    hours = minutes // 60
    if hours < 24:
        return f"estimated {hours} hour{pluralize(hours)} ago"
    return f"estimated on {timezone.localtime(moment):%d %b %Y at %H:%M}"


@dataclasses.dataclass(frozen=True)
class Match:
    """Whether an estimate describes what the page shows."""

    words: str
    matches: bool
    # The audience changed since: the existing "the draft changed since" warning stands.
    audience_changed: bool


def saved_versions(campaign: models.Campaign) -> dict[str, int]:
    """Body hash -> the latest version saved with that body (one query)."""
    rows = (
        models.Revision.objects.filter(campaign=campaign)
        .order_by("version")
        .values_list("body_hash", "version")
    )
    return dict(rows)


def version_of(estimate: models.Estimate, versions: dict[str, int]) -> int:
    """The version an estimate counts: an estimate of what was typed counts the version that was
    saved with that body, when it was saved; else the version it was typed on."""
    return versions.get(estimate.body_hash, estimate.version)


def estimate_match(
    estimate: models.Estimate,
    *,
    campaign: models.Campaign,
    typed_key: str = "",
    versions: dict[str, int] | None = None,
) -> Match | None:
    """Against what is typed (`typed_key`) when known, else against the saved version."""
    if estimate.state != models.EstimateState.READY:
        return None
    version = version_of(estimate, versions or {})
    changed = Match(AUDIENCE_CHANGED.format(version=version), matches=False, audience_changed=True)
    if typed_key:
        if estimate.audience_key == typed_key:
            return Match(MATCHES_TYPED, matches=True, audience_changed=False)
        return changed
    if not estimate.audience_key:
        return None  # made before estimates knew their audience: the version check says it
    if estimate.audience_key != audience_keys.audience_key(
        campaign.body, endpoint=estimate.endpoint
    ):
        return changed
    if version == campaign.version or estimate.body_hash == payloads.body_hash(campaign.body):
        return Match(
            MATCHES_SAVED.format(version=campaign.version), matches=True, audience_changed=False
        )
    return Match(SAME_AUDIENCE.format(version=version), matches=True, audience_changed=False)


def estimate_of_version(campaign: models.Campaign) -> models.Estimate | None:
    """The latest ready estimate of exactly the saved body (the version under review)."""
    return (
        models.Estimate.objects.filter(
            campaign=campaign,
            state=models.EstimateState.READY,
            body_hash=payloads.body_hash(campaign.body),
        )
        .select_related("recipient_check")
        .first()
    )


def review_note(campaign: models.Campaign, estimate: models.Estimate | None) -> str:
    """What the review page says about the estimate of the version under review; without one,
    the reach of an earlier version with the same audience, when there is one."""
    if estimate is not None:
        return REVIEW_EXACT.format(version=campaign.version)
    note = REVIEW_NONE.format(version=campaign.version)
    endpoint = payloads.endpoint(campaign.api, campaign.channel)
    same = (
        models.Estimate.objects.filter(
            campaign=campaign,
            state=models.EstimateState.READY,
            total__isnull=False,
            audience_key=audience_keys.audience_key(campaign.body, endpoint=endpoint),
        )
        .only("version", "body_hash", "total")
        .first()
    )
    if same is None:
        return note
    return note + REVIEW_SAME_AUDIENCE.format(
        earlier=version_of(same, saved_versions(campaign)),
        total=same.total,
        plural=pluralize(same.total),
    )
