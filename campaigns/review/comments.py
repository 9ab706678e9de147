"""Comments on a draft: on the whole of it, on one of its sections, or on a field path."""

from django.db import transaction

from campaigns import audit, jsonpath, models, payloads, review, roles

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
