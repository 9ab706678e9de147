"""Every mutating URL of the composer, publishing and review, posted as every demo role.

The URLs come from the URLconfs themselves (campaigns.urls, campaigns.urls_publishing,
campaigns.urls_review), so a URL added later without an entry here fails
`test_every_url_is_classified`. A role without the permission a URL needs gets a 403 page, and
nothing in the database changes. Roles with it are let through (the publishing URLs that call
CleverTap are only checked for refusals: test_publishing.py covers them when allowed).
"""

import json
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django_tasks_db.models import DBTaskResult

from campaigns import payloads, roles
from campaigns.models import Estimate, EstimateState, PublishHold, SendBatch
from campaigns.publishing import attempts, confirm
from devtools import demo
from devtools.bench.formdata import submitted_data
from tests.drafts import approved, edit, email_send_body, new_draft, submitted

pytestmark = pytest.mark.django_db

ADD = "campaigns.add_campaign"
CHANGE = "campaigns.change_campaign"
VIEW = "campaigns.view_campaign"
REVIEW = "campaigns.review_campaign"
PUBLISH = "campaigns.publish_campaign"

# URL name -> the permissions of which a user needs one to post to it.
MUTATING: dict[str, tuple[str, ...]] = {
    "campaigns:campaign_new": (ADD,),
    "campaigns:campaign_import": (ADD,),
    "campaigns:composer": (CHANGE,),  # posted with "save"; other actions only render
    "campaigns:composer_save": (CHANGE,),
    "campaigns:campaign_clone": (ADD,),
    "campaigns:campaign_archive": (CHANGE,),
    "campaigns:campaign_restore": (CHANGE,),
    "campaigns:estimate": (CHANGE, REVIEW, PUBLISH),
    "campaigns:estimate_poll": (CHANGE, REVIEW, PUBLISH),
    "campaigns:publish": (PUBLISH,),
    "campaigns:stop": (PUBLISH,),
    "campaigns:report": (VIEW, PUBLISH),
    "campaigns:attempt_check": (PUBLISH,),
    "campaigns:send_resume": (PUBLISH,),
    "campaigns:batch_retry": (PUBLISH,),
    "campaigns:submit": (CHANGE,),
    "campaigns:approve": (REVIEW,),
    "campaigns:request_changes": (REVIEW,),
    "campaigns:comments": (CHANGE, REVIEW),
    "campaigns:revision_restore": (CHANGE,),
    "campaigns:publish_cancel": (PUBLISH,),
    "campaigns:publish_release": (PUBLISH,),
}
# Posted to by the composer's htmx, but they only render: nothing may change, whoever posts.
RENDER_ONLY_POSTS = {
    "campaigns:composer_preview",
    "campaigns:composer_section",
    "campaigns:composer_target",
}
# Pages and downloads: a POST is refused (405) or changes nothing.
READS = {
    "campaigns:draft_list",
    "campaigns:published_list",
    "campaigns:email_preview",
    "campaigns:campaign_export",
    "campaigns:published",
    "campaigns:send_progress",
    "campaigns:review_queue",
    "campaigns:review",
    "campaigns:review_guards",
    "campaigns:history",
    "campaigns:publish_pending",
    "campaigns:audit",
    "campaigns:audit_csv",
}
# These call CleverTap when allowed; only their refusals are checked here.
CALLS_CLEVERTAP = {
    "campaigns:estimate",
    "campaigns:estimate_poll",
    "campaigns:publish",
    "campaigns:stop",
    "campaigns:report",
    "campaigns:attempt_check",
    "campaigns:send_resume",
    "campaigns:batch_retry",
}
ROLES = ["composer", "reviewer", "publisher", "admin", "nobody"]


def url_names() -> set[str]:
    names = set()
    for pattern in get_resolver("campaigns.urls").url_patterns:
        assert isinstance(pattern, URLPattern)
        names.add(f"campaigns:{pattern.name}")
    return names


def test_every_url_is_classified():
    assert url_names() == set(MUTATING) | RENDER_ONLY_POSTS | READS


@pytest.fixture
def world(people, held) -> dict[str, Any]:
    """One of everything a URL can name: drafts, a revision, an estimate, a held publish."""
    people["nobody"] = get_user_model().objects.create_user("nobody", password="x")
    campaign = new_draft(people["composer"])
    edit(campaign, people["composer"], name="Second version")
    submitted(campaign, people)
    estimate = Estimate.objects.create(
        campaign=campaign,
        version=2,
        body_hash=payloads.body_hash(campaign.body),
        endpoint="targets/create.json",
        state=EstimateState.PENDING,
        request_id="r-1",
    )
    send = approved(
        new_draft(
            people["composer"], email_send_body(["a@example.com"]), api="send", channel="email"
        ),
        people,
    )
    token = confirm.publish_confirmation(campaign=send, user=people["publisher"]).token
    attempt = attempts.campaign_publish(
        campaign=send, user=people["publisher"], confirmation_token=token
    )
    return {
        "people": people,
        "campaign": campaign,
        "send": send,
        "estimate": estimate,
        "attempt": attempt,
        "batch": SendBatch.objects.get(attempt=attempt),
        "revision": campaign.revisions.get(version=1),
    }


@pytest.fixture
def held(settings):
    settings.PUBLISH_UNDO_SECONDS = 60
    return settings


def composer_post(world: dict[str, Any]) -> dict[str, list[str]]:
    """The composer's page as it was rendered for the admin, posted back renamed."""
    client = Client()
    client.force_login(world["people"]["admin"])
    html = client.get(reverse("campaigns:composer", args=[world["campaign"].pk])).content
    data = dict(submitted_data(html.decode()).lists())
    return data | {"campaign-name": ["Renamed by a POST"]}


def request_for(name: str, world: dict[str, Any]) -> tuple[str, dict]:
    """The URL and a POST body that would change something if the view let it through."""
    campaign, send = world["campaign"], world["send"]
    attempt = world["attempt"]
    by_name: dict[str, tuple[list, dict]] = {
        "campaigns:campaign_new": ([], {"api": "targets", "channel": "push"}),
        "campaigns:campaign_import": (
            [],
            {"text": json.dumps({"name": "X", "target_mode": "sms"})},
        ),
        "campaigns:composer": ([campaign.pk], {"composer-action": ["save"]}),
        "campaigns:composer_save": ([campaign.pk], {}),
        "campaigns:composer_preview": ([campaign.pk], {}),
        "campaigns:composer_target": ([campaign.pk], {}),
        "campaigns:composer_section": ([campaign.pk, "content"], {}),
        "campaigns:campaign_clone": ([campaign.pk], {}),
        "campaigns:campaign_archive": ([campaign.pk], {}),
        "campaigns:campaign_restore": ([campaign.pk], {}),
        "campaigns:email_preview": ([campaign.pk], {}),
        "campaigns:campaign_export": ([campaign.pk], {}),
        "campaigns:estimate": ([campaign.pk], {}),
        "campaigns:estimate_poll": ([campaign.pk, world["estimate"].pk], {}),
        "campaigns:publish": ([campaign.pk], {"confirmation_token": "x"}),
        "campaigns:published": ([send.pk], {}),
        "campaigns:stop": ([send.pk], {}),
        "campaigns:report": ([send.pk], {}),
        "campaigns:attempt_check": ([send.pk, attempt.pk], {}),
        "campaigns:send_progress": ([send.pk, attempt.pk], {}),
        "campaigns:send_resume": ([send.pk, attempt.pk], {}),
        "campaigns:batch_retry": ([send.pk, world["batch"].pk], {"resend_unknown": "1"}),
        "campaigns:review": ([campaign.pk], {}),
        "campaigns:review_guards": ([campaign.pk], {}),
        "campaigns:submit": ([send.pk], {}),
        "campaigns:approve": ([campaign.pk], {"version": "2"}),
        "campaigns:request_changes": ([campaign.pk], {"changes-text": "Change it"}),
        "campaigns:comments": ([campaign.pk], {"comment-text": "A comment"}),
        "campaigns:history": ([campaign.pk], {}),
        "campaigns:revision_restore": (
            [campaign.pk, world["revision"].pk],
            {"base_version": "2"},
        ),
        "campaigns:publish_pending": ([send.pk, attempt.pk], {}),
        "campaigns:publish_cancel": ([send.pk, attempt.pk], {}),
        "campaigns:publish_release": ([send.pk, attempt.pk], {}),
    }
    args, data = by_name.get(name, ([], {}))
    if name.startswith("campaigns:composer"):
        data = composer_post(world) | data
    return reverse(name, args=args), data


def snapshot() -> dict[str, list]:
    """Every row of the app's tables (and the task queue), to compare before and after."""
    rows = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("campaigns").get_models()
    }
    rows["tasks"] = list(DBTaskResult.objects.order_by("pk").values("id", "status", "task_path"))
    return rows


def role_permissions(role: str) -> set[str] | None:
    """The permissions a demo role grants (None: all of them, a superuser)."""
    if role == "admin":
        return None
    groups = next((d.groups for d in demo.DEMO_USERS if d.username == role), ())
    return {f"campaigns.{code}" for group in groups for code in roles.ROLE_PERMISSIONS[group]}


def allowed(role: str, name: str) -> bool:
    granted = role_permissions(role)
    return granted is None or bool(granted & set(MUTATING[name]))


REFUSED = [(name, role) for name in sorted(MUTATING) for role in ROLES if not allowed(role, name)]
LET_THROUGH = [
    (name, role)
    for name in sorted(set(MUTATING) - CALLS_CLEVERTAP)
    for role in ROLES
    if allowed(role, name)
]


def test_the_demo_roles_hold_the_permissions_assumed_here(world):
    for role in ROLES:
        user = world["people"][role]
        for name, permissions in MUTATING.items():
            assert any(user.has_perm(p) for p in permissions) == allowed(role, name), (role, name)


@pytest.mark.parametrize(("name", "role"), REFUSED)
def test_a_role_without_the_permission_gets_a_403_and_nothing_changes(client, world, name, role):
    user = world["people"][role]
    client.force_login(user)
    url, data = request_for(name, world)
    before = snapshot()

    response = client.post(url, data)

    assert response.status_code == 403, (name, role, response.status_code)
    assert snapshot() == before


@pytest.mark.parametrize(("name", "role"), LET_THROUGH)
def test_a_role_with_the_permission_is_let_through(client, world, name, role):
    client.force_login(world["people"][role])
    url, data = request_for(name, world)

    response = client.post(url, data)

    assert response.status_code in {200, 302, 400, 409}, (name, role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(RENDER_ONLY_POSTS | READS))
def test_posting_to_a_page_changes_nothing(client, world, name, role):
    client.force_login(world["people"][role])
    url, data = request_for(name, world)
    before = snapshot()

    response = client.post(url, data)

    assert response.status_code in {200, 302, 403, 405}, (name, role, response.status_code)
    assert snapshot() == before


def test_the_world_holds_a_publish_in_its_undo_window(world):
    hold = PublishHold.objects.get(attempt=world["attempt"])
    assert hold.released_at is None and hold.cancelled_at is None
    assert attempts.publish_held(attempt=world["attempt"])


@pytest.mark.parametrize("name", ["campaigns:composer", "campaigns:composer_save"])
def test_the_composer_post_used_here_saves_for_a_composer(client, world, name):
    """So that the refusals above mean something: the same post, allowed, saves."""
    client.force_login(world["people"]["composer"])
    url, data = request_for(name, world)

    client.post(url, data)

    world["campaign"].refresh_from_db()
    assert (world["campaign"].name, world["campaign"].version) == ("Renamed by a POST", 3)


@pytest.mark.parametrize("name", sorted(RENDER_ONLY_POSTS | READS | {"campaigns:composer"}))
def test_an_account_without_a_role_sees_no_campaign(client, world, name):
    client.force_login(world["people"]["nobody"])
    url, data = request_for(name, world)

    response = client.post(url, data) if name in RENDER_ONLY_POSTS else client.get(url)

    assert response.status_code == 403, (name, response.status_code)
    text = response.content.decode()
    assert "does not have the role this needs" in text
    assert world["campaign"].name not in text


@pytest.mark.parametrize("name", sorted(RENDER_ONLY_POSTS | READS | {"campaigns:composer"}))
def test_every_role_can_look(client, world, name):
    for role in ("composer", "reviewer", "publisher"):
        client.force_login(world["people"][role])
        url, data = request_for(name, world)
        response = client.post(url, data) if name in RENDER_ONLY_POSTS else client.get(url)
        assert response.status_code in {200, 302}, (name, role, response.status_code)


def test_the_roles_get_their_permissions_back_after_a_flush_removed_them():
    # A flush without post_migrate (after a serialized-rollback test) removes the permissions too.
    Permission.objects.filter(content_type__app_label="campaigns").delete()
    Group.objects.all().delete()

    roles.roles_ensure()

    for name, codenames in roles.ROLE_PERMISSIONS.items():
        granted = Group.objects.get(name=name).permissions.values_list("codename", flat=True)
        assert sorted(granted) == sorted(codenames)
