"""The composer's sections built once per content: a keystroke changes one section, and the
others reuse the JSON, errors and warnings their forms gave for the same posted data.

A section's result (`payloads.Built`) depends on nothing but what its key holds: the section's
posted data (every key under its prefix, in its posted order of values), its form (the API family
and channel choose it), the account's options as the forms receive them
(`payloads.draft_options`), the account's current minute (dates in the past are errors) and the
code. A section that reads the database (a stored identity list: `PayloadForm.reads_only_posted`)
is built every time. Results are kept in Django's cache (`CACHE_ALIAS`, local memory unless
settings say otherwise), so several app servers may share them.
"""

import dataclasses
import functools
import hashlib
import json
from pathlib import Path

from django.core.cache import caches
from django.http import QueryDict

from campaigns import payloads
from campaigns.forms import schedule as schedule_forms
from campaigns.forms.base import PayloadForm
from campaigns.forms.options import AccountOptions

CACHE_ALIAS = "default"
# Long enough for a person pausing over a draft; the minute in the key retires entries anyway.
TIMEOUT_SECONDS = 15 * 60
KEY_PREFIX = "composer-section"
PARSED_KEY_PREFIX = "composer-parsed-body"
# Options the forms never read (the page's "Insert personalization" list, loaded lazily).
NOT_READ_BY_FORMS = frozenset({"profile_properties"})


def built_sections(
    forms: payloads.BoundForms,
    data: QueryDict,
    *,
    api: str,
    channel: str,
    options: AccountOptions | None,
    keys: dict[str, str] | None = None,
) -> dict[str, payloads.Built]:
    """Each section's result (`payloads.built`), from the cache where its key was built before
    (its form is then never bound); `forms` are `payloads.BoundForms(data, api=api,
    channel=channel, options=options)`. `keys`: `section_keys` of the same, if made already."""
    if keys is None:
        keys = section_keys(forms, data, api=api, channel=channel, options=options)
    cache = caches[CACHE_ALIAS]
    found = cache.get_many(keys.values()) if keys else {}
    results: dict[str, payloads.Built] = {}
    fresh: dict[str, payloads.Built] = {}
    for prefix in forms:
        key = keys.get(prefix)
        if key in found:
            results[prefix] = found[key]
            continue
        results[prefix] = payloads.built(forms[prefix])
        if key is not None:
            fresh[key] = results[prefix]
    if fresh:
        cache.set_many(fresh, TIMEOUT_SECONDS)
    return results


def section_keys(
    forms: payloads.BoundForms,
    data: QueryDict,
    *,
    api: str,
    channel: str,
    options: AccountOptions | None,
) -> dict[str, str]:
    """The key of each section's result, for the sections made from their posted data alone."""
    # What every key holds, hashed once (one line: a repr holds no newline); each section's key
    # goes on from a copy.
    common = hashlib.sha256(f"{_common_key(api, channel, options)}\n".encode())
    classes = forms.classes
    kept = [prefix for prefix, form in classes.items() if form.reads_only_posted(data, prefix)]
    posted = _posted_by_section(data, kept)
    return {
        prefix: _section_key(common, prefix, classes[prefix], posted[prefix]) for prefix in kept
    }


def parsed_body(body: dict, *, api: str, channel: str) -> payloads.ParsedBody:
    """`payloads.parse_body`, kept by what it depends on: the body as stored (its keys in their
    order), the API family and channel, the account's minute (as the sections' results) and the
    code. A page load of a draft reads its parsed form data from here after the first."""
    minute = schedule_forms.account_now().isoformat()
    text = json.dumps([_code_version(), api, channel, minute, body])
    key = f"{PARSED_KEY_PREFIX}:{hashlib.sha256(text.encode()).hexdigest()}"
    cache = caches[CACHE_ALIAS]
    parsed = cache.get(key)
    if parsed is None:
        parsed = payloads.parse_body(body, api=api, channel=channel)
        cache.set(key, parsed, TIMEOUT_SECONDS)
    return parsed


def _common_key(api: str, channel: str, options: AccountOptions | None) -> str:
    """What every section's result depends on beside its own data."""
    if options is not None:
        options = payloads.draft_options(options, api=api, channel=channel)
        read = tuple(
            (item.name, getattr(options, item.name))
            for item in dataclasses.fields(options)
            if item.name not in NOT_READ_BY_FORMS
        )
    else:
        read = None
    minute = schedule_forms.account_now().isoformat()
    return repr((_code_version(), api, channel, minute, read))


def _posted_by_section(data: QueryDict, prefixes: list[str]) -> dict[str, list]:
    """Each section's posted (key, values) pairs, sorted: every key under its prefix, found in one
    pass over the posted data (section prefixes hold no "-")."""
    posted: dict[str, list] = {prefix: [] for prefix in prefixes}
    for key, values in data.lists():
        head, dash, _ = key.partition("-")
        if dash and head in posted:
            posted[head].append((key, values))
    return {prefix: sorted(pairs) for prefix, pairs in posted.items()}


def _section_key(common, prefix: str, form: type[PayloadForm], posted: list) -> str:
    """The key of one section's result: `common`, the hash of what every key holds, goes on with
    the section's prefix, form and posted data."""
    if "-" in prefix:
        raise ValueError(f"A section prefix holds no '-': {prefix!r}")
    digest = common.copy()
    digest.update(json.dumps([prefix, form.__module__, form.__qualname__, posted]).encode())
    return f"{KEY_PREFIX}:{digest.hexdigest()}"


@functools.cache
def _code_version() -> str:
    """A digest of the app's code: a deploy that changes a form never reads results kept by the
    code before it (a cache shared between app servers outlives their processes)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
