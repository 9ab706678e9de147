"""CleverTap's official Node client (CleverTap/clevertap-node, the npm package `clevertap`) against
the sandbox over HTTP: every call gets the answer CleverTap documents.

The client is installed from the npm registry once per version, into a folder kept between runs
(the suite runs with pytest's cache off); the test is skipped only when that registry cannot be
reached. Node and npm themselves are on the machine (`.ci/test` installs them when missing).
`node_client.js`, beside this file, makes the calls and prints the answers the client resolved.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from campaigns.forms import campaign as campaign_forms
from sandbox import api, services
from tests import sandbox_records
from tests.drafts import later

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = "clevertap"
CLIENT_VERSION = "1.3.0"
SCRIPT = Path(__file__).with_name("node_client.js")
INSTALLS = Path(tempfile.gettempdir()) / "campaign-studio-npm"
NPM_TIMEOUT_SECONDS = 300
NODE_TIMEOUT_SECONDS = 120

NODE_MISSING = (
    "{tool} is not installed: `bash .ci/test` installs Node.js and npm (Debian packages)."
)
REGISTRY_UNREACHABLE = (
    f"The npm registry cannot be reached (`npm ping` failed), so CleverTap's Node client "
    f"({CLIENT}@{CLIENT_VERSION}) cannot be installed: {{reason}}"
)

# The documented answers (CLEVERTAP-READS.md §3 and §4, NOTES.md, the send page's error table).
QUEUED = {"status": "success", "message": "Added to queue for processing"}
NOT_DONE = "This target hasn't been completed"
SUCCESS = {"status": "success"}
REPORTED = ("sent", "clicked")
PUSH_NAME = "Node client push"  # the name of node_client.js's own push


@pytest.fixture(scope="module")
def client_module() -> Path:
    """The installed `clevertap` package's folder."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(NODE_MISSING.format(tool=tool))
    folder = INSTALLS / f"{CLIENT}-{CLIENT_VERSION}"
    module = folder / "node_modules" / CLIENT
    if not (module / "package.json").exists():
        _install(folder)
    assert json.loads((module / "package.json").read_text())["version"] == CLIENT_VERSION
    return module


def _install(folder: Path) -> None:
    """Install into a folder of its own, then move it in place: runs at the same time (several
    people share the machine) never see half an install."""
    ping = _npm("ping", "--fetch-retries=0", "--fetch-timeout=15000")
    if ping.returncode != 0:
        pytest.skip(REGISTRY_UNREACHABLE.format(reason=_why(ping.stderr)))
    INSTALLS.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="installing-", dir=INSTALLS))
    try:
        done = _npm(
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(staging),
            f"{CLIENT}@{CLIENT_VERSION}",
        )
        assert done.returncode == 0, f"npm install {CLIENT}@{CLIENT_VERSION} failed:\n{done.stderr}"
        try:
            staging.rename(folder)
        except OSError:
            assert folder.is_dir()  # another run installed it first
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _npm(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["npm", *arguments], capture_output=True, text=True, timeout=NPM_TIMEOUT_SECONDS
    )


def _why(npm_errors: str) -> str:
    """npm's own reason, out of its error output (a FetchError names the URL and the cause)."""
    lines = [line.removeprefix("npm error").strip() for line in npm_errors.splitlines()]
    fetch_errors = [line for line in lines if line.startswith("FetchError")]
    return (fetch_errors or [line for line in lines if line] or ["npm said nothing"])[0]


def node_client_answers(module: Path, scenario: str) -> dict[str, Any]:
    """Run a scenario of node_client.js against the sandbox the `sandbox` fixture serves."""
    when = later(days=3)
    day = when.split()[0]
    environment = {
        **os.environ,
        "CLEVERTAP_MODULE": str(module),
        "SANDBOX_API": f"{settings.SANDBOX_BASE_URL}/1",
        "CLEVERTAP_ACCOUNT_ID": settings.SANDBOX_ACCOUNT_ID,
        "CLEVERTAP_PASSCODE": settings.SANDBOX_PASSCODE,
        "LATER": when,
        "LIST_FROM": day,
        "LIST_TO": day,
        "IDENTITY": "android-0",  # one of the users the `sandbox` fixture seeds
    }
    done = subprocess.run(
        ["node", str(SCRIPT), scenario],
        env=environment,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def is_campaign_id(value: Any) -> bool:
    """A positive integer of 10 digits (the Stop Campaign page: "a 10-digit epoch-based
    identifier")."""
    return isinstance(value, int) and not isinstance(value, bool) and 10**9 <= value < 10**10


def listed(answer: dict[str, Any], campaign_id: Any) -> dict[str, Any] | None:
    """A campaign's entry in a list answer: the fields CleverTap's QA suite asserts."""
    for target in answer.get("targets") or []:
        if target.get("id") == campaign_id:
            return {key: target.get(key) for key in ("id", "name", "status")}
    return None


def disagreements(checks: dict[str, tuple[Any, Any]], answers: dict[str, Any]) -> str:
    """Each call whose answer is not what CleverTap documents, in words (all of them at once)."""
    return "\n".join(
        f"{call}: expected {documented!r}, got {seen!r} from the answer {answers[call]!r}"
        for call, (documented, seen) in checks.items()
        if seen != documented
    )


def test_the_official_node_client_gets_clevertaps_documented_answers(
    sandbox, client_module, monkeypatch
):
    # A campaign sent "now" completes at once, so that its report can be asked for.
    monkeypatch.setattr(services, "CAMPAIGN_RUN_SECONDS", 0)
    answers = node_client_answers(client_module, "lifecycle")
    push_reach = {"android": sandbox_records.ANDROID_USERS, "ios": sandbox_records.IOS_USERS}
    created = answers["create"].get("id")
    not_completed = answers["result_before_completion"]
    report = answers["result_completed"]

    # Each call: what CleverTap documents, and the same facts read from the client's answer.
    checks = {
        "estimate": ({"status": "success", "estimates": push_reach}, answers["estimate"]),
        "create": (
            ({"status": "success", "id": created, "estimates": push_reach}, True),
            (answers["create"], is_campaign_id(created)),
        ),
        "list": (
            ("success", {"id": created, "name": PUSH_NAME, "status": "pending"}),
            (answers["list"].get("status"), listed(answers["list"], created)),
        ),
        "result_before_completion": (
            ("fail", True),
            (not_completed.get("status"), str(not_completed.get("error")).startswith(NOT_DONE)),
        ),
        "stop": (SUCCESS, answers["stop"]),
        "stop_again": (SUCCESS, answers["stop_again"]),
        "list_after_stop": (
            ("success", {"id": created, "name": PUSH_NAME, "status": "stopped"}),
            (answers["list_after_stop"].get("status"), listed(answers["list_after_stop"], created)),
        ),
        # The documented sample: {"status": "success", "result": {"clicked": 28, "sent": 82}}.
        "result_completed": (
            ("success", True),
            (
                report.get("status"),
                all(isinstance(report.get("result", {}).get(key), int) for key in REPORTED),
            ),
        ),
        "send_by_identity": (QUEUED, answers["send_by_identity"]),
        # Code 73 is in the send page's error table; create takes the same key.
        "invalid_body": (
            {
                "status": "fail",
                "error": campaign_forms.RESPECT_FREQUENCY_CAPS_NOT_BOOLEAN,
                "code": 73,
            },
            answers["invalid_body"],
        ),
        "wrong_passcode": (
            {"status": "fail", "error": api.ERROR_INVALID_CREDENTIALS, "code": 401},
            answers["wrong_passcode"],
        ),
    }
    problems = disagreements(checks, answers)
    assert not problems, problems


def test_the_node_clients_own_example_without_target_mode_is_a_push(sandbox, client_module):
    answers = node_client_answers(client_module, "example")
    created = answers["create"]

    # Treated as push: reached on push's devices. (An email body without target_mode is refused
    # with push's "Field title is empty", CleverTap's QA suite observed.)
    checks = {
        "estimate": (
            ("success", ["android", "ios"]),
            (answers["estimate"].get("status"), sorted(answers["estimate"].get("estimates") or {})),
        ),
        "create": (
            ("success", True, ["android", "ios"]),
            (
                created.get("status"),
                is_campaign_id(created.get("id")),
                sorted(created.get("estimates") or {}),
            ),
        ),
    }
    # The client sent its example as it ships it: without target_mode.
    example_body = sandbox_records.creates_received()[-1].body
    assert example_body["name"] == "green freedom" and "target_mode" not in example_body
    # Its deep link "judepereira.com" has no scheme: CleverTap takes it, the composer warns.
    problems = disagreements(checks, answers)
    assert not problems, problems
