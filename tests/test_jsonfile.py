"""The lenient reading of what a person pastes or uploads: JSON5 when it is not JSON, what was
forgiven said in words, and text that is neither refused with its place marked. (The reader's
limits on any JSON are tested in tests/test_hostile_input.py.)"""

import json

import json5
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import jsonfile


def lenient(text: str) -> jsonfile.Reading:
    return jsonfile.read_json_text(text, name="This", storable=True, lenient=True)


def refused(text: str) -> jsonfile.Unreadable:
    with pytest.raises(jsonfile.Unreadable) as raised:
        lenient(text)
    return raised.value


def changes(notice: str) -> str:
    prefix, suffix = jsonfile.LENIENT_NOTICE.split("{changes}")
    assert notice.startswith(prefix) and notice.endswith(suffix)
    return notice[len(prefix) : -len(suffix)]


def test_json_is_read_as_json_without_a_notice():
    assert lenient('{"a": [1, "//", "/* */", "it\'s"]}') == jsonfile.Reading(
        {"a": [1, "//", "/* */", "it's"]}
    )


def test_it_says_what_it_forgave_and_how_many_of_each():
    text = (
        "// a comment\n"
        '{name: \'n\', /* two */ "x": [1, 2,], "y": +1, "z": 0x1F, "w": "\\x41",\n'
        '"v": "a\tb",\xa0"u": .5,}\''
    )
    reading = lenient(text)
    assert reading.document == {
        "name": "n",
        "x": [1, 2],
        "y": 1,
        "z": 31,
        "w": "A",
        "v": "a\tb",
        "u": 0.5,
    }
    assert changes(reading.notice) == (
        "2 comments, 2 trailing commas and the stray ' after the last brace were removed; "
        "1 key without quotes and 1 text in single quotes were put in double quotes; "
        "3 numbers JSON does not have (like 0x1F, +1 or .5), 1 escape JSON does not have "
        "(like \\x41 or \\') and 1 control character (like a tab) inside a text were written "
        "as JSON; 1 space JSON does not have (like a non-breaking space) was read as plain spaces"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"a": 1} // end', "1 comment was removed"),
        ('{"a": 1,}', "1 trailing comma was removed"),
        ("[1]'", "the stray ' after the last brace was removed"),
        ('{"a": 1}\n\'\n', "the stray ' after the last brace was removed"),
    ],
)
def test_one_thing_forgiven_is_said_in_the_singular(text, said):
    assert changes(lenient(text).notice) == said


@pytest.mark.parametrize(
    ("text", "line", "column", "problem"),
    [
        ('{"a": 1', 1, 8, jsonfile.ENDS_EARLY),
        (
            '{\n  "a": 1,\n  "b": [1,,2]\n}',
            3,
            11,
            jsonfile.CANNOT_STAND_HERE.format(character="“,”"),
        ),
        ('{"a": "x\n"}', 1, 9, jsonfile.TEXT_NOT_CLOSED),
        (
            '{"a":\u200b1}',
            1,
            6,
            jsonfile.CANNOT_STAND_HERE.format(
                character=jsonfile.INVISIBLE_CHARACTER.format(code=0x200B)
            ),
        ),
        ('{"a": 1}}', 1, 9, jsonfile.MORE_AFTER_END),
        ('{"a": 1}\n{"b": 2}', 2, 1, jsonfile.MORE_AFTER_END),
        ("'{\"a\": 1}'", 1, 1, None),
    ],
)
def test_text_neither_json_nor_json5_is_refused_in_words_at_its_place(text, line, column, problem):
    error = refused(text) if problem else None
    if problem is None:
        # A string is JSON5: what the import says of it is that it is not an object.
        assert lenient(text).document == '{"a": 1}'
        return
    assert str(error) == jsonfile.UNREADABLE.format(
        name="This", line=line, column=column, problem=problem
    )
    assert (error.excerpt.line, error.excerpt.column) == (line, column)


def test_the_excerpt_marks_the_column_under_the_line_and_shows_the_lines_before():
    text = '{\n\t"a": 1,\n\t"b": 2\n\t"c": 3\n}'
    excerpt = refused(text).excerpt
    assert str(excerpt) == ('2 |     "a": 1,\n3 |     "b": 2\n4 |     "c": 3\n  |     ^')
    assert (excerpt.line, excerpt.column) == (4, 2)


def test_the_excerpt_cuts_a_long_line_around_its_column():
    body = "{" + ", ".join(f'"k{n}": {n}' for n in range(60)) + ', "bad" 1}'
    excerpt = refused(body).excerpt
    position = body.index('" 1}') + 2
    assert excerpt.column == position + 1
    marked = excerpt.marked.removeprefix("1 | ")
    caret = excerpt.caret.removeprefix("  | ")
    assert marked.startswith("…") and len(marked) <= jsonfile.EXCERPT_WIDTH + 2
    assert marked[caret.index("^")] == "1"


def test_lenient_reading_keeps_the_readers_limits():
    assert jsonfile.MAX_DEPTH < 40
    deep = "[" * 40 + "]" * 40
    with pytest.raises(jsonfile.JsonFileError, match="nested too deeply"):
        lenient(deep)
    with pytest.raises(jsonfile.JsonFileError) as nan:
        lenient("[NaN, 1,]")
    assert str(nan.value) == jsonfile.NOT_JSON.format(
        name="This", error=jsonfile.NOT_A_NUMBER.format(constant="NaN")
    )
    with pytest.raises(jsonfile.JsonFileError, match="too large to store"):
        lenient("[1e999,]")
    with pytest.raises(jsonfile.JsonFileError, match="NUL character"):
        lenient("['\\u0000']")
    with pytest.raises(jsonfile.JsonFileError, match="half of a character"):
        lenient("['\\ud800']")
    digits = "9" * (jsonfile.MAX_DIGITS + 1)
    with pytest.raises(jsonfile.JsonFileError, match="digits"):
        lenient(f"[{digits},]")
    assert lenient("[0xFF,]").document == [255]


def test_brackets_in_comments_and_single_quotes_do_not_count_as_depth():
    many = "[" * 100
    assert lenient(f"// {many}\n['{many}', /* {many} */ 1]").document == [many, 1]


def test_deep_text_is_refused_before_either_parser_sees_it(monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("a parser saw it")

    monkeypatch.setattr(json, "loads", parse)
    monkeypatch.setattr(json5, "parse", parse)
    for text in ("[" * 33 + "]" * 33, "{a: " * 33 + "1" + "}" * 33, "'x' " + "[" * 40):
        with pytest.raises(jsonfile.JsonFileError, match="nested too deeply"):
            lenient(text)


def test_text_too_large_for_the_json5_parser_is_read_as_json_only(monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("the JSON5 parser saw it")

    monkeypatch.setattr(json5, "parse", parse)
    padding = " " * jsonfile.MAX_LENIENT_BYTES
    assert lenient('{"a": 1}' + padding).document == {"a": 1}
    error = refused('{"a": 1,}' + padding)
    limit = jsonfile.MAX_LENIENT_BYTES // 1024
    problem = jsonfile.CANNOT_STAND_HERE.format(character="“,”")
    assert str(error) == jsonfile.UNREADABLE_STRICT.format(
        name="This", line=1, column=8, problem=problem, limit=limit
    )


def test_the_strict_readers_stay_strict():
    with pytest.raises(jsonfile.NotJson, match="is not valid JSON"):
        jsonfile.load_json_text('{"a": 1,}')
    assert jsonfile.read_json_text('{"a": 1}') == jsonfile.Reading({"a": 1})


def test_an_upload_is_read_leniently_too():
    reading = jsonfile.read_json_bytes(
        "\ufeff{'a': 1}".encode(), name="The file", storable=True, lenient=True
    )
    assert reading.document == {"a": 1}
    assert changes(reading.notice) == "1 text in single quotes was put in double quotes"


JSON5_PIECES = [
    "{", "}", "[", "]", ":", ",", '"a"', "'b'", "c", "1", "+1", ".5", "0x1F", "true", "null",
    "//x\n", "/*y*/", " ", "\n", "\xa0", '"\\x41"', '"\t"', "'",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(st.sampled_from(JSON5_PIECES), max_size=14))
def test_any_text_is_read_or_refused_in_words_and_what_was_forgiven_is_named(pieces):
    text = "".join(pieces)
    try:
        reading = jsonfile.read_json_text(text, name="This", storable=True, lenient=True)
    except jsonfile.JsonFileError as error:
        assert str(error).strip()
        return
    try:
        json.loads(text)
    except ValueError:
        assert changes(reading.notice)
    else:
        assert reading.notice is None
