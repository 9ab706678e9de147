"""Reads that run on every request or keystroke, as queries written out once.

The ORM compiles a query anew each time it runs; for the small reads a live preview makes (the
session, the person it names, the draft, the account's options version) the compiling cost three
to four times the query itself. `row` runs the query `model.objects.only(*fields).filter(...)`
would, written once per shape, and converts the values as the ORM does (the database backend's
converters, then the field's `from_db_value`) into a model instance (`Model.from_db`).
"""

import functools
from collections.abc import Sequence

from django.db import connections, models, router
from django.db.models.expressions import Col

OPERATORS = {"": "=", "gt": ">"}


def row(model: type[models.Model], fields: Sequence[str], **lookups) -> models.Model | None:
    """The one `model` row matching `lookups` (each `name=` or `name__gt=`), with `fields` (and
    the primary key) loaded, or None."""
    fields = (model._meta.pk.name, *(name for name in fields if name != model._meta.pk.name))
    sql, params = _query(model, fields, lookups)
    alias = router.db_for_read(model)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    attnames, converters = _conversions(model, fields, alias)
    converted = []
    for value, (expression, convert) in zip(found, converters, strict=True):
        for converter in convert:
            value = converter(value, expression, connection)
        converted.append(value)
    return model.from_db(alias, attnames, converted)


def values(model: type[models.Model], fields: Sequence[str], **lookups) -> tuple | None:
    """The `fields` of the one `model` row matching `lookups`, as the database driver gives them
    (no model instance, no field conversion: for texts and numbers), or None."""
    sql, params = _query(model, fields, lookups)
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _query(model: type[models.Model], fields: Sequence[str], lookups: dict) -> tuple[str, list]:
    alias = router.db_for_read(model)
    sql, compared = _select(model, tuple(fields), tuple(lookups), alias)
    connection = connections[alias]
    params = [
        field.get_db_prep_value(value, connection)
        for field, value in zip(compared, lookups.values(), strict=True)
    ]
    return sql, params


@functools.cache
def _conversions(
    model: type[models.Model], fields: tuple[str, ...], alias: str
) -> tuple[list[str], list[tuple[Col, list]]]:
    """What `row` gives `Model.from_db` (each field's attname) and, for each column, the
    converters the ORM's compiler runs on its value: the backend's, then the field's."""
    connection = connections[alias]
    attnames, converters = [], []
    for name in fields:
        field = model._meta.get_field(name)
        column = field.get_col(model._meta.db_table)
        attnames.append(field.attname)
        convert = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        converters.append((column, convert))
    return attnames, converters


@functools.cache
def _select(
    model: type[models.Model], fields: tuple[str, ...], lookups: tuple[str, ...], alias: str
) -> tuple[str, list[models.Field]]:
    """The SELECT of `row` and `values`, and the fields its parameters are compared with."""
    quote = connections[alias].ops.quote_name
    meta = model._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    conditions, compared = [], []
    for lookup in lookups:
        name, _, operator = lookup.partition("__")
        field = meta.get_field(name)
        conditions.append(f"{quote(field.column)} {OPERATORS[operator]} %s")
        compared.append(field)
    where = " AND ".join(conditions)
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where}", compared
