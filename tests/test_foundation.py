import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from campaigns import roles
from config import settings as config_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "url", ["/", "/review/", "/published/", "/sandbox/", "/admin/"], ids=str.strip
)
def test_anonymous_requests_redirect_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(("/login/", "/admin/login/"))


def test_wrong_password_shows_a_clear_message(client, demo_users):
    response = client.post(reverse("login"), {"username": "composer", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert 'value="composer"' in response.text


def test_demo_user_logs_in_and_sees_drafts(client, demo_users):
    response = client.post(
        reverse("login"),
        {"username": "composer", "password": demo_users["composer"].password},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("campaigns:draft_list")
    assert "<h1" in response.text and "Drafts" in response.text


def test_roles_are_groups_with_their_permissions(db):
    for app_label, role_permissions in roles.ROLES_BY_APP.items():
        for name, codenames in role_permissions.items():
            granted = Group.objects.get(name=name).permissions.all()
            assert {p.content_type.app_label for p in granted} == {app_label}
            assert sorted(p.codename for p in granted) == sorted(codenames)


def test_demo_users_are_idempotent(db):
    from devtools import demo

    demo.demo_users_ensure()
    demo.demo_users_ensure()
    composer = Group.objects.get(name=roles.COMPOSERS)
    assert list(composer.user_set.values_list("username", flat=True)) == ["composer", "admin"]


def test_pages_carry_a_csp_nonce_and_no_inline_handlers(composer_client):
    response = composer_client.get(reverse("campaigns:draft_list"))
    csp = response["Content-Security-Policy"]
    assert "'nonce-" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert " onclick=" not in response.text
    assert 'hx-headers=\'{"X-CSRFToken"' in response.text


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE"}}
    env["DEBUG"] = "false"
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_secret_key_is_read_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "x" * 50 + "\n")
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env |= {"DEBUG": "false", "SECRET_KEY_FILE": str(secret), "ALLOWED_HOSTS": "example.com"}
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-file-" + "x" * 50


@pytest.mark.parametrize(
    "value, expected",
    [
        ("true", True),
        (" TRUE ", True),
        ("1", True),
        ("Yes", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("NO", False),
        (" off", False),
    ],
)
def test_a_yes_no_variable_reads_the_usual_words(monkeypatch, value, expected):
    monkeypatch.setenv("SOME_SWITCH", value)
    assert config_settings.envbool("SOME_SWITCH", "false") is expected


@pytest.mark.parametrize("value", [None, "", "  "])
def test_an_unset_or_empty_yes_no_variable_takes_the_default(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("SOME_SWITCH", raising=False)
    else:
        monkeypatch.setenv("SOME_SWITCH", value)
    assert config_settings.envbool("SOME_SWITCH", "true") is True
    assert config_settings.envbool("SOME_SWITCH", "off") is False


@pytest.mark.parametrize("value", ["flase", "y", "enabled", "2"])
def test_a_yes_no_variable_it_cannot_read_is_refused(monkeypatch, value):
    monkeypatch.setenv("SECURE_COOKIES", value)
    with pytest.raises(ImproperlyConfigured) as refused:
        config_settings.envbool("SECURE_COOKIES", "true")
    assert str(refused.value) == (
        f"SECURE_COOKIES='{value}' is not a yes/no value: use true/false, 1/0, yes/no or on/off."
    )


def test_a_typo_in_debug_stops_the_app_instead_of_reading_as_false():
    result = _manage("check", env=os.environ | {"DEBUG": "ture"})
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG='ture' is not a yes/no value" in result.stderr


def test_env_example_lists_every_variable_the_settings_read():
    settings_text = (ROOT / "config" / "settings.py").read_text()
    reads = r'(?:env\w*\(|environ\.get\(|environ\[)"([A-Z][A-Z0-9_]*)"'
    read = set(re.findall(reads, settings_text))
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
    assert read, "no variables found: the pattern no longer matches settings.py"
    assert sorted(read - listed) == []
