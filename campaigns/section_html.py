"""A composer section's fields drawn once per content: a page load takes each section's drawn
form (`campaigns/_payload_form.html`) from Django's cache when everything the drawing reads is as
it was, and never binds that section's form.

The drawing reads the section's posted data, its form, the account's options as the forms receive
them, the account's minute (errors of dates past) and the code: the key of the section's built
JSON and errors (`section_cache`) holds all of those. Beside them it reads the draft (its URLs),
whether the person may edit it (the identity list's buttons), the length counters under the
fields (the preview of the page's body, for the person previewed as) and the reviewers' comments
on the fields: a section with an open comment on one of its fields is drawn every time, and the
others key the rest. A section that reads the database (a stored identity list) is drawn every
time, as its built JSON is made every time.
"""

import hashlib
import json

from django.core.cache import caches
from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from campaigns import section_cache

TEMPLATE = "campaigns/_payload_form.html"
KEY_PREFIX = "composer-section-html"


class KeptForms:
    """The page's keys of its sections' drawn forms, and what the cache held for them (read in
    one go); a drawing missing is kept once drawn."""

    def __init__(self, keys: dict[str, str]) -> None:
        self.keys = keys
        cache = caches[section_cache.CACHE_ALIAS]
        self.found: dict[str, str] = cache.get_many(keys.values()) if keys else {}

    def html(self, prefix: str) -> SafeString | None:
        html = self.found.get(self.keys.get(prefix, ""))
        return None if html is None else mark_safe(html)

    def keep(self, prefix: str, html: str) -> None:
        key = self.keys.get(prefix)
        if key is not None:
            cache = caches[section_cache.CACHE_ALIAS]
            cache.set(key, str(html), section_cache.TIMEOUT_SECONDS)


def kept_forms(state, *, can_edit: bool, counters: dict | None, comments) -> KeptForms:
    """The keys of the sections of `state` (a `composer.Composer` loaded from the draft) that
    may be drawn from the cache; `comments` are the page's `ComposerComments`."""
    around = repr((state.campaign.pk, bool(can_edit), counters))
    keys = {}
    for section in state.sections:
        # The key of its built JSON and errors: none for a section that reads the database.
        base = state.section_keys.get(section.prefix)
        if base is None or comments.on_fields_of(section.prefix):
            continue
        text = json.dumps([base, around])
        keys[section.prefix] = f"{KEY_PREFIX}:{hashlib.sha256(text.encode()).hexdigest()}"
    return KeptForms(keys)


def section_form(context: Context, section, section_url: str) -> SafeString:
    """The section's form as `_payload_form.html` draws it, from the page's kept drawings
    (`kept_forms` in the context) where there is one."""
    kept: KeptForms | None = context.get("kept_forms")
    html = kept.html(section.prefix) if kept is not None else None
    if html is None:
        with context.push(form=section.form, section_url=section_url):
            html = get_template(TEMPLATE).template.render(context)
        if kept is not None:
            kept.keep(section.prefix, html)
    return mark_safe(html)
