"""The CleverTap Create Campaign API page's example request bodies, as clean JSON fixtures.

`fixtures/reference/index.json` lists every request body in page order with its endpoint,
channel (the target_mode for `targets/create.json`, the send channel for `send/<channel>.json`),
a short title and notes on anything odd about it. The partial `advanced_query` snippet and the
example responses live next to them but are not request bodies and are not listed.
"""

import json
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "reference"
INDEX = FIXTURES / "index.json"


@dataclass(frozen=True)
class ReferenceExample:
    name: str
    endpoint: str
    channel: str
    body: dict
    notes: tuple[str, ...]


def reference_index() -> dict[str, dict]:
    """index.json as written: file name -> {endpoint, channel, title, notes}, in page order."""
    return json.loads(INDEX.read_text(encoding="utf-8"))


def reference_examples() -> list[ReferenceExample]:
    """Every request body listed in index.json, in page order."""
    return [
        ReferenceExample(
            name=name,
            endpoint=entry["endpoint"],
            channel=entry["channel"],
            body=json.loads((FIXTURES / name).read_text(encoding="utf-8")),
            notes=tuple(entry["notes"]),
        )
        for name, entry in reference_index().items()
    ]


def reference_example(name: str) -> ReferenceExample:
    """The example of that file name."""
    return next(example for example in reference_examples() if example.name == name)
