"""The team roles: a Django group each, with the permissions it grants."""

from django.core.exceptions import PermissionDenied

COMPOSERS = "composers"
REVIEWERS = "reviewers"
PUBLISHERS = "publishers"

# The permissions, as has_perm names them.
VIEW_PERMISSION = "campaigns.view_campaign"
ADD_PERMISSION = "campaigns.add_campaign"
CHANGE_PERMISSION = "campaigns.change_campaign"
REVIEW_PERMISSION = "campaigns.review_campaign"
PUBLISH_PERMISSION = "campaigns.publish_campaign"

# Codenames on the campaigns.Campaign model.
ROLE_PERMISSIONS = {
    COMPOSERS: ["view_campaign", "add_campaign", "change_campaign"],
    REVIEWERS: ["view_campaign", "review_campaign"],
    PUBLISHERS: ["view_campaign", "publish_campaign"],
}


def roles_ensure() -> None:
    """Create the role groups with their permissions if missing (a migration makes them; a test
    database flush removes them, and may remove the permissions themselves)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    create_permissions(apps.get_app_config("campaigns"), verbosity=0)
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="campaigns", codename__in=codenames)
        )


def require_any(user, *permissions: str) -> None:
    """PermissionDenied unless the user has at least one of the permissions."""
    if not any(user.has_perm(permission) for permission in permissions):
        raise PermissionDenied
