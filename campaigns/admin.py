from django.contrib import admin

from campaigns import models


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "api", "channel", "status", "owner", "updated_at"]
    list_filter = ["api", "channel", "status"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at", "version"]


# The account settings the forms offer as choices.


@admin.register(models.Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["nick_name", "channel", "provider_id"]
    list_filter = ["channel"]
    search_fields = ["nick_name", "provider_id"]


@admin.register(models.WhatsAppTemplate)
class WhatsAppTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "locale", "header_type", "header_placeholders", "body_placeholders"]
    search_fields = ["name", "body_text"]
    fieldsets = [
        (None, {"fields": ["name", "locale"]}),
        ("Header", {"fields": ["header_type", "header_placeholders", "header_text"]}),
        ("Body", {"fields": ["body_placeholders", "body_text"]}),
        ("Buttons", {"fields": ["button_placeholders", "button_texts"]}),
    ]


admin.site.register(models.AccountSettings)
admin.site.register(models.WebhookEndpoint)
admin.site.register(models.AndroidChannel)
admin.site.register(models.ControlGroup)


@admin.register(models.ProfileProperty)
class ProfilePropertyAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "source"]
    list_filter = ["source"]
    search_fields = ["name", "label"]

    def get_changeform_initial_data(self, request):
        # One an admin adds is the admin's.
        return {"source": models.ProfileProperty.Source.ADMIN}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: shown, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.PublishAttempt)
class PublishAttemptAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "state", "user", "created_at"]
    list_filter = ["state"]


@admin.register(models.ApiCall)
class ApiCallAdmin(ReadOnlyAdmin):
    list_display = ["operation", "endpoint", "http_status", "outcome", "duration_ms", "created_at"]
    list_filter = ["operation", "outcome"]


@admin.register(models.WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    """The task workers and their last beat: a worker that stopped beating is resumed from."""

    list_display = ["worker_id", "host", "pid", "started_at", "beat_at"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log (campaigns/audit.py): never edited, never deleted."""

    list_display = ["created_at", "actor", "action", "campaign"]
    list_filter = ["action"]
    search_fields = ["campaign__name", "actor__username"]

    def has_delete_permission(self, request, obj=None):
        return False
