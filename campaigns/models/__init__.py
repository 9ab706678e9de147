from campaigns.models.account import AndroidChannel, Provider, WebhookEndpoint, WhatsAppTemplate
from campaigns.models.api import ApiSlot, ApiSlotPool
from campaigns.models.drafts import Api, Campaign, Channel, Status

__all__ = [
    "AndroidChannel",
    "Api",
    "ApiSlot",
    "ApiSlotPool",
    "Campaign",
    "Channel",
    "Provider",
    "Status",
    "WebhookEndpoint",
    "WhatsAppTemplate",
]
