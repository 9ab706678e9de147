"""The team roles: a Django group each, with the permissions it grants."""

from django.core.exceptions import PermissionDenied

COMPOSERS = "composers"
REVIEWERS = "reviewers"
PUBLISHERS = "publishers"
SANDBOX_OPERATORS = "sandbox operators"

# The permissions, as has_perm names them.
VIEW_PERMISSION = "campaigns.view_campaign"
ADD_PERMISSION = "campaigns.add_campaign"
CHANGE_PERMISSION = "campaigns.change_campaign"
REVIEW_PERMISSION = "campaigns.review_campaign"
PUBLISH_PERMISSION = "campaigns.publish_campaign"
SANDBOX_PERMISSION = "sandbox.operate_sandbox"

# Codenames on the campaigns.Campaign model.
ROLE_PERMISSIONS = {
    COMPOSERS: ["view_campaign", "add_campaign", "change_campaign"],
    REVIEWERS: ["view_campaign", "review_campaign"],
    PUBLISHERS: ["view_campaign", "publish_campaign"],
}
# Codenames on the sandbox.SandboxFaults model: the sandbox's page and its fault switch, which
# set errors and latency for everyone's estimates and publishes. Its API needs no role: it is
# authenticated by CleverTap's headers.
SANDBOX_ROLE_PERMISSIONS = {SANDBOX_OPERATORS: ["operate_sandbox"]}
# Each app's roles, as its migration creates them (campaigns 0002, sandbox 0002).
ROLES_BY_APP = {"campaigns": ROLE_PERMISSIONS, "sandbox": SANDBOX_ROLE_PERMISSIONS}


def roles_ensure() -> None:
    """Create the role groups with their permissions if missing (migrations make them; a test
    database flush removes them, and may remove the permissions themselves)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for app_label, role_permissions in ROLES_BY_APP.items():
        create_permissions(apps.get_app_config(app_label), verbosity=0)
        for name, codenames in role_permissions.items():
            group, _ = Group.objects.get_or_create(name=name)
            granted = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            group.permissions.add(*granted)


def require_any(user, *permissions: str) -> None:
    """PermissionDenied unless the user has at least one of the permissions."""
    if not any(user.has_perm(permission) for permission in permissions):
        raise PermissionDenied
