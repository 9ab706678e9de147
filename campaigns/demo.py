"""Demo data: one user per role, with known passwords, for the embedded default."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from campaigns import roles


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    groups: tuple[str, ...]
    is_staff: bool = False


DEMO_USERS = (
    DemoUser("composer", "compose-demo-2026", (roles.COMPOSERS,)),
    DemoUser("reviewer", "review-demo-2026", (roles.REVIEWERS,)),
    DemoUser("publisher", "publish-demo-2026", (roles.PUBLISHERS,)),
    DemoUser(
        "admin",
        "admin-demo-2026",
        (roles.COMPOSERS, roles.REVIEWERS, roles.PUBLISHERS),
        is_staff=True,
    ),
)


def demo_users_ensure() -> tuple[DemoUser, ...]:
    """Create or reset the demo users; running it again leaves the same users and passwords."""
    User = get_user_model()
    for demo in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=demo.username)
        user.set_password(demo.password)
        user.is_staff = demo.is_staff
        user.is_superuser = demo.is_staff
        user.save()
        user.groups.set(Group.objects.filter(name__in=demo.groups))
    return DEMO_USERS
