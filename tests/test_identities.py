import pytest

from campaigns import identities


def test_pasted_emails_split_on_lines_commas_and_spaces():
    parsed = identities.parse_text("a@x.com, b@x.com c@x.com\n\n d@x.com \r\ne@x.com", "Email")
    assert parsed.to == {"Email": ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"]}
    assert parsed.malformed == [] and parsed.duplicates == {}


def test_a_pasted_identity_may_contain_spaces_and_splits_on_lines_and_commas_only():
    parsed = identities.parse_text("John Doe\n  Jane Roe , Max\n", "Identity")
    assert parsed.to == {"Identity": ["John Doe", "Jane Roe", "Max"]}


def test_duplicates_are_removed_in_first_seen_order_and_counted():
    parsed = identities.parse_text("b@x.com\na@x.com\nb@x.com\nb@x.com", "Email")
    assert parsed.to == {"Email": ["b@x.com", "a@x.com"]}
    assert parsed.duplicates == {"Email": 2}
    assert parsed.duplicate_count == 2 and parsed.count == 2


@pytest.mark.parametrize(
    "kind, text, line, reason",
    [
        ("Email", "a@x.com\nnot-an-email", 2, identities.NOT_AN_EMAIL),
        ("Email", "a@@x.com", 1, identities.NOT_AN_EMAIL),
        ("FBID", "123\n\n12a4", 3, identities.NOT_DIGITS),
        ("GPID", "1928288389299292\n-5", 2, identities.NOT_DIGITS),
    ],
)
def test_malformed_entries_are_listed_with_type_and_line_and_left_out(kind, text, line, reason):
    parsed = identities.parse_text(text, kind)
    [malformed] = parsed.malformed
    assert (malformed.type, malformed.line, malformed.reason) == (kind, line, reason)
    assert malformed.value not in parsed.to.get(kind, [])
    assert malformed.message == identities.MALFORMED_ENTRY.format(
        type=kind, line=line, value=malformed.value, reason=reason
    )


def test_empty_is_malformed_for_every_type():
    assert all(
        identities.problem(kind, "") == identities.EMPTY for kind in identities.IDENTITY_TYPES
    )


def test_an_unknown_type_is_refused():
    with pytest.raises(ValueError, match="not an identity type"):
        identities.parse_text("x", "Phone")


def test_csv_with_a_column_per_type_reads_each_column_as_its_type():
    data = (
        "\ufeffemail,Identity,OBJECTID,fbid,gpid,phone\r\n"
        "a@x.com,John Doe,_abc,102,1928\r\n"
        "b@x.com,,,,,+4912\r\n"
        "a@x.com,Max,,1x2,\r\n"
    ).encode()
    parsed = identities.parse_csv(data)
    assert parsed.to == {
        "Email": ["a@x.com", "b@x.com"],
        "Identity": ["John Doe", "Max"],
        "objectId": ["_abc"],
        "FBID": ["102"],
        "GPID": ["1928"],
    }
    assert parsed.duplicates == {"Email": 1}
    assert [(m.type, m.line, m.value) for m in parsed.malformed] == [("FBID", 4, "1x2")]
    assert parsed.unknown_columns == ["phone"]


def test_csv_with_one_column_and_no_header_is_the_default_type():
    parsed = identities.parse_csv(b"John\nJane Roe\n\nJohn\n", default_type="Identity")
    assert parsed.to == {"Identity": ["John", "Jane Roe"]}
    assert parsed.duplicates == {"Identity": 1}


def test_csv_with_one_named_column_uses_its_header():
    parsed = identities.parse_csv("Email\nuser@example.com\nbad\n")
    assert parsed.to == {"Email": ["user@example.com"]}
    assert [(m.line, m.value) for m in parsed.malformed] == [(3, "bad")]


def test_csv_line_numbers_count_the_header_as_line_1():
    parsed = identities.parse_csv(b"FBID\n1\n2\nx\n")
    assert parsed.malformed[0].line == 4


def test_an_empty_csv_reads_as_nothing():
    parsed = identities.parse_csv(b"")
    assert parsed.to == {} and parsed.count == 0


def test_batches_hold_at_most_1000_identities_counted_across_all_types():
    to = {
        "Email": [f"u{i}@x.com" for i in range(1500)],
        "Identity": [f"id{i}" for i in range(700)],
        "FBID": [str(i) for i in range(300)],
    }
    batches = list(identities.identity_batches(to))
    assert [identities.count(batch) for batch in batches] == [1000, 1000, 500]
    assert batches[0] == {"Email": to["Email"][:1000]}
    assert batches[1] == {"Email": to["Email"][1000:], "Identity": to["Identity"][:500]}
    assert batches[2] == {"Identity": to["Identity"][500:], "FBID": to["FBID"]}
    rejoined: dict[str, list[str]] = {}
    for batch in batches:
        for kind, values in batch.items():
            rejoined.setdefault(kind, []).extend(values)
    assert rejoined == to


def test_batches_of_a_small_or_empty_to():
    assert list(identities.identity_batches({"Identity": ["a"]})) == [{"Identity": ["a"]}]
    assert list(identities.identity_batches({})) == []
    assert list(identities.identity_batches({"Email": [], "FBID": ["1", "2", "3"]}, size=2)) == [
        {"FBID": ["1", "2"]},
        {"FBID": ["3"]},
    ]


def test_batches_are_produced_lazily():
    batches = identities.identity_batches({"Identity": [str(i) for i in range(5000)]})
    assert identities.count(next(batches)) == 1000


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(ValueError):
        list(identities.identity_batches({"Identity": ["a"]}, size=0))


def test_a_million_generated_identities_parse_correctly():
    total = 1_000_000
    lines = ["Email,Identity"]
    for i in range(total // 2):
        email = f"user{i}@example.com" if i % 1000 else f"user{i}-at-example.com"
        lines.append(f"{email},customer {i % 400_000}")
    data = ("\n".join(lines) + "\n").encode()

    parsed = identities.parse_csv(data)

    malformed = total // 2 // 1000
    assert len(parsed.to["Email"]) == total // 2 - malformed
    assert len(parsed.malformed) == malformed
    assert {m.type for m in parsed.malformed} == {"Email"}
    assert parsed.malformed[0].line == 2 and parsed.malformed[1].line == 1002
    assert len(parsed.to["Identity"]) == 400_000
    assert parsed.duplicates == {"Identity": total // 2 - 400_000}
    assert parsed.to["Identity"][:2] == ["customer 0", "customer 1"]
    assert sum(identities.count(b) for b in identities.identity_batches(parsed.to)) == (
        parsed.count
    )


def test_a_csv_counts_the_rows_it_read_without_its_header_or_blank_lines():
    assert identities.parse_csv("Email,Identity\na@x.com,1\n\nb@x.com,\n").rows == 2
    assert identities.parse_csv("John\nJane\n\n", default_type="Identity").rows == 2


def test_the_summary_says_rows_types_duplicates_columns_and_the_first_invalid_lines():
    text = "Email,Identity,Plan\n" + "\n".join(
        [*(f"bad{n},id{n},x" for n in range(4)), "a@x.com,id0,x"]
    )
    lines = identities.summary(identities.parse_csv(text), shown=2)
    assert lines == [
        identities.SUMMARY_ROWS.format(rows=5),
        identities.SUMMARY_UNIQUE.format(count=5, by_type="Email 1, Identity 4"),
        identities.SUMMARY_DUPLICATES.format(count=1),
        identities.SUMMARY_UNKNOWN_COLUMNS.format(names="Plan"),
        identities.SUMMARY_INVALID.format(count=4),
        "Email, line 2: “bad0” " + identities.NOT_AN_EMAIL + ".",
        "Email, line 3: “bad1” " + identities.NOT_AN_EMAIL + ".",
        identities.SUMMARY_MORE_INVALID.format(count=2),
    ]
