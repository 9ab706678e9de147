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
