from django.contrib import admin

from sandbox.models import (
    ReceivedRequest,
    SandboxAccount,
    SandboxCampaign,
    SandboxFaults,
    Segment,
)


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["id", "name"]


@admin.register(SandboxCampaign)
class SandboxCampaignAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "target_mode", "status", "starts_at", "created_at"]
    list_filter = ["status", "target_mode"]
    readonly_fields = ["created_at"]


@admin.register(ReceivedRequest)
class ReceivedRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "method", "path", "status_code", "fault", "duration_ms"]
    list_filter = ["status_code", "fault"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SandboxFaults)
class SandboxFaultsAdmin(admin.ModelAdmin):
    list_display = ["latency_ms", "error_rate", "drop_rate", "malformed_rate", "seed", "updated_at"]


@admin.register(SandboxAccount)
class SandboxAccountAdmin(admin.ModelAdmin):
    list_display = ["__str__", "liquid_api_beta"]
