"""The sandbox page, its fault switch form (for sandbox operators), the selectors and the faults
command."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from campaigns import roles
from sandbox import faults, selectors, testing, views
from sandbox.models import SandboxFaults
from tests.sandbox_records import FAULTS_ON

OVERVIEW = reverse("sandbox:overview")
FAULTS = reverse("sandbox:faults_update")


@pytest.fixture(autouse=True)
def sandbox(db):
    testing.sandbox_reset()


@pytest.fixture
def operator_client(client):
    """Logged in as an account whose only role is "sandbox operators"."""
    operator = get_user_model().objects.create_user("operator", password="x")
    operator.groups.add(Group.objects.get(name=roles.SANDBOX_OPERATORS))
    client.force_login(operator)
    return client


def test_the_page_needs_a_login(client):
    response = client.get(OVERVIEW)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


NOT_ALLOWED = "does not have the role this needs"


def account(kind: str):
    """A demo user by name, or an account of a kind the demo does not make."""
    User = get_user_model()
    if kind == "no role":
        return User.objects.create_user("nobody", password="x")
    if kind == "staff without a group":
        return User.objects.create_user("staff", password="x", is_staff=True)
    if kind == "superuser":
        return User.objects.create_superuser("root", password="x")
    return User.objects.get(username=kind)


def test_the_role_is_a_group_with_the_sandbox_permission_alone():
    group = Group.objects.get(name=roles.SANDBOX_OPERATORS)
    granted = [f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()]
    assert granted == [roles.SANDBOX_PERMISSION]


@pytest.mark.parametrize(
    "kind", ["no role", "staff without a group", "composer", "reviewer", "publisher"]
)
def test_accounts_without_the_role_get_the_403_page_and_change_nothing(client, people, kind):
    testing.audience_small(profiles=80)
    client.force_login(account(kind))

    page = client.get(OVERVIEW)
    post = client.post(FAULTS, FAULTS_ON)

    for response in (page, post):
        assert response.status_code == 403
        assert NOT_ALLOWED in response.text
        assert "profiles" not in response.text and "Fault" not in response.text
    assert not faults.faults_get().active


@pytest.mark.parametrize("kind", ["admin", "superuser"])
def test_superusers_and_the_demo_admin_run_the_sandbox(client, people, kind):
    client.force_login(account(kind))

    assert client.get(OVERVIEW).status_code == 200
    assert client.post(FAULTS, FAULTS_ON).status_code == 302
    assert faults.faults_get().error_rate == 0.2


def test_the_demo_admin_is_a_sandbox_operator(people):
    assert people["admin"].groups.filter(name=roles.SANDBOX_OPERATORS).exists()


def test_the_top_bar_links_the_sandbox_only_for_those_who_may_open_it(client, people):
    drafts, link = reverse("campaigns:draft_list"), f'href="{OVERVIEW}"'
    for kind, linked in [("composer", False), ("reviewer", False), ("admin", True)]:
        client.force_login(account(kind))
        assert (link in client.get(drafts).text) is linked, kind

    account("composer").groups.add(Group.objects.get(name=roles.SANDBOX_OPERATORS))
    client.force_login(account("composer"))
    assert link in client.get(drafts).text


def test_the_page_shows_the_audience_events_properties_and_segments(operator_client):
    testing.audience_small(profiles=80)
    response = operator_client.get(OVERVIEW)
    assert response.status_code == 200
    text = response.text
    assert "<strong>80</strong> profiles" in text
    for name in selectors.event_names():
        assert f"<td>{name}</td>" in text
    for name in ("Customer Type", "Age", "City", "Gender"):
        assert f"<code>{name}</code>" in text
    assert "Platinum customers" in text and "Abandoned a cart this week" in text


def test_the_page_explains_how_to_seed_an_empty_audience(operator_client):
    assert "manage.py seed_audience" in operator_client.get(OVERVIEW).text


def test_received_bodies_are_shown_escaped(client, operator_client):
    body = {"name": "<script>alert(1)</script>", "target_mode": "push", "estimate_only": True}
    client.post(
        "/sandbox/1/targets/create.json",
        data=json.dumps(body),
        content_type="application/json",
        **testing.client_headers(),
    )
    client.post(
        "/sandbox/1/send/sms.json",
        data="<img src=x onerror=alert(2)>",
        content_type="application/json",
        **testing.client_headers(),
    )
    text = operator_client.get(OVERVIEW).text
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text
    assert "/sandbox/1/targets/create.json" in text


def test_the_faults_form_saves_the_switch(operator_client):
    response = operator_client.post(FAULTS, FAULTS_ON, follow=True)
    assert response.redirect_chain[-1][0] == OVERVIEW
    assert views.MESSAGE_FAULTS_SAVED in response.text
    saved = SandboxFaults.objects.get()
    assert (saved.latency_ms, saved.error_rate, saved.error_status) == (250, 0.2, 503)
    assert (saved.drop_rate, saved.malformed_rate, saved.seed) == (0.1, 0.05, 9)


def test_the_faults_form_refuses_shares_over_one(operator_client):
    data = {
        "latency_ms": 0,
        "error_rate": 0.6,
        "error_status": 0,
        "drop_rate": 0.5,
        "malformed_rate": 0,
        "seed": 0,
    }
    response = operator_client.post(FAULTS, data)
    assert response.status_code == 200
    assert faults.ERROR_SHARES_OVER_ONE in response.text
    assert SandboxFaults.objects.get().error_rate == 0.0


def test_faults_configure_refuses_shares_over_one():
    with pytest.raises(ValidationError) as raised:
        faults.faults_configure(error_rate=0.7, malformed_rate=0.7)
    assert raised.value.messages == [faults.ERROR_SHARES_OVER_ONE]


def test_faults_configure_refuses_a_share_above_one():
    with pytest.raises(ValidationError):
        faults.faults_configure(drop_rate=1.5)


def test_the_faults_command_shows_changes_and_resets():
    out = io.StringIO()
    call_command("sandbox_faults", "--latency-ms", "120", "--error-rate", "0.25", stdout=out)
    assert "latency_ms=120 error_rate=0.25" in out.getvalue()
    assert faults.faults_get().latency_ms == 120
    call_command("sandbox_faults", "--reset", stdout=io.StringIO())
    assert not faults.faults_get().active


def test_the_faults_command_refuses_bad_values():
    with pytest.raises(CommandError, match="cannot exceed 1"):
        call_command("sandbox_faults", "--error-rate", "0.9", "--drop-rate", "0.9")


def test_selectors_list_event_and_property_names():
    testing.audience_small(profiles=50)
    assert selectors.event_names() == sorted(selectors.event_names())
    assert "Charged" in selectors.event_names()
    assert selectors.profile_property_names(include_system=False) == [
        "Age",
        "City",
        "Customer Type",
        "Gender",
        "Preferred Language",
    ]
    assert {"Email", "Phone", "Age"} <= set(selectors.profile_property_names())
    counts = dict(selectors.event_name_counts())
    assert counts["App Launched"] > counts["Charged"] > 0
