from campaigns.models.account import (
    AccountSettings,
    AndroidChannel,
    ControlGroup,
    ProfileProperty,
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
from campaigns.models.test_recipients import RecipientKind, TestRecipient

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
    "ProfileProperty",
    "Provider",
    "PublishAttempt",
    "PublishHold",
    "RecipientKind",
    "RecipientCheck",
    "ReportSlice",
    "Revision",
    "SendBatch",
    "Status",
    "TestRecipient",
    "WebhookEndpoint",
    "WhatsAppTemplate",
    "WorkerHeartbeat",
]
