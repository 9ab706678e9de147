"""Comments on a draft: on the whole of it, on one of its sections, or on a field path; resolved
once dealt with; and where the composer shows them."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from campaigns import audit, jsonpath, models, payloads, review, roles, selectors
from campaigns.jsonpath import Path

COMMENT_PERMISSIONS = (roles.CHANGE_PERMISSION, roles.REVIEW_PERMISSION)
COMMENT_MAX_LENGTH = 5000

COMMENT_EMPTY = "Write something first."
COMMENT_TOO_LONG = "A comment holds at most {limit} characters."
COMMENT_PATH_INVALID = "“{path}” is not a field path: write it like content.title or devices[0]."
COMMENT_SECTION_UNKNOWN = "This draft has no section “{section}”."


def comment_add(
    *, campaign: models.Campaign, user, text: str, section: str = "", path: str = ""
) -> models.Comment:
    """A comment on the draft, optionally on one of its sections or a field path, in the audit
    log."""
    roles.require_any(user, *COMMENT_PERMISSIONS)
    text = text.strip()
    section = section.strip()
    path = path.strip()
    if not text:
        raise review.ReviewError(COMMENT_EMPTY)
    if len(text) > COMMENT_MAX_LENGTH:
        raise review.ReviewError(COMMENT_TOO_LONG.format(limit=COMMENT_MAX_LENGTH))
    if path and not jsonpath.parse_path(path):
        raise review.ReviewError(COMMENT_PATH_INVALID.format(path=path))
    if section and section not in dict(section_choices(campaign=campaign)):
        raise review.ReviewError(COMMENT_SECTION_UNKNOWN.format(section=section))
    with transaction.atomic():
        comment = models.Comment.objects.create(
            campaign=campaign,
            author=user,
            version=campaign.version,
            text=text,
            section=section,
            path=path,
        )
        audit.comment_record(comment=comment)
    return comment


def section_choices(*, campaign: models.Campaign) -> list[tuple[str, str]]:
    return [(s.prefix, s.title) for s in payloads.sections(campaign.api, campaign.channel)]


def comment_resolve(*, comment: models.Comment, user) -> models.Comment:
    """Mark the comment as dealt with (once: resolving it again changes nothing), in the audit
    log."""
    roles.require_any(user, *COMMENT_PERMISSIONS)
    with transaction.atomic():
        comment = models.Comment.objects.select_for_update().get(pk=comment.pk)
        if comment.resolved_at is None:
            comment.resolved_at = timezone.now()
            comment.resolved_by = user
            comment.save(update_fields=["resolved_at", "resolved_by"])
            audit.comment_resolved_record(comment=comment)
    return comment


# A JSON path -> the section and HTML name of the field the composer shows it in.
Places = dict[Path, tuple[str, str]]
# Where the composer shows a comment that it places at no section: at the top of the page.
TOP = "composer-comments"


@dataclass(frozen=True)
class Placed:
    """An open comment where the composer shows it; `anchor` is the id of the place the page
    goes back to once it is resolved (a section, or the top)."""

    comment: models.Comment
    anchor: str
    # The path it names, when the form no longer shows a field there.
    stale_path: str = ""


@dataclass(frozen=True)
class ChangesNote:
    """The reviewer's "request changes", while it is the draft's latest review step."""

    by: str
    at: datetime
    comment: models.Comment | None
    # Its comment's box, when the comment is open and on the whole draft (shown with the note).
    placed: Placed | None


@dataclass
class ComposerComments:
    note: ChangesNote | None = None
    # Open comments on the whole draft, or at a section the draft no longer has.
    top: list[Placed] = field(default_factory=list)
    by_section: dict[str, list[Placed]] = field(default_factory=dict)
    by_field: dict[str, list[Placed]] = field(default_factory=dict)
    resolved: list[models.Comment] = field(default_factory=list)

    @property
    def open(self) -> list[Placed]:
        placed = [*self.top, *(p for ps in self.by_section.values() for p in ps)]
        placed += [p for ps in self.by_field.values() for p in ps]
        return placed + ([self.note.placed] if self.note and self.note.placed else [])

    def at_section(self, prefix: str) -> list[Placed]:
        return self.by_section.get(prefix, [])

    def at_field(self, html_name: str) -> list[Placed]:
        return self.by_field.get(html_name, [])

    def on_fields_of(self, prefix: str) -> bool:
        """Whether an open comment is shown under a field of that section."""
        anchor = f"section-{prefix}"
        return any(p.anchor == anchor for ps in self.by_field.values() for p in ps)


def composer_comments(
    *,
    campaign: models.Campaign,
    places: Places | Callable[[], Places],
    sections: list[str],
) -> ComposerComments:
    """The draft's comments where the composer shows them (two queries): each open one at its
    field (`places`: a JSON path -> its section and field's HTML name), else at its section, else
    at the top; the latest "request changes" note; the resolved ones apart. `places` may be a
    function, called only when an open comment names a path (it binds the page's forms)."""
    found = ComposerComments()
    comments = list(selectors.comment_list(campaign=campaign))
    step = selectors.review_step_latest(campaign=campaign)
    sent_back = step is not None and step.action == models.AuditAction.CHANGES_REQUESTED
    note_pk = step.details.get("comment") if sent_back and isinstance(step.details, dict) else None
    note_placed = None
    if callable(places) and any(c.path and c.resolved_at is None for c in comments):
        places = places()
    for comment in comments:
        if comment.resolved_at is not None:
            found.resolved.append(comment)
            continue
        place = places.get(jsonpath.parse_path(comment.path)) if comment.path else None
        if place is not None:
            section, html_name = place
            found.by_field.setdefault(html_name, []).append(Placed(comment, f"section-{section}"))
        elif comment.section in sections:
            placed = Placed(comment, f"section-{comment.section}", comment.path)
            found.by_section.setdefault(comment.section, []).append(placed)
        elif comment.pk == note_pk:
            note_placed = Placed(comment, TOP, comment.path)
        else:
            found.top.append(Placed(comment, TOP, comment.path))
    if sent_back:
        found.note = ChangesNote(
            by=step.actor.get_username() if step.actor else "",
            at=step.created_at,
            comment=next((c for c in comments if c.pk == note_pk), None),
            placed=note_placed,
        )
    return found
