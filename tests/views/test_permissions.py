"""Who may do what, over every URL of the project.

Every URL pattern (campaigns.urls, the sandbox's page, fault switch and API, login, logout, health;
the admin by its index) is classified below by the permissions a GET or a POST needs, so a URL added
later without an entry here fails `test_every_url_is_classified`. Then:

- every mutating URL, posted as every demo role: a role without the permission a URL needs gets
  a 403 page, and nothing in the database changes; roles with it are let through (the publishing
  URLs that call CleverTap are only checked for refusals there: test_publishing.py covers them);
- every URL x {anonymous, no role, composer, reviewer, publisher, sandbox operator, staff without a
  group, superuser} x {GET, POST}, as a browser sends them (CSRF enforced, the token from a page):
  the anonymous are sent to log in, the others refused (403 in words, or 405 for a method the URL
  does not take) where their role does not reach, and nothing changes when they are;
- an object of one campaign named under another campaign's id is not found (404), and nothing
  changes.
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

from campaigns import payloads, roles, test_recipients
from campaigns.library import services as library_services
from campaigns.models import Estimate, EstimateState, PublishHold, SendBatch
from campaigns.publishing import attempts, confirm
from campaigns.review import comments
from devtools import demo
from devtools.bench.formdata import submitted_data
from sandbox import api
from sandbox.models import SandboxCampaign
from tests import pages
from tests.drafts import approved, edit, email_send_body, new_draft, submitted
from tests.sandbox_records import FAULTS_ON

pytestmark = pytest.mark.django_db

ADD = "campaigns.add_campaign"
CHANGE = "campaigns.change_campaign"
VIEW = "campaigns.view_campaign"
REVIEW = "campaigns.review_campaign"
PUBLISH = "campaigns.publish_campaign"
SANDBOX = "sandbox.operate_sandbox"
NOT_ALLOWED = "does not have the role this needs"

# URL name -> the permissions of which a user needs one to post to it.
MUTATING: dict[str, tuple[str, ...]] = {
    "campaigns:campaign_new": (ADD,),
    "campaigns:campaign_import": (ADD,),
    "campaigns:composer": (CHANGE,),  # posted with "save"; other actions only render
    "campaigns:composer_save": (CHANGE,),
    "campaigns:identity_upload": (CHANGE,),
    "campaigns:campaign_clone": (ADD,),
    "campaigns:campaign_archive": (CHANGE,),
    "campaigns:campaign_restore": (CHANGE,),
    "campaigns:estimate": (CHANGE, REVIEW, PUBLISH),
    "campaigns:estimate_poll": (CHANGE, REVIEW, PUBLISH),
    # The composer's reach of the audience typed: stores the estimate it makes.
    "campaigns:estimate_live": (CHANGE, REVIEW, PUBLISH),
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
    "campaigns:comment_resolve": (CHANGE, REVIEW),
    "campaigns:revision_restore": (CHANGE,),
    "campaigns:publish_cancel": (PUBLISH,),
    "campaigns:publish_release": (PUBLISH,),
    # Queues a read of CleverTap's message reports: anyone who may look at the campaigns.
    "campaigns:clevertap_fetch": (VIEW,),
    # Anyone who works on drafts keeps their own test recipients and sends tests to them.
    "campaigns:test_recipients": (CHANGE, REVIEW, PUBLISH),
    "campaigns:test_recipient_remove": (CHANGE, REVIEW, PUBLISH),
    "campaigns:test_send": (CHANGE, REVIEW, PUBLISH),
    # The library: composers write it; using an item on a draft edits the draft.
    "campaigns:library_edit": (CHANGE,),
    "campaigns:library_restore": (CHANGE,),
    "campaigns:library_archive": (CHANGE,),
    "campaigns:library_delete": (CHANGE,),
    "campaigns:library_start": (ADD,),
    "campaigns:library_import": (ADD,),
    "campaigns:library_save": (ADD,),
    "campaigns:library_apply": (CHANGE,),
    "sandbox:faults_update": (SANDBOX,),
}
# Posted to by the composer's htmx, but they only render: nothing may change, whoever posts.
RENDER_ONLY_POSTS = {
    "campaigns:composer_preview",
    # Keeps the person chosen in the session (not the database); looks them up in CleverTap.
    "campaigns:composer_preview_as",
    "campaigns:composer_section",
    "campaigns:composer_target",
}
# Pages and downloads: a POST is refused (405) or changes nothing.
READS = {
    "campaigns:draft_list",
    "campaigns:published_list",
    "campaigns:calendar",
    "campaigns:clevertap_campaigns",
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
    "campaigns:template_list",
    "campaigns:audience_list",
    "campaigns:library_item",
    "campaigns:library_export",
}
# These call CleverTap when allowed; only their refusals are checked here.
CALLS_CLEVERTAP = {
    "campaigns:estimate",
    "campaigns:estimate_poll",
    "campaigns:estimate_live",
    "campaigns:publish",
    "campaigns:stop",
    "campaigns:report",
    "campaigns:attempt_check",
    "campaigns:send_resume",
    "campaigns:batch_retry",
    "campaigns:test_send",
}
# URL name -> the permissions of which a user needs one to GET it; any other URL refuses a GET
# (405). A POST to one of these that is not in MUTATING or RENDER_ONLY_POSTS is refused too.
GETS: dict[str, tuple[str, ...]] = {name: (VIEW,) for name in READS} | {
    "campaigns:campaign_new": (ADD,),
    "campaigns:campaign_import": (ADD,),
    "campaigns:composer": (VIEW,),
    "campaigns:estimate": (VIEW,),
    "campaigns:comments": (VIEW,),
    "campaigns:publish": (PUBLISH,),
    "campaigns:test_recipients": (CHANGE, REVIEW, PUBLISH),
    "campaigns:test_send": (CHANGE, REVIEW, PUBLISH),
    "campaigns:library_edit": (CHANGE,),
    "campaigns:library_import": (ADD,),
    "campaigns:library_save": (ADD,),
    "campaigns:library_apply": (VIEW,),
    "sandbox:overview": (SANDBOX,),
}
# Open to anyone, logged in or not: URL name -> the methods it takes.
PUBLIC = {"login": {"GET", "POST"}, "logout": {"POST"}, "health": {"GET"}}
# The CleverTap-compatible API: authenticated by CleverTap's headers, whoever is logged in.
SANDBOX_API = {
    "sandbox:api_create",
    "sandbox:api_stop",
    "sandbox:api_result",
    "sandbox:api_list",
    "sandbox:api_profile",
    "sandbox:api_message_reports",
    "sandbox:api_send",
    "sandbox:api_unknown",
}
# The admin checks staff status itself, on every one of its URLs: tried at its index.
ADMIN = "admin:"
ROLES = ["composer", "reviewer", "publisher", "admin", "nobody"]
# Every kind of account, and none: the demo roles, a sandbox operator (that role alone), an account
# in no role group, staff in no group, and a superuser in no group.
KINDS = [
    "anonymous",
    "nobody",
    "composer",
    "reviewer",
    "publisher",
    "operator",
    "staff",
    "superuser",
]
# The role groups of the accounts the demo does not make.
KIND_GROUPS = {"operator": (roles.SANDBOX_OPERATORS,), "nobody": (), "staff": ()}


def url_names() -> set[str]:
    """Every named URL of the project, the admin's aside."""
    return {route.name for route in pages.routes() if not route.name.startswith(ADMIN)}


def test_every_url_is_classified():
    assert url_names() == set(MUTATING) | RENDER_ONLY_POSTS | set(GETS) | set(PUBLIC) | SANDBOX_API


def test_the_campaign_urls_are_all_here():
    campaign_urls = {
        f"campaigns:{pattern.name}" for pattern in get_resolver("campaigns.urls").url_patterns
    }
    assert all(isinstance(p, URLPattern) for p in get_resolver("campaigns.urls").url_patterns)
    assert campaign_urls <= url_names()


@pytest.fixture
def world(people, held) -> dict[str, Any]:
    """One of everything a URL can name: drafts, a revision, an estimate, a held publish; and an
    account of every kind."""
    User = get_user_model()
    people["nobody"] = User.objects.create_user("nobody", password="x")
    people["staff"] = User.objects.create_user("staff", password="x", is_staff=True)
    people["superuser"] = User.objects.create_superuser("superuser", password="x")
    people["operator"] = User.objects.create_user("operator", password="x")
    people["operator"].groups.add(Group.objects.get(name=roles.SANDBOX_OPERATORS))
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
    template = library_services.template_save_from_draft(
        campaign=campaign, user=people["composer"], name="A template"
    )
    template = library_services.item_edit(
        item=template,
        user=people["composer"],
        base_version=1,
        name="A template",
        content={"body": {"content": {"title": "Second"}}},
    )
    # In use, so that a delete is refused (archived instead) and every URL still finds it.
    library_services.campaign_from_template(item=template, user=people["composer"])
    return {
        "people": people,
        "template": template,
        "campaign": campaign,
        "send": send,
        "estimate": estimate,
        "attempt": attempt,
        "batch": SendBatch.objects.get(attempt=attempt),
        "revision": campaign.revisions.get(version=1),
        "comment": comments.comment_add(campaign=campaign, user=people["reviewer"], text="Hm"),
        "recipient": test_recipients.recipient_add(
            user=people["composer"], kind="Email", value="me@example.com", label="my inbox"
        ),
    }


@pytest.fixture
def held(settings):
    settings.PUBLISH_UNDO_SECONDS = 60
    return settings


def composer_post(world: dict[str, Any]) -> dict[str, list[str]]:
    """The composer's page as it was first rendered for the admin, posted back renamed."""
    if "composer_post" not in world:
        client = Client()
        client.force_login(world["people"]["admin"])
        html = client.get(reverse("campaigns:composer", args=[world["campaign"].pk])).content
        data = dict(submitted_data(html.decode()).lists())
        world["composer_post"] = data | {"campaign-name": ["Renamed by a POST"]}
    return world["composer_post"]


def request_for(name: str, world: dict[str, Any]) -> tuple[str, dict]:
    """The URL and a POST body that would change something if the view let it through."""
    campaign, send = world["campaign"], world["send"]
    attempt, template = world["attempt"], world["template"]
    by_name: dict[str, tuple[list, dict]] = {
        "campaigns:campaign_new": ([], {"name": "X", "who": "everyone", "channel": "push"}),
        "campaigns:campaign_import": (
            [],
            {"text": json.dumps({"name": "X", "target_mode": "sms"})},
        ),
        "campaigns:composer": ([campaign.pk], {"composer-action": ["save"]}),
        "campaigns:composer_save": ([campaign.pk], {}),
        "campaigns:identity_upload": ([campaign.pk], {}),
        "campaigns:composer_preview": ([campaign.pk], {}),
        "campaigns:composer_preview_as": ([campaign.pk], {}),
        "campaigns:composer_target": ([campaign.pk], {}),
        "campaigns:composer_section": ([campaign.pk, "content"], {}),
        "campaigns:campaign_clone": ([campaign.pk], {}),
        "campaigns:campaign_archive": ([campaign.pk], {}),
        "campaigns:campaign_restore": ([campaign.pk], {}),
        "campaigns:email_preview": ([campaign.pk], {}),
        "campaigns:campaign_export": ([campaign.pk], {}),
        "campaigns:estimate": ([campaign.pk], {}),
        "campaigns:estimate_poll": ([campaign.pk, world["estimate"].pk], {}),
        "campaigns:estimate_live": ([campaign.pk], {}),
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
        "campaigns:comment_resolve": ([campaign.pk, world["comment"].pk], {}),
        "campaigns:history": ([campaign.pk], {}),
        "campaigns:revision_restore": (
            [campaign.pk, world["revision"].pk],
            {"base_version": "2"},
        ),
        "campaigns:publish_pending": ([send.pk, attempt.pk], {}),
        "campaigns:publish_cancel": ([send.pk, attempt.pk], {}),
        "campaigns:publish_release": ([send.pk, attempt.pk], {}),
        "campaigns:clevertap_fetch": ([], {"date_from": "2025-03-03", "date_to": "2025-03-09"}),
        "campaigns:test_recipients": ([], {"kind": "Email", "value": "x@example.com"}),
        "campaigns:test_recipient_remove": ([world["recipient"].pk], {}),
        "campaigns:test_send": ([campaign.pk], {"recipients": [str(world["recipient"].pk)]}),
        "campaigns:library_item": ([template.pk], {}),
        "campaigns:library_edit": ([template.pk], {"name": "Renamed", "base_version": "2"}),
        "campaigns:library_restore": ([template.pk, 1], {}),
        "campaigns:library_archive": ([template.pk], {}),
        "campaigns:library_delete": ([template.pk], {}),
        "campaigns:library_start": ([template.pk], {}),
        "campaigns:library_save": ([campaign.pk, "template"], {"name": "Saved"}),
        "campaigns:library_apply": (
            [campaign.pk],
            {"item": str(template.pk), "base_version": str(campaign.version)},
        ),
        "sandbox:faults_update": ([], FAULTS_ON),
        "sandbox:api_create": ([], {"name": "X", "target_mode": "push"}),
        "sandbox:api_send": (["push"], {}),
        "sandbox:api_unknown": (["x.json"], {}),
    }
    args, data = by_name.get(name, ([], {}))
    if name.startswith("campaigns:composer"):
        data = composer_post(world) | data
    return reverse(name, args=args), data


def snapshot() -> dict[str, list]:
    """Every row of the app's and the sandbox's tables (and the task queue), to compare before
    and after."""
    rows = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in ("campaigns", "sandbox")
        for model in apps.get_app_config(label).get_models()
    }
    rows["tasks"] = list(DBTaskResult.objects.order_by("pk").values("id", "status", "task_path"))
    return rows


def role_permissions(role: str) -> set[str] | None:
    """The permissions a kind of account is given by its groups (None: all of them, a
    superuser; the demo admin is one)."""
    if role in {"admin", "superuser"}:
        return None
    if role in KIND_GROUPS:
        groups = KIND_GROUPS[role]
    else:
        groups = next(d.groups for d in demo.DEMO_USERS if d.username == role)
    return {
        f"{app_label}.{code}"
        for app_label, role_codes in roles.ROLES_BY_APP.items()
        for group in groups
        for code in role_codes.get(group, ())
    }


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
    Permission.objects.filter(content_type__app_label__in=roles.ROLES_BY_APP).delete()
    Group.objects.all().delete()

    roles.roles_ensure()

    for role_permissions in roles.ROLES_BY_APP.values():
        for name, codenames in role_permissions.items():
            granted = Group.objects.get(name=name).permissions.values_list("codename", flat=True)
            assert sorted(granted) == sorted(codenames)


# Every URL x every kind of account x GET and POST, as a browser sends them.


def needed(name: str, method: str) -> tuple[str, ...] | None:
    """The permissions of which one lets `method` through at a login-only URL (None: the URL
    refuses the method)."""
    if method == "GET":
        return GETS.get(name)
    if name in RENDER_ONLY_POSTS:
        return (VIEW,)
    return MUTATING.get(name)


def browser(user) -> tuple[Client, str]:
    """A client that enforces CSRF as a browser's requests meet it, with the token from the
    login page (the token holds once logged in: only the session changes)."""
    client = Client(enforce_csrf_checks=True)
    token = pages.csrf_token_from_page(client.get(reverse("login")))
    if user is not None:
        client.force_login(user)
    return client, token


def ask(client: Client, method: str, url: str, data: dict, token: str):
    if method == "GET":
        return client.get(url)
    # In the form, as a browser posts it (a composer post carries the token of another session).
    return client.post(url, data | {"csrfmiddlewaretoken": token})


def logged_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        ("/login/", "/admin/login/")
    )


def refusal_problems(response, kind: str, name: str, method: str, world) -> list[str]:
    """What is wrong with the answer to a request that must not get through."""
    if kind == "anonymous":
        return [] if logged_out(response) else [f"answered {response.status_code}, not login"]
    if needed(name, method) is None:
        return [] if response.status_code == 405 else [f"answered {response.status_code}, not 405"]
    if response.status_code != 403:
        return [f"answered {response.status_code}, not 403"]
    text = response.content.decode()
    shown = [world[key].name for key in ("campaign", "send") if world[key].name in text]
    return ([] if NOT_ALLOWED in text else ["a 403 without the page in words"]) + [
        f"shows {name!r}" for name in shown
    ]


def guarded_problems(client, token, kind: str, method: str, world) -> dict[str, list[str]]:
    """Every URL that needs a login and a role, asked by one kind of account."""
    granted = None if kind == "anonymous" else role_permissions(kind)
    problems = {}
    for name in sorted(set(GETS) | set(MUTATING) | RENDER_ONLY_POSTS):
        url, data = request_for(name, world)
        need = needed(name, method)
        reaches = (
            kind != "anonymous"
            and need is not None
            and (granted is None or bool(granted & set(need)))
        )
        before = None if reaches else snapshot()
        response = ask(client, method, url, data, token)
        if reaches:
            found = [] if response.status_code in {200, 302, 400, 409} else ["refused"]
            found += ["sent to log in"] if logged_out(response) else []
        else:
            found = refusal_problems(response, kind, name, method, world)
            found += [] if snapshot() == before else ["changed the database"]
        if found:
            problems[f"{method} {name}"] = found + [f"status {response.status_code}"]
    return problems


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_one_reaches_what_their_role_should_not(world, settings, kind, method):
    # Allowed requests that call CleverTap fail at once instead of reaching any server.
    settings.SANDBOX_BASE_URL = "http://127.0.0.1:9/sandbox"
    settings.CLEVERTAP_MAX_ATTEMPTS = 1
    client, token = browser(world["people"].get(kind))

    assert guarded_problems(client, token, kind, method, world) == {}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_open_urls_answer_everyone_alike(world, kind, method):
    client, token = browser(world["people"].get(kind))
    # Logging out last: it ends the session.
    for name in ["health", "login", "logout"]:
        url, data = request_for(name, world)
        before = snapshot()
        response = ask(client, method, url, data, token)
        if method not in PUBLIC[name]:
            # The anonymous are sent to log in first where the URL is not open to them.
            refused = response.status_code == 405 or (kind == "anonymous" and logged_out(response))
            assert refused, (name, response.status_code)
        elif name == "login" and kind != "anonymous":
            assert response.status_code == 302, (name, response.status_code)
        else:
            assert response.status_code in {200, 302}, (name, response.status_code)
        assert snapshot() == before, name


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_login_opens_nothing_in_the_sandbox_api(world, kind, method):
    """Without CleverTap's headers, the API refuses everyone alike and creates nothing."""
    client, token = browser(world["people"].get(kind))
    for name in sorted(SANDBOX_API):
        url, data = request_for(name, world)
        response = client.generic(
            method,
            url,
            json.dumps(data),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 401, (name, response.status_code)
        assert response.json()["error"] == api.ERROR_INVALID_CREDENTIALS, name
    assert not SandboxCampaign.objects.exists()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_admin_opens_to_staff_only_and_shows_staff_only_what_they_may_see(world, kind, method):
    client, token = browser(world["people"].get(kind))
    campaigns_app = reverse("admin:app_list", args=["campaigns"])

    response = ask(client, method, reverse("admin:index"), {}, token)

    if kind in {"staff", "superuser"}:
        assert response.status_code == 200
        assert (campaigns_app in response.content.decode()) is (kind == "superuser")
    else:
        assert logged_out(response), response.status_code


# Objects named under another campaign's id.

# A URL's second id -> the object of the world it names and the campaign that object belongs to.
OWNED = {
    "attempt_pk": ("attempt", "send"),
    "batch_pk": ("batch", "send"),
    "revision_pk": ("revision", "campaign"),
    "estimate_pk": ("estimate", "campaign"),
    "comment_pk": ("comment", "campaign"),
}


def cross_campaign_urls(world: dict[str, Any]) -> dict[str, str]:
    """URL name -> its URL with an object of one campaign under the other campaign's id."""
    urls = {}
    for route in pages.routes():
        ids = [kwarg for kwarg in route.kwargs if kwarg.endswith("_pk")]
        # A person's own objects (test recipients) are under no campaign: their own tests.
        if not ids or "pk" not in route.kwargs:
            continue
        assert len(ids) == 1 and ids[0] in OWNED, f"{route.name}: which campaign owns {ids}?"
        item, owner = OWNED[ids[0]]
        other = "campaign" if owner == "send" else "send"
        kwargs = {"pk": world[other].pk, ids[0]: world[item].pk}
        urls[route.name] = reverse(route.name, kwargs=kwargs)
    return urls


def test_every_url_naming_an_object_of_a_campaign_is_checked_here(world):
    assert set(cross_campaign_urls(world)) == {
        "campaigns:revision_restore",
        "campaigns:estimate_poll",
        "campaigns:publish_pending",
        "campaigns:publish_cancel",
        "campaigns:publish_release",
        "campaigns:attempt_check",
        "campaigns:send_progress",
        "campaigns:send_resume",
        "campaigns:batch_retry",
        "campaigns:comment_resolve",
    }


def test_an_object_of_another_campaign_is_not_found_and_nothing_changes(world, settings):
    settings.SANDBOX_BASE_URL = "http://127.0.0.1:9/sandbox"
    settings.CLEVERTAP_MAX_ATTEMPTS = 1
    # Who may do anything: only the ids can stop it.
    client, token = browser(world["people"]["superuser"])
    for name, url in cross_campaign_urls(world).items():
        method = "GET" if name in GETS else "POST"
        before = snapshot()

        response = ask(client, method, url, request_for(name, world)[1], token)

        assert response.status_code == 404, (name, url, response.status_code)
        assert snapshot() == before, name
