"""Identity lists stored once: a send draft's `to`, kept in its own row by content hash.

A send draft's `to` can hold a million identities. Stored in the body, it was written again by
every autosave and copied into every revision. Instead the body a draft stores (`stored_body`)
holds a marker in its place, `"to": {"identity_list": "<sha256>"}`, and the draft points at the
`IdentityList` row of that hash; the same list saved again (an autosave, a revision, another
draft) finds its row and writes nothing. `body` is still the whole request body, list included:
what is sent, exported, estimated and hashed for approval is unchanged.
"""

import hashlib
import json

from django.db import IntegrityError, models, transaction

MARKER = "identity_list"


class IdentityList(models.Model):
    """One `to` object, as compact JSON, under the sha256 of that JSON."""

    sha256 = models.CharField(max_length=64, unique=True)
    # json.dumps(to, separators=(",", ":"), ensure_ascii=False): the text the hash is taken of.
    identities = models.TextField()
    total = models.PositiveIntegerField()
    # Identities per type, in the list's order ({"Email": 3, "Identity": 2}).
    counts = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.total:,} identities ({self.sha256[:12]})"

    @property
    def to(self) -> dict[str, list[str]]:
        loaded = self.__dict__.get("_to")
        if loaded is None:
            loaded = self.__dict__["_to"] = json.loads(self.identities)
        return loaded


def listable(to: object) -> bool:
    """Whether `to` is a list object the table holds: identity types with lists of strings."""
    return (
        isinstance(to, dict)
        and bool(to)
        and all(
            isinstance(values, list) and all(isinstance(value, str) for value in values)
            for values in to.values()
        )
    )


def compact(to: dict[str, list[str]]) -> str:
    return json.dumps(to, separators=(",", ":"), ensure_ascii=False)


def content_hash(to: dict[str, list[str]]) -> str:
    return hashlib.sha256(compact(to).encode()).hexdigest()


def identity_list_store(to: dict[str, list[str]]) -> IdentityList:
    """The row holding `to`, written only when no row holds it yet.

    The lookup reads the hash and counts alone: a million identities are not read back to save
    a draft that already points at them.
    """
    text = compact(to)
    digest = hashlib.sha256(text.encode()).hexdigest()
    fields = ("pk", "sha256", "total", "counts", "created_at")
    found = IdentityList.objects.filter(sha256=digest).only(*fields).first()
    if found is None:
        try:
            with transaction.atomic():
                found = IdentityList.objects.create(
                    sha256=digest,
                    identities=text,
                    total=sum(map(len, to.values())),
                    counts={kind: len(values) for kind, values in to.items()},
                )
        except IntegrityError:
            # Stored in between by another save of the same list.
            found = IdentityList.objects.filter(sha256=digest).only(*fields).get()
    found.__dict__["_to"] = to
    return found


def stored(body: object) -> tuple[object, IdentityList | None]:
    """The body to store for `body` and the identity list it points at (None: nothing moved)."""
    to = body.get("to") if isinstance(body, dict) else None
    if not listable(to):
        return body, None
    listed = identity_list_store(to)
    return {**body, "to": {MARKER: listed.sha256}}, listed


def marker_hash(to: object) -> str | None:
    """The hash a stored body's `to` marker names, or None when `to` is no marker."""
    if isinstance(to, dict) and len(to) == 1 and isinstance(to.get(MARKER), str):
        return to[MARKER]
    return None


def joined(stored_body: object, listed: IdentityList | None) -> object:
    """The whole body a stored body stands for: its marker replaced by the list it names."""
    if listed is None or not isinstance(stored_body, dict):
        return stored_body
    if marker_hash(stored_body.get("to")) != listed.sha256:
        return stored_body
    return {**stored_body, "to": listed.to}


class ListedBody(models.Model):
    """A stored request body whose identity list lives in IdentityList (see the module).

    Assigning `body` keeps the whole body until the row is saved, when the list moves out; a
    body changed in place is saved as it now is. `bulk_create` and `update` store what they are
    given: a whole body stays whole (and reads back whole), it is only stored less compactly.
    """

    stored_body = models.JSONField(default=dict, blank=True, db_column="body")
    identity_list = models.ForeignKey(
        IdentityList, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if "_body" in self.__dict__ and (fields is None or "stored_body" in fields):
            self.stored_body, self.identity_list = stored(self.__dict__["_body"])
            if fields is not None:
                kwargs["update_fields"] = {*fields, "identity_list"}
        super().save(*args, **kwargs)

    @property
    def body(self) -> dict:
        whole = self.__dict__.get("_body")
        if whole is None:
            whole = self.__dict__["_body"] = joined(self.stored_body, self.identity_list)
        return whole

    @body.setter
    def body(self, value: dict) -> None:
        self.stored_body = value
        self.identity_list = None
        self.__dict__["_body"] = value

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("_body", None)
        super().refresh_from_db(*args, **kwargs)
