"""Each person's own test recipients: the devices and inboxes their test sends go to.

A short list per user, read and written only for that user: nobody sees or sends to another
person's test recipients.
"""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from campaigns import identities
from campaigns.models import RecipientKind, TestRecipient

# The longest list a person keeps (a test goes to at most `MAX_RECIPIENTS` of them).
LIST_MAX = 50

ALREADY_LISTED = "{value} is already in your test recipients."
LIST_FULL = f"You keep at most {LIST_MAX} test recipients: remove one to add another."
NOT_AN_EMAIL = "“{value}” is not an email address: it needs one @ with text on both sides."
NO_SEPARATORS = "An identity is one value: it cannot contain a comma or a line break."


class RecipientRefused(ValueError):
    """The recipient cannot be added: the message says why, in words."""


def recipient_list(*, user) -> QuerySet[TestRecipient]:
    return TestRecipient.objects.filter(user=user).order_by("created_at", "id")


def recipient_problem(*, kind: str, value: str) -> str:
    """Why `value` cannot name a recipient of this kind, or "" when it can."""
    if kind == RecipientKind.EMAIL and identities.problem("Email", value):
        return NOT_AN_EMAIL.format(value=value)
    if kind == RecipientKind.IDENTITY and any(sign in value for sign in ",\n\r"):
        return NO_SEPARATORS
    return ""


def recipient_add(*, user, kind: str, value: str, label: str = "") -> TestRecipient:
    """Add a recipient to the user's list; RecipientRefused when it is there already, the list
    is full or the value cannot name one."""
    value = value.strip()
    if problem := recipient_problem(kind=kind, value=value):
        raise RecipientRefused(problem)
    if recipient_list(user=user).filter(kind=kind, value=value).exists():
        raise RecipientRefused(ALREADY_LISTED.format(value=value))
    if recipient_list(user=user).count() >= LIST_MAX:
        raise RecipientRefused(LIST_FULL)
    try:
        with transaction.atomic():
            return TestRecipient.objects.create(
                user=user, kind=kind, value=value, label=label.strip()
            )
    except IntegrityError:
        # Added by another tab meanwhile.
        raise RecipientRefused(ALREADY_LISTED.format(value=value)) from None


def recipient_remove(*, user, pk: int) -> TestRecipient | None:
    """Remove one of the user's recipients; None when it is not (or no longer) in their list."""
    recipient = recipient_list(user=user).filter(pk=pk).first()
    if recipient is not None:
        recipient.delete()
    return recipient


def recipients_chosen(*, user, pks: list[int]) -> list[TestRecipient]:
    """The user's recipients among `pks`, in list order: another person's are never found."""
    return list(recipient_list(user=user).filter(pk__in=pks))
