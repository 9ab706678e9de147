"""The audience of a body: the parts that decide how many people it reaches, as one key.

Two bodies with the same key reach the same people whatever their message, title or schedule say,
so an estimate made for one holds for the other: the composer's reach follows the audience alone
(`publishing.reach`), and a content-only edit asks CleverTap nothing.
"""

import functools
import hashlib
import json
from typing import Any

from campaigns import payloads
from campaigns.channels import registry
from campaigns.models import Api

# Top-level keys that decide who is counted and on which devices or channels (as CleverTap
# counts them, and as the sandbox's `audience` module reads them). Message content, schedule,
# goal and names are not among them.
REACH_KEYS = (
    # who
    "where",
    "segment",
    "advanced_query",
    "did_all",
    "profile_fields",
    "to",
    # on what
    "target_mode",
    "devices",
    "send_to_all_devices",
    "send_email_to_opted_out_users",
    "respect_communication_preference",
    # held out and capped
    "control_group",
    "system_control_group_include",
    "upper_cap_for_target_segment",
    "users_limit_overall",
    "users_limit_per_run",
)
# The composer's inputs that are the API family and the channel: they change the endpoint.
TARGET_INPUTS = ("composer-api", "composer-channel")
AUDIENCE_PREFIX = "audience"


def audience_part(body: Any) -> dict[str, Any]:
    """The parts of `body` that decide its reach."""
    if not isinstance(body, dict):
        return {}
    return {key: body[key] for key in REACH_KEYS if key in body}


def audience_key(body: Any, *, endpoint: str) -> str:
    """A digest of the endpoint and the parts of `body` that decide its reach."""
    text = json.dumps(
        {"endpoint": endpoint, "audience": audience_part(body)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def audience_inputs(api: str, channel: str) -> list[str]:
    """The composer's input names (or name prefixes, ending in "-") that edit the audience: the
    page's script refreshes the estimate after an edit of one of these alone."""
    names: list[str] = list(TARGET_INPUTS)
    for section in payloads.sections(api, channel):
        form = section.form
        if section.prefix == AUDIENCE_PREFIX:
            names.append(f"{section.prefix}-")  # every input of Who (an uploaded list too)
            continue
        for name, path in form.paths.items():
            if path and path[0] in REACH_KEYS:
                names.append(f"{section.prefix}-{name}")
        for name, rows in getattr(form, "rows", {}).items():
            if rows.path and rows.path[0] in REACH_KEYS:
                names.append(f"{section.prefix}-{name}-")
        choice = form.alternatives
        if choice is not None and any(
            path and path[0] in REACH_KEYS for paths in choice.leaves_out.values() for path in paths
        ):
            names.append(f"{section.prefix}-{choice.choice}")
    return names


@functools.cache
def audience_inputs_everywhere() -> tuple[str, ...]:
    """`audience_inputs` of every API family and channel: the page keeps its script's list when
    the API family or channel changes."""
    names: dict[str, None] = {}
    for api in Api.values:
        for channel in registry.CHANNELS:
            if not registry.not_offered(api, channel):
                names.update(dict.fromkeys(audience_inputs(api, channel)))
    return tuple(names)
