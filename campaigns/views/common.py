"""What the views share."""

from django.http import Http404, HttpRequest

from campaigns import selectors
from campaigns.models import Campaign


def wants_fragment(request: HttpRequest) -> bool:
    """htmx asked for a part of the page (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def campaign_or_404(pk: int) -> Campaign:
    try:
        return selectors.campaign_with_people(pk)
    except Campaign.DoesNotExist:
        raise Http404("No such campaign.") from None


def campaign_for_preview_or_404(pk: int) -> Campaign:
    try:
        return selectors.campaign_for_preview(pk)
    except Campaign.DoesNotExist:
        raise Http404("No such campaign.") from None
