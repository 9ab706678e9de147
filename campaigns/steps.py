"""The composer's guided steps: its sections as Who, What, When, Goal and Delivery (and the
campaign and additional fields around them), each with its state and a line of what it says.

A step is one section of the page (`payloads.sections`, its prefix and fields unchanged: they are
the form's wire format), shown under the step's word (`composer.step_title`). A step's problems
are the composer's errors and warnings that belong to its fields or to the part of the body its
fields write; its line comes from the built body (`step_summaries`).
"""

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import pluralize

from campaigns import composer, step_summaries
from campaigns.forms.base import PayloadError
from campaigns.models import Channel

ADDITIONAL = "additional"
# Steps a campaign may leave out; the others, left empty, have problems that say what is missing.
OPTIONAL = frozenset({"goal", "delivery", ADDITIONAL})

COMPLETE = "complete"
PROBLEMS = "problems"
WARNINGS = "warnings"
UNTOUCHED = "untouched"
COMPLETE_TEXT = "Complete"
UNTOUCHED_TEXT = "Optional, not used"
PROBLEMS_TEXT = "{count} problem{plural}"
WARNINGS_TEXT = "{count} warning{plural}"

# The submit area's words.
READY = "No problems: ready to submit for review."
NOT_READY = "Before it can be submitted for review, fix:"
SUBMIT_REFUSED = "Not submitted for review: the draft has problems. Fix these steps first:"
# The hidden inputs in the step summary: each step's digest of what it shows (`Step.digest`) and
# the submit line's (`submit_digest`), posted with the form, so that a live preview swaps a step
# or the submit line only when it would show something else. Named SHOWN_INPUT-<prefix>.
SHOWN_INPUT = "composer-steps_shown"
SUBMIT = "submit"


def shown_input(part: str) -> str:
    """The name of the hidden input of a step (its prefix) or of the submit line (`SUBMIT`)."""
    return f"{SHOWN_INPUT}-{part}"


@dataclass(frozen=True)
class Step:
    prefix: str
    title: str
    summary: str
    errors: int = 0
    warnings: int = 0
    optional: bool = False
    # Whether the step adds anything to the body.
    touched: bool = True

    @property
    def anchor(self) -> str:
        return f"section-{self.prefix}"

    @property
    def state(self) -> str:
        if self.errors:
            return PROBLEMS
        if self.warnings:
            return WARNINGS
        if self.optional and not self.touched:
            return UNTOUCHED
        return COMPLETE

    @property
    def state_text(self) -> str:
        counts = []
        if self.errors:
            counts.append(PROBLEMS_TEXT.format(count=self.errors, plural=pluralize(self.errors)))
        if self.warnings:
            counts.append(
                WARNINGS_TEXT.format(count=self.warnings, plural=pluralize(self.warnings))
            )
        if counts:
            return ", ".join(counts)
        return UNTOUCHED_TEXT if self.state == UNTOUCHED else COMPLETE_TEXT

    @property
    def digest(self) -> str:
        """A digest of everything the step shows (its title, line, state and counts)."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


def _summaries(channel: str) -> dict[str, Callable[[Any], str]]:
    label = dict(Channel.choices).get(channel, channel)
    return {
        "campaign": lambda body: step_summaries.campaign(body, channel_label=label),
        "audience": step_summaries.who,
        "content": lambda body: step_summaries.what(body, channel=channel),
        "schedule": step_summaries.when,
        "goal": step_summaries.goal,
        "delivery": step_summaries.delivery,
    }


def composer_steps(state: composer.Composer) -> list[Step]:
    """The steps of a bound composer (`composer.Composer`), in the page's order."""
    sections = [section for section in state.sections if section.form_class is not None]
    prefixes = [section.prefix for section in sections]
    # Which step writes each top-level key of the body, for problems that name no field.
    owners: dict[str, str] = {}
    for section in sections:
        form = section.form_class
        for path in [*form.paths.values(), *(rows.path for rows in form.rows.values())]:
            if path:
                owners.setdefault(path[0], section.prefix)
    for path in state.extras:
        if path:
            owners.setdefault(path[0], ADDITIONAL)
    fallback = prefixes[0] if prefixes else ADDITIONAL

    def owner(problem: PayloadError) -> str:
        head = (problem.field or "").partition("-")[0]
        if head in prefixes or head == ADDITIONAL:
            return head
        key = problem.path[0] if problem.path else None
        return owners.get(key, fallback) if isinstance(key, str) else fallback

    errors = Counter(map(owner, state.errors))
    warnings = Counter(map(owner, state.warnings))
    summaries = _summaries(state.channel)
    steps = [
        Step(
            prefix=section.prefix,
            title=section.title,
            summary=summaries.get(section.prefix, _no_summary)(state.body),
            errors=errors.get(section.prefix, 0),
            warnings=warnings.get(section.prefix, 0),
            optional=section.prefix in OPTIONAL,
            touched=bool(state.built[section.prefix].to_json()),
        )
        for section in sections
    ]
    steps.append(
        Step(
            prefix=ADDITIONAL,
            title=composer.ADDITIONAL_TITLE,
            summary=step_summaries.additional(state.extras),
            errors=errors.get(ADDITIONAL, 0),
            warnings=warnings.get(ADDITIONAL, 0),
            optional=True,
            touched=bool(state.extras),
        )
    )
    return steps


def with_problems(steps: list[Step]) -> list[Step]:
    """The steps whose problems refuse a submit for review (errors; warnings block nothing)."""
    return [step for step in steps if step.errors]


def _no_summary(body: Any) -> str:
    return ""


def submit_digest(steps: list[Step], *, refused: bool) -> str:
    """A digest of everything the submit line shows: the steps to fix (their titles and states)
    and which words it says."""
    shown = ([(step.prefix, step.title, step.state_text) for step in with_problems(steps)], refused)
    shown += (READY, NOT_READY, SUBMIT_REFUSED)
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]
