"""Rows added and removed in the posted composer data, before binding: the "add row" and
"remove row" buttons and the rows' DELETE checkboxes (`apply_row_actions`)."""

import re

from django.http import QueryDict

ADD_ROW = "add_row"
REMOVE_ROW = "remove_row"
_DELETE_KEY = re.compile(r"^(?P<formset>.+)-(?P<index>\d+)-DELETE$")


def apply_row_actions(data: QueryDict) -> tuple[str, str] | None:
    """Apply "add row", "remove row" and DELETE checkboxes to `data` (mutable), in place.

    A removed row is taken out and the rows after it renumbered, so the page shows one row less;
    a DELETE checkbox does the same. Returns the action of the request's button, if any.
    """
    action = None
    removed = data.pop(REMOVE_ROW, [])
    for row_prefix in removed[:1]:
        match = re.fullmatch(r"(?P<formset>.+)-(?P<index>\d+)", row_prefix)
        if match:
            data[f"{row_prefix}-DELETE"] = "on"
            action = ("remove", match["formset"])
    _compact_deleted_rows(data)
    added = data.pop(ADD_ROW, [])
    for formset_prefix in added[:1]:
        if formset_prefix and len(formset_prefix) <= 500:
            data[f"{formset_prefix}-TOTAL_FORMS"] = str(_total(data, formset_prefix) + 1)
            action = ("add", formset_prefix)
    return action


def _total(data: QueryDict, formset_prefix: str) -> int:
    try:
        return max(0, min(int(data.get(f"{formset_prefix}-TOTAL_FORMS", 0)), 10_000))
    except (TypeError, ValueError):
        return 0


def _checked(value: str) -> bool:
    # As Django's CheckboxInput reads it, which is what decides whether a row is kept.
    return {"true": True, "false": False}.get(value.lower(), bool(value))


def _compact_deleted_rows(data: QueryDict) -> None:
    for _ in range(1000):
        deleted = [key for key in data if _DELETE_KEY.match(key) and _checked(data.get(key) or "")]
        if not deleted:
            return
        # Innermost rows first: removing an outer row renumbers the rows inside the later ones.
        key = max(deleted, key=lambda k: (k.count("-"), k))
        match = _DELETE_KEY.match(key)
        data.pop(key)
        formset, index = match["formset"], int(match["index"])
        total = _total(data, formset)
        if index < total:
            _remove_row(data, formset, index, total)


def _remove_row(data: QueryDict, formset: str, index: int, total: int) -> None:
    lists = {key: data.getlist(key) for key in data}
    renamed: dict[str, list[str]] = {}
    for key, values in lists.items():
        position = _row_position(key, formset)
        if position is None:
            renamed[key] = values
        elif position > index:
            renamed[f"{formset}-{position - 1}-" + key[len(f"{formset}-{position}-") :]] = values
        elif position < index:
            renamed[key] = values
    data.clear()
    for key, values in renamed.items():
        data.setlist(key, values)
    data[f"{formset}-TOTAL_FORMS"] = str(total - 1)


def _row_position(key: str, formset: str) -> int | None:
    if not key.startswith(formset + "-"):
        return None
    head, _, rest = key[len(formset) + 1 :].partition("-")
    return int(head) if head.isdigit() and rest else None
