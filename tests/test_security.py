"""Hardening: CSP (scripts and styles), framing, CSRF, idle sessions, password hashing, request
size limits, deployment settings (HTTPS, the sandbox unmounted), and the passcode kept out of pages,
logs and exports (login throttling: test_login.py; who may open what: views/test_permissions.py)."""

import datetime
import gzip
import io
import json
import logging
import os
import re
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.views import debug

from campaigns import jsonfile, middleware, payloads
from campaigns.models import Campaign, Estimate, EstimateState
from campaigns.publishing import attempts, confirm
from campaigns.views import forms as view_forms
from config import settings as config_settings
from devtools import demo
from devtools.bench import scratch
from tests import pages
from tests.drafts import approved, email_send_body, new_draft

ROOT = Path(__file__).resolve().parent.parent
LOGIN_URL = "/login/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(demo_users):
    """The demo admin: staff, superuser and in every role, so no page is hidden by permissions."""
    return get_user_model().objects.get(username="admin")


@pytest.fixture
def drafts(admin_user) -> list[Campaign]:
    demo.demo_drafts_ensure(admin_user)
    return list(Campaign.objects.order_by("pk"))


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def get_pages(campaigns: list[Campaign]) -> list[str]:
    """Every GET page that takes no arguments, and each draft's pages that take only its id."""
    urls = []
    for route in pages.routes():
        if not route.kwargs:
            urls.append(reverse(route.name))
        elif route.kwargs == ("pk",) and not route.name.startswith("admin:"):
            urls += [reverse(route.name, kwargs={"pk": c.pk}) for c in campaigns]
    return urls


def post_urls(campaign: Campaign) -> list[str]:
    """Every URL of the app's own views (not the admin's), with its arguments filled in."""
    values = {"pk": campaign.pk, "prefix": "content", "channel": "push", "rest": "x.json"}
    urls = []
    for route in pages.routes():
        if route.name.split(":")[0] == "admin" or route.csrf_exempt:
            continue
        kwargs = {name: values.get(name, 1) for name in route.kwargs}
        urls.append(reverse(route.name, kwargs=kwargs))
    return urls


def crawl(client: Client, urls: list[str]) -> Iterator[tuple[str, object]]:
    """GET each page; pages that do not exist for these arguments or do not answer GET are left
    out, and nothing may fail with a server error."""
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code in (404, 405):
            continue
        yield url, response


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


# Content Security Policy


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


class ScriptAudit(HTMLParser):
    """Inline scripts without the page's nonce and inline event handlers."""

    DATA_TYPES = {"application/json", "application/ld+json", "text/template", "importmap"}

    def __init__(self, nonce: str):
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}=...> is an inline event handler")
            if (
                name in {"href", "src", "action", "formaction"}
                and (value or "").strip().lower()[:11] == "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}> runs inline JavaScript")
        if tag == "script" and "src" not in values:
            if (values.get("type") or "").lower() in self.DATA_TYPES:
                return
            if not self.nonce or values.get("nonce") != self.nonce:
                self.problems.append("an inline <script> without the page's nonce")


def script_policy_problems(response) -> list[str]:
    header = response.get("Content-Security-Policy", "")
    if not header:
        return ["no Content-Security-Policy header"]
    directives = csp_directives(header)
    script_sources = directives.get("script-src", directives.get("default-src", []))
    problems = [
        f"{name} allows 'unsafe-inline'"
        for name in ("script-src", "script-src-elem", "script-src-attr")
        if "'unsafe-inline'" in directives.get(name, [])
    ]
    if "script-src" not in directives and "'unsafe-inline'" in directives.get("default-src", []):
        problems.append("default-src allows 'unsafe-inline' for scripts")
    if script_sources == ["'none'"]:
        # Nothing can run on this page (the email preview): its markup is the marketer's.
        return problems
    nonce = re.search(r"'nonce-([^']+)'", header)
    audit = ScriptAudit(nonce.group(1) if nonce else "")
    audit.feed(response.content.decode())
    return problems + audit.problems


def test_every_page_has_a_script_policy_without_unsafe_inline_and_no_inline_scripts(
    admin_client, drafts
):
    checked = 0
    problems = {}
    for url, response in crawl(admin_client, get_pages(drafts)):
        if response.status_code != 200 or not is_html(response):
            continue
        checked += 1
        found = script_policy_problems(response)
        if found:
            problems[url] = found
    assert problems == {}
    # The draft list, review, published, new, import, sandbox, composers, confirmations, admin...
    assert checked > 20


def test_every_page_forbids_being_framed(admin_client, drafts):
    for url, response in crawl(admin_client, get_pages(drafts)):
        if response.status_code != 200 or not is_html(response):
            continue
        assert response["X-Frame-Options"] == "DENY", url
        directives = csp_directives(response["Content-Security-Policy"])
        # The email preview has a policy of its own, under which nothing can run.
        if "sandbox" not in directives:
            assert directives["frame-ancestors"] == ["'none'"], url


def test_pages_are_compressed_for_browsers_that_take_it(admin_client, drafts):
    url = reverse("campaigns:composer", args=[drafts[0].pk])
    plain = admin_client.get(url)
    packed = admin_client.get(url, headers={"accept-encoding": "gzip"})

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) * 4 < len(plain.content)
    assert b"<form" in gzip.decompress(packed.content)


def test_the_script_audit_catches_inline_handlers_and_scripts_without_the_nonce():
    audit = ScriptAudit("abc")
    audit.feed(
        '<button onclick="x()">a</button><script>evil()</script><script nonce="abc">ok()</script>'
        '<a href="javascript:void(0)">b</a><div hx-on:click="y()"></div>'
        '<script type="application/json">{"data": 1}</script><script src="/static/a.js"></script>'
    )
    assert len(audit.problems) == 4


class StyleAudit(HTMLParser):
    """Style attributes, and <style> elements without the nonce the page's style-src allows (if
    any), a <noscript>'s included."""

    def __init__(self, nonce: str):
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "style" in values:
            self.problems.append(f"<{tag} style={values['style']!r}>")
        if tag == "style" and (not self.nonce or values.get("nonce") != self.nonce):
            self.problems.append("a <style> without the page's nonce")


def style_policy_problems(response) -> list[str]:
    directives = csp_directives(response.get("Content-Security-Policy", ""))
    if "sandbox" in directives:
        # The email preview: the marketer's own HTML and its styles, under a policy of its own in
        # which nothing can run (see test_every_page_forbids_being_framed).
        return []
    problems = [
        f"{name} allows 'unsafe-inline'"
        for name in ("style-src", "style-src-elem", "style-src-attr")
        if "'unsafe-inline'" in directives.get(name, [])
    ]
    if "style-src" not in directives:
        problems.append("no style-src")
    nonce = re.search(r"'nonce-([^']+)'", " ".join(directives.get("style-src", [])))
    audit = StyleAudit(nonce.group(1) if nonce else "")
    audit.feed(response.content.decode())
    return problems + audit.problems


@pytest.fixture
def in_progress(drafts, settings):
    """A background estimate waiting for CleverTap and an identity send under way: the pages with
    progress bars."""
    # Not the `people` fixture: it resets the demo passwords, which logs admin_client out.
    settings.PUBLISH_UNDO_SECONDS = 0
    people = {user.username: user for user in get_user_model().objects.all()}
    targets = next(c for c in drafts if c.api == "targets")
    Estimate.objects.create(
        campaign=targets,
        version=targets.version,
        body_hash=payloads.body_hash(targets.body),
        endpoint="targets/create.json",
        state=EstimateState.PENDING,
        request_id="r-1",
    )
    body = email_send_body([f"user{n}@example.com" for n in range(1500)])
    send = approved(new_draft(people["composer"], body, api="send", channel="email"), people)
    token = confirm.publish_confirmation(campaign=send, user=people["publisher"]).token
    attempt = attempts.campaign_publish(
        campaign=send, user=people["publisher"], confirmation_token=token
    )
    return targets, send, attempt


def test_every_page_has_a_style_policy_without_unsafe_inline_and_no_inline_styles(
    admin_client, drafts, in_progress
):
    targets, send, attempt = in_progress
    pages = dict(crawl(admin_client, get_pages(drafts + [send])))
    fragments = {
        url: admin_client.get(url, headers={"HX-Request": "true"})
        for url in (
            reverse("campaigns:estimate", args=[targets.pk]),
            reverse("campaigns:send_progress", args=[send.pk, attempt.pk]),
        )
    }
    problems = {}
    for url, response in (pages | {f"{url} (htmx)": r for url, r in fragments.items()}).items():
        if response.status_code != 200 or not is_html(response):
            continue
        found = style_policy_problems(response)
        if found:
            problems[url] = found
    assert problems == {}
    # What had inline styles: both progress bars and the quiet hours of a draft with DND.
    rendered = "".join(r.content.decode() for r in (pages | fragments).values() if is_html(r))
    assert rendered.count("<progress") >= 3
    assert 'class="dnd-block"' in rendered


def test_the_style_audit_catches_style_attributes_and_styles_without_the_nonce():
    audit = StyleAudit("abc")
    audit.feed(
        '<div style="width: 5%">a</div><noscript><style>.a {}</style></noscript>'
        '<style nonce="abc">.b {}</style><style nonce="xyz">.c {}</style><p class="x">b</p>'
    )
    assert len(audit.problems) == 3


def test_no_template_has_a_style_attribute_or_a_style_element_without_the_nonce():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\sstyle\s*=", text), path
        assert not re.search(r"<style(?![^>]*\bnonce=)", text), path


# CSRF, htmx included


def test_only_the_sandbox_api_is_exempt_from_csrf():
    exempt = {route.name for route in pages.routes() if route.csrf_exempt}
    # It answers CleverTap's API, authenticated by its passcode header rather than a cookie.
    assert exempt and all(name.startswith("sandbox:api_") for name in exempt)


def test_every_post_without_a_csrf_token_is_refused(admin_user, drafts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    # The browser holds the CSRF cookie; only the token is missing, as in a cross-site post.
    client.get(reverse("campaigns:draft_list"))
    urls = post_urls(drafts[0])
    assert {
        reverse("login"),
        reverse("logout"),
        reverse("campaigns:composer_save", args=[drafts[0].pk]),
        reverse("campaigns:composer_preview", args=[drafts[0].pk]),
    } <= set(urls)
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, {"name": "x"}, headers=headers)
            assert response.status_code == 403, url
            assert "CSRF" in response.text, url


def test_every_post_with_the_token_from_the_page_gets_past_csrf(admin_user, drafts, settings):
    # Endpoints that call CleverTap fail at once instead of reaching any server.
    settings.SANDBOX_BASE_URL = "http://127.0.0.1:9/sandbox"
    settings.CLEVERTAP_MAX_ATTEMPTS = 1
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    campaign = drafts[0]
    page = client.get(reverse("campaigns:composer", args=[campaign.pk]))
    headers = {"X-CSRFToken": pages.csrf_token_from_page(page), "HX-Request": "true"}
    for url in post_urls(campaign):
        if url == reverse("logout"):
            continue
        response = client.post(url, {}, headers=headers)
        assert response.status_code != 403, url
    response = client.post(reverse("logout"), headers=headers)
    assert response.status_code == 302


def test_logging_in_needs_the_csrf_token_and_works_with_the_one_from_the_page(demo_users):
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": "composer", "password": demo_users["composer"].password}
    page = client.get(LOGIN_URL)
    assert client.post(LOGIN_URL, credentials).status_code == 403
    token = pages.csrf_token_from_page(page)
    response = client.post(LOGIN_URL, credentials | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:draft_list")


# Sessions and passwords


def test_an_idle_session_older_than_the_limit_is_sent_to_login(admin_client):
    drafts_url = reverse("campaigns:draft_list")
    assert admin_client.get(drafts_url).status_code == 200
    key = admin_client.session.session_key
    idle = timezone.now() - datetime.timedelta(seconds=1)
    Session.objects.filter(session_key=key).update(expire_date=idle)
    response = admin_client.get(drafts_url)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_a_request_extends_the_session_by_the_idle_limit(admin_client, settings):
    settings.SESSION_COOKIE_AGE = 600
    settings.SESSION_REFRESH_SECONDS = 0
    key = admin_client.session.session_key
    soon = timezone.now() + datetime.timedelta(seconds=30)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert admin_client.get(reverse("campaigns:draft_list")).status_code == 200
    session = Session.objects.get(session_key=key)
    remaining = (session.expire_date - timezone.now()).total_seconds()
    assert 590 < remaining <= 600


def test_requests_within_the_refresh_interval_do_not_write_the_session(admin_client, settings):
    settings.SESSION_REFRESH_SECONDS = 60
    drafts_url = reverse("campaigns:draft_list")
    admin_client.get(drafts_url)
    key = admin_client.session.session_key
    extended = Session.objects.get(session_key=key).expire_date
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(drafts_url).status_code == 200
    assert not [q for q in queries if "UPDATE" in q["sql"] and "django_session" in q["sql"]]
    assert Session.objects.get(session_key=key).expire_date == extended
    # Once the interval is over, the next request pushes the expiry back again.
    settings.SESSION_REFRESH_SECONDS = 0
    admin_client.get(drafts_url)
    assert Session.objects.get(session_key=key).expire_date > extended


def test_stored_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = config_settings.PASSWORD_HASHERS
    user = get_user_model().objects.create_user("hashed", password="a-long-passphrase-2026")
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password("a-long-passphrase-2026")


# Request size limits


def test_a_too_large_form_answers_a_400_page_that_says_so(admin_client, drafts, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    url = reverse("campaigns:composer_save", args=[drafts[0].pk])
    for headers in ({}, {"HX-Request": "true"}):
        response = admin_client.post(url, {"content-body": "x" * 4096}, headers=headers)
        assert response.status_code == 400
        assert "400.html" in [t.name for t in response.templates]
        text = middleware.TOO_LARGE.format(limit="2 KB")
        assert text in response.content.decode()


def test_a_form_with_too_many_fields_answers_a_400_page_that_says_so(admin_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"field-{number}": "1" for number in range(20)}
    response = admin_client.post(reverse("campaigns:campaign_new"), data)
    assert response.status_code == 400
    text = middleware.TOO_MANY_FIELDS.format(limit="10")
    assert text in response.content.decode()


def test_a_too_large_upload_form_answers_a_400_page_too(admin_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = admin_client.post(
        reverse("campaigns:campaign_import"), {"text": "x" * (1024 * 1024 + 1), "name": "Big"}
    )
    assert response.status_code == 400
    assert middleware.TOO_LARGE.format(limit="1 MB") in response.content.decode()
    assert not Campaign.objects.filter(name="Big").exists()


def test_a_too_large_login_answers_a_400_page_not_an_error(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(LOGIN_URL, {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 400
    assert middleware.TOO_LARGE.format(limit="1 KB") in response.content.decode()


def test_a_body_too_large_for_a_view_that_reads_it_answers_the_400_page(rf, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10

    def reads_the_body(request):
        return request.body

    limits = middleware.RequestLimitsMiddleware(reads_the_body)
    request = rf.post("/", data=b'{"a": "long enough"}', content_type="application/json")
    request.user = get_user_model()()
    assert limits.process_view(request, reads_the_body, (), {}) is None
    with pytest.raises(middleware.RequestDataTooBig) as raised:
        reads_the_body(request)
    response = limits.process_exception(request, raised.value)
    assert response.status_code == 400
    assert middleware.TOO_LARGE.format(limit="10 bytes") in response.content.decode()


def test_a_pasted_import_of_the_largest_allowed_size_is_accepted(admin_client):
    # Quotes are percent-encoded to three bytes each: the worst case for a URL-encoded post.
    text = '"' * jsonfile.MAX_BYTES
    body = urllib.parse.urlencode({"text": text, "name": "Largest"})
    response = admin_client.post(
        reverse("campaigns:campaign_import"),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Request not accepted" not in response.content.decode()
    # Read by the one reader, not refused for its size (a row of quotes is not JSON).
    assert f"{view_forms.PASTED} is not valid JSON" in response.content.decode()


# Deployment settings


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


STRONG_SECRET_KEY = "k7#Vq2!mZ9@xL4$wR8^tN1&pB6*yD3(hF5)jG0_sC" + "e2T9uW4zQ7aX1vY8"


def readme_production_variables() -> dict[str, str]:
    """The variables of the README's production `export` line (its SECRET_KEY=... made a real
    one)."""
    readme = (ROOT / "README.md").read_text()
    production = readme.split("## Production", 1)[1]
    line = re.search(r"^\s*export (DEBUG=.*)$", production, re.M)
    assert line, "the README's Production section has no export line"
    variables = dict(word.split("=", 1) for word in line.group(1).split())
    assert variables["SECRET_KEY"] == "..."
    return variables | {"SECRET_KEY": STRONG_SECRET_KEY}


def production_env(**extra: str) -> dict[str, str]:
    """The README's production environment, and none of the test run's own settings
    (DJANGO_ALLOW_ASYNC_UNSAFE is for Playwright's event loop) or deployment variables."""
    skipped = (
        "DEBUG",
        "SECRET_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "ALLOWED_HOSTS",
        "CSRF_",
        "SECURE_",
        "SESSION_",
        "SANDBOX_",
        "CLEVERTAP_",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(skipped)}
    return env | readme_production_variables() | extra


def test_the_readme_gives_the_production_environment_checked_here():
    assert set(readme_production_variables()) == {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}


def test_the_deployment_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name)"
    " for name in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
    " 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',"
    " 'X_FRAME_OPTIONS', 'SESSION_COOKIE_AGE', 'SESSION_REFRESH_SECONDS']}))"
)


def test_production_cookies_are_secure_and_hsts_is_on():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        PRINT_SETTINGS,
        env=production_env(SESSION_IDLE_SECONDS="1800"),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_COOKIE_AGE": 1800,
        "SESSION_REFRESH_SECONDS": 60,
    }


def test_plain_http_setups_turn_the_https_redirect_off_with_a_variable():
    env = production_env(SECURE_SSL_REDIRECT="false")
    result = manage("shell", "--no-imports", "-c", PRINT_SETTINGS, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["SECURE_SSL_REDIRECT"] is False


def test_the_benchmark_and_the_load_test_serve_plain_http_on_the_loopback(tmp_path):
    """They run gunicorn with DEBUG off on plain HTTP: no redirect to HTTPS, cookies sent back."""
    env = scratch.environment(tmp_path, port=8000)
    result = manage("shell", "--no-imports", "-c", PRINT_SETTINGS, env=env)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["SECURE_SSL_REDIRECT"] is False
    assert printed["SESSION_COOKIE_SECURE"] is printed["CSRF_COOKIE_SECURE"] is False


def test_https_redirects_spare_the_sandbox_api_the_app_calls_over_loopback(rf, settings):
    from django.middleware.security import SecurityMiddleware

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = config_settings.SECURE_REDIRECT_EXEMPT
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["studio.example.com"]
    middleware = SecurityMiddleware(lambda request: None)
    page = rf.get("/drafts/1/", HTTP_HOST="studio.example.com")
    api = rf.post("/sandbox/1/targets/create.json", HTTP_HOST="studio.example.com")
    # A load balancer's health check over plain HTTP is answered, not redirected.
    health = rf.get("/health/", HTTP_HOST="studio.example.com")
    # Behind a TLS proxy that says so, a request is not redirected either.
    proxied = rf.get("/drafts/1/", HTTP_HOST="studio.example.com", HTTP_X_FORWARDED_PROTO="https")
    assert middleware.process_request(page).status_code == 301
    assert middleware.process_request(page)["Location"] == "https://studio.example.com/drafts/1/"
    assert middleware.process_request(api) is None
    assert middleware.process_request(health) is None
    assert middleware.process_request(proxied) is None


MOUNTED = (
    "import json; from django.conf import settings; from django.urls import get_resolver;"
    " print(json.dumps([settings.SANDBOX_ENABLED, any(getattr(p, 'app_name', None) == 'sandbox'"
    " for p in get_resolver().url_patterns)]))"
)


@pytest.mark.parametrize(
    ("credentials", "forced", "mounted"),
    [(True, "", False), (True, "true", True), (False, "", True), (False, "false", False)],
    ids=["credentials", "credentials-forced-on", "no-credentials", "no-credentials-forced-off"],
)
def test_with_clevertap_credentials_the_sandbox_is_unmounted_unless_forced(
    credentials, forced, mounted
):
    account = {"CLEVERTAP_ACCOUNT_ID": "ACCOUNT-1", "CLEVERTAP_PASSCODE": "a-passcode"}
    env = production_env(SANDBOX_ENABLED=forced, **(account if credentials else {}))
    result = manage("shell", "--no-imports", "-c", MOUNTED, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [mounted, mounted]


# The passcode


CLEVERTAP_PASSCODE = "ctp-Zq81-DISTINCTIVE-passcode"
SANDBOX_PASSCODE = "sbx-Wk37-DISTINCTIVE-passcode"


@pytest.fixture
def distinctive_passcodes(settings):
    settings.CLEVERTAP_PASSCODE = CLEVERTAP_PASSCODE
    settings.SANDBOX_PASSCODE = SANDBOX_PASSCODE
    return (CLEVERTAP_PASSCODE, SANDBOX_PASSCODE)


@pytest.mark.parametrize("configured", [False, True], ids=["sandbox", "clevertap"])
def test_the_passcode_appears_in_no_page_log_or_curl_export(
    admin_client, drafts, settings, caplog, distinctive_passcodes, configured
):
    settings.CLEVERTAP_ACCOUNT_ID = "ACCOUNT-1" if configured else ""
    settings.CLEVERTAP_CONFIGURED = configured
    caplog.set_level(logging.DEBUG)
    seen = []
    for url, response in crawl(admin_client, get_pages(drafts)):
        seen.append(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        for passcode in distinctive_passcodes:
            assert passcode not in text, url
            assert passcode not in str(response.headers), url
    assert reverse("campaigns:composer", args=[drafts[0].pk]) in seen
    exported = io.StringIO()
    for campaign in drafts:
        call_command("export_campaign", campaign.pk, "--format", "curl", stdout=exported)
    assert "X-CleverTap-Passcode: $CLEVERTAP_PASSCODE" in exported.getvalue()
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    for passcode in distinctive_passcodes:
        assert passcode not in exported.getvalue()
        assert passcode not in logged


@pytest.mark.usefixtures("distinctive_passcodes")
def test_error_reports_hide_the_passcode_settings_and_the_passcode_header(rf):
    request = rf.post("/sandbox/1/targets/create.json", HTTP_X_CLEVERTAP_PASSCODE=SANDBOX_PASSCODE)
    try:
        raise ValueError("boom")
    except ValueError:
        report = debug.technical_500_response(request, *sys.exc_info()).content.decode()
    assert "boom" in report and "CLEVERTAP_PASSCODE" in report
    assert CLEVERTAP_PASSCODE not in report
    assert SANDBOX_PASSCODE not in report
