"""Side-by-side JSON diffs (campaigns/diffs.py)."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import diffs


def sides(diff: diffs.Diff) -> tuple[str, str]:
    """Each side's lines put back together, without the rows the side does not have."""
    left = "\n".join(row.left.padded for row in diff.rows if row.left)
    right = "\n".join(row.right.padded for row in diff.rows if row.right)
    return left, right


def test_identical_values_have_only_unchanged_rows():
    body = {"name": "A", "devices": ["android"], "content": {"title": "x"}}

    diff = diffs.json_diff(body, body)

    assert diff.identical
    assert {row.kind for row in diff.rows} == {diffs.SAME}
    assert sides(diff) == (json.dumps(body, indent=2),) * 2


def test_changed_added_and_removed_keys_are_marked_at_their_paths():
    before = {"name": "A", "content": {"title": "x", "body": "b"}, "old": 1}
    after = {"name": "B", "content": {"title": "x", "body": "b", "subtitle": "s"}}

    diff = diffs.json_diff(before, after)

    assert diff.changed_paths == ["name", "content.subtitle", "old"]
    kinds = {row.path: row.kind for row in diff.rows if row.changed}
    assert kinds == {"name": diffs.CHANGED, "content.subtitle": diffs.ADDED, "old": diffs.REMOVED}
    name = next(row for row in diff.rows if row.path == "name")
    assert (name.left.text, name.right.text) == ('"name": "A",', '"name": "B",')


def test_an_item_added_to_a_list_is_one_added_row():
    diff = diffs.json_diff({"devices": ["android", "ios"]}, {"devices": ["web", "android", "ios"]})

    assert diff.changed_paths == ["devices[0]"]
    assert [row.kind for row in diff.rows if row.path.startswith("devices[")] == [
        diffs.ADDED,
        diffs.SAME,
        diffs.SAME,
    ]


def test_a_key_that_moved_is_not_a_change():
    diff = diffs.json_diff({"a": 1, "b": 2}, {"b": 2, "a": 1})

    assert diff.identical


def test_a_value_that_changed_type_is_shown_whole_on_both_sides():
    diff = diffs.json_diff({"when": {"type": "now"}}, {"when": "now"})

    assert diff.changed_paths == ["when"]
    rows = [row for row in diff.rows if row.path.startswith("when")]
    assert [(row.left and row.left.text, row.right and row.right.text) for row in rows] == [
        ('"when": {', '"when": "now"'),
        ('"type": "now"', None),
        ("}", None),
    ]


def test_numbers_equal_as_json_are_equal_but_true_is_not_one():
    assert diffs.json_diff({"a": 1}, {"a": 1.0}).identical
    assert not diffs.json_diff({"a": 1}, {"a": True}).identical


def test_nothing_before_shows_every_key_as_added():
    diff = diffs.json_diff({}, {"name": "A", "where": {}})

    assert diff.changed_paths == ["name", "where"]
    assert diff.count(diffs.ADDED) == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(json_values, json_values)
def test_each_side_reads_back_as_its_own_json(before, after):
    diff = diffs.json_diff(before, after)

    left, right = sides(diff)
    assert json.loads(left) == before
    assert json.loads(right) == after
    assert diff.identical == (
        json.dumps(before, sort_keys=True) == json.dumps(after, sort_keys=True)
    )
