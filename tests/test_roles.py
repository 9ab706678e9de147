"""`roles.permissions_held`, the live preview's one-query permission check, answers as
`has_perm` does for every kind of user."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied

from campaigns import roles

ASKED = (
    roles.VIEW_PERMISSION,
    roles.CHANGE_PERMISSION,
    roles.REVIEW_PERMISSION,
    roles.PUBLISH_PERMISSION,
    roles.SANDBOX_PERMISSION,
)


def fresh(user):
    """The user as a new request loads it: no permissions read yet."""
    return get_user_model().objects.get(username=user.username)


def answers(user) -> tuple[dict[str, bool], dict[str, bool]]:
    held = roles.permissions_held(fresh(user), *ASKED)
    reference = fresh(user)
    return held, {permission: reference.has_perm(permission) for permission in ASKED}


@pytest.mark.parametrize("name", ["composer", "reviewer", "publisher", "admin"])
def test_each_demo_user_holds_what_has_perm_says(demo_users, name):
    held, expected = answers(demo_users[name])
    assert held == expected
    assert any(held.values())


@pytest.mark.django_db
def test_own_permissions_inactive_users_and_superusers():
    roles.roles_ensure()
    User = get_user_model()
    nobody = User.objects.create_user(username="nobody")
    assert answers(nobody)[0] == dict.fromkeys(ASKED, False)

    own = User.objects.create_user(username="own")
    own.user_permissions.add(Permission.objects.get(codename="review_campaign"))
    held, expected = answers(own)
    assert held == expected and held[roles.REVIEW_PERMISSION] and not held[roles.VIEW_PERMISSION]

    gone = User.objects.create_user(username="gone", is_active=False)
    gone.groups.set(Group.objects.filter(name=roles.COMPOSERS))
    assert answers(gone)[0] == dict.fromkeys(ASKED, False) == answers(gone)[1]

    boss = User.objects.create_superuser(username="boss")
    assert answers(boss)[0] == dict.fromkeys(ASKED, True) == answers(boss)[1]


def test_require_held_refuses_what_is_not_held(demo_users):
    held = roles.permissions_held(fresh(demo_users["reviewer"]), *ASKED)
    roles.require_held(held, roles.CHANGE_PERMISSION, roles.REVIEW_PERMISSION)
    with pytest.raises(PermissionDenied):
        roles.require_held(held, roles.CHANGE_PERMISSION)


def test_a_group_losing_a_permission_is_seen_at_once(demo_users, django_assert_num_queries):
    composer = demo_users["composer"]
    user = fresh(composer)
    with django_assert_num_queries(1):
        held = roles.permissions_held(user, roles.CHANGE_PERMISSION)
    assert held == {roles.CHANGE_PERMISSION: True}
    Group.objects.get(name=roles.COMPOSERS).permissions.remove(
        Permission.objects.get(codename="change_campaign")
    )
    assert roles.permissions_held(fresh(composer), roles.CHANGE_PERMISSION) == {
        roles.CHANGE_PERMISSION: False
    }


@pytest.mark.django_db
def test_the_backend_loads_the_permissions_djangos_own_backend_loads(demo_users):
    """campaigns.login.ModelBackend loads a user's permissions in one query
    (`roles.permissions_of`): the same set Django's ModelBackend builds, for each kind of user."""
    from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

    from campaigns.login import ModelBackend

    User = get_user_model()
    own = User.objects.create_user(username="own-and-group")
    own.user_permissions.add(Permission.objects.get(codename="review_campaign"))
    own.groups.set(Group.objects.filter(name=roles.COMPOSERS))
    gone = User.objects.create_user(username="gone", is_active=False)
    gone.groups.set(Group.objects.filter(name=roles.COMPOSERS))
    boss = User.objects.create_superuser(username="boss")
    nobody = User.objects.create_user(username="nobody")
    for user in [*demo_users.values(), own, gone, boss, nobody]:
        loaded = ModelBackend().get_all_permissions(fresh(user))
        assert loaded == DjangoModelBackend().get_all_permissions(fresh(user)), user.username
    assert "campaigns.review_campaign" in ModelBackend().get_all_permissions(fresh(own))
    assert len(ModelBackend().get_all_permissions(fresh(boss))) == Permission.objects.count()
    assert ModelBackend().get_all_permissions(fresh(gone)) == set()
