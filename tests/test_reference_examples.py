import json
import re

import pytest

from tests.reference_examples import FIXTURES, reference_examples, reference_index

NOT_BODIES = {"index.json", "partial_advanced_query_did_all.json"}
SEND_CHANNELS = {"webpush", "push", "email", "sms", "whatsapp"}
EXAMPLES = reference_examples()


def body_files() -> set[str]:
    return {path.name for path in FIXTURES.glob("*.json")} - NOT_BODIES


def test_every_body_file_is_indexed_and_every_index_entry_exists():
    assert body_files() == set(reference_index())


def test_index_is_in_page_order_and_files_are_numbered():
    names = list(reference_index())
    assert names == sorted(names)
    for number, name in enumerate(names, start=1):
        assert re.fullmatch(rf"{number:02d}_(targets|send)_[a-z0-9_]+\.json", name), name


def test_index_entries_are_complete():
    for name, entry in reference_index().items():
        assert set(entry) == {"endpoint", "channel", "title", "notes"}, name
        assert entry["title"].strip(), name
        assert isinstance(entry["notes"], list), name
        assert all(isinstance(note, str) and note.strip() for note in entry["notes"]), name


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_body_is_a_json_object(example):
    assert isinstance(example.body, dict)
    assert example.body


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_body_matches_its_endpoint(example):
    kind = example.name.split("_")[1]
    if example.endpoint == "targets/create.json":
        assert kind == "targets"
        assert example.body.get("target_mode") == example.channel
    else:
        assert kind == "send"
        assert example.channel in SEND_CHANNELS
        assert example.endpoint == f"send/{example.channel}.json"
        assert isinstance(example.body.get("to"), dict)
        assert example.body["to"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_file_is_written_canonically(example):
    text = (FIXTURES / example.name).read_text(encoding="utf-8")
    assert text == json.dumps(example.body, indent=2, ensure_ascii=False) + "\n"


def test_no_scraper_placeholders_or_garbled_fragments_are_left():
    for path in FIXTURES.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert "protected]" not in text, path.name
        assert not re.search(r'"(h-\d|\d-\d)"', text), path.name


def test_hidden_email_addresses_are_distinct():
    addresses = re.findall(
        r"user\d+@example\.com",
        "".join((FIXTURES / example.name).read_text(encoding="utf-8") for example in EXAMPLES),
    )
    assert addresses
    assert len(addresses) == len(set(addresses))


def test_partial_and_responses_are_json_objects():
    partial = json.loads((FIXTURES / "partial_advanced_query_did_all.json").read_text())
    assert list(partial) == ["advanced_query"]
    responses = {
        path.stem: json.loads(path.read_text()) for path in (FIXTURES / "responses").glob("*.json")
    }
    assert set(responses) == {"estimate", "send", "error"}
    assert responses["estimate"]["status"] == responses["send"]["status"] == "success"
    assert responses["error"]["status"] == "fail"
    assert isinstance(responses["error"]["code"], int)
