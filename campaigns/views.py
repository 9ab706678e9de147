from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaigns import selectors
from campaigns.models import Status


@require_GET
def draft_list(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/draft_list.html", {"campaigns": selectors.drafts()})


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaign_list(statuses=[Status.IN_REVIEW])
    return render(request, "campaigns/review_queue.html", {"campaigns": campaigns})


@require_GET
def published_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaign_list(statuses=[Status.PUBLISHED, Status.STOPPED])
    return render(request, "campaigns/published_list.html", {"campaigns": campaigns})
