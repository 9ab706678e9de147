from campaigns.models.account import (
    AccountSettings,
    AndroidChannel,
    ControlGroup,
    Provider,
    WebhookEndpoint,
    WhatsAppTemplate,
)
from campaigns.models.api import ApiSlot, ApiSlotPool
from campaigns.models.drafts import Api, Campaign, Channel, Status
from campaigns.models.identity_lists import IdentityList
from campaigns.models.library import LibraryItem, LibraryKind, LibraryUse, LibraryVersion
from campaigns.models.publishing import (
    ApiCall,
    AttemptState,
    BatchState,
    CallOutcome,
    Estimate,
    EstimateState,
    PublishAttempt,
    PublishHold,
    RecipientCheck,
    SendBatch,
    WorkerHeartbeat,
)
from campaigns.models.reports import MessageReport, ReportSlice
from campaigns.models.review import (
    Approval,
    AuditAction,
    AuditEvent,
    Comment,
    Revision,
)

__all__ = [
    "AccountSettings",
    "AndroidChannel",
    "Api",
    "ApiCall",
    "ApiSlot",
    "ApiSlotPool",
    "Approval",
    "AttemptState",
    "AuditAction",
    "AuditEvent",
    "BatchState",
    "CallOutcome",
    "Campaign",
    "Channel",
    "Comment",
    "ControlGroup",
    "Estimate",
    "EstimateState",
    "IdentityList",
    "LibraryItem",
    "LibraryKind",
    "LibraryUse",
    "LibraryVersion",
    "MessageReport",
    "Provider",
    "PublishAttempt",
    "PublishHold",
    "RecipientCheck",
    "ReportSlice",
    "Revision",
    "SendBatch",
    "Status",
    "WebhookEndpoint",
    "WhatsAppTemplate",
    "WorkerHeartbeat",
]
