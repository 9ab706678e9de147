"""The team roles: a Django group each, with the permissions it grants."""

COMPOSERS = "composers"
REVIEWERS = "reviewers"
PUBLISHERS = "publishers"

# Codenames on the campaigns.Campaign model.
ROLE_PERMISSIONS = {
    COMPOSERS: ["view_campaign", "add_campaign", "change_campaign"],
    REVIEWERS: ["view_campaign", "review_campaign"],
    PUBLISHERS: ["view_campaign", "publish_campaign"],
}


def roles_ensure() -> None:
    """Create the role groups with their permissions if missing (a migration makes them; a test
    database flush removes them)."""
    from django.contrib.auth.models import Group, Permission

    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="campaigns", codename__in=codenames)
        )
