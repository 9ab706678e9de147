"""Reads that run on every request or keystroke, as queries written out once.

The ORM compiles a query anew each time it runs; for the small reads a live preview makes (the
session, the person it names, the draft, the account's options version) the compiling cost three
to four times the query itself. `row` runs the query `model.objects.only(*fields).filter(...)`
would, as a raw query set written once per shape: the values come back converted by the model's
fields as usual.
"""

import functools
from collections.abc import Sequence

from django.db import connections, models, router

OPERATORS = {"": "=", "gt": ">"}


def row(model: type[models.Model], fields: Sequence[str], **lookups) -> models.Model | None:
    """The one `model` row matching `lookups` (each `name=` or `name__gt=`), with `fields` (and
    the primary key) loaded, or None."""
    alias = router.db_for_read(model)
    sql, compared = _select(model, tuple(fields), tuple(lookups), alias)
    connection = connections[alias]
    params = [
        field.get_db_prep_value(value, connection)
        for field, value in zip(compared, lookups.values(), strict=True)
    ]
    found = list(model.objects.raw(sql, params))
    return found[0] if found else None


@functools.cache
def _select(
    model: type[models.Model], fields: tuple[str, ...], lookups: tuple[str, ...], alias: str
) -> tuple[str, list[models.Field]]:
    """The SELECT for `row`, and the fields its parameters are compared with, in order."""
    quote = connections[alias].ops.quote_name
    meta = model._meta
    names = dict.fromkeys([meta.pk.name, *fields])
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    conditions, compared = [], []
    for lookup in lookups:
        name, _, operator = lookup.partition("__")
        field = meta.get_field(name)
        conditions.append(f"{quote(field.column)} {OPERATORS[operator]} %s")
        compared.append(field)
    where = " AND ".join(conditions)
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where}", compared
