from django.contrib import admin

from campaigns.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "api", "channel", "status", "owner", "updated_at"]
    list_filter = ["api", "channel", "status"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at", "version"]
