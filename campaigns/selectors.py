from django.db.models import QuerySet

from campaigns.models import Campaign, Status


def campaign_list(*, statuses: list[str] | None = None) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("owner").defer("body")
    if statuses is not None:
        campaigns = campaigns.filter(status__in=statuses)
    return campaigns


def drafts() -> QuerySet[Campaign]:
    return campaign_list().exclude(status__in=[Status.PUBLISHED, Status.STOPPED])
