from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        # Connects the receiver that writes the admin's changes to the audit log.
        from campaigns import audit  # noqa: F401
