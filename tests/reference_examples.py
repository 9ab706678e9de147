"""The CleverTap Create Campaign API page's example request bodies, as clean JSON fixtures.

`fixtures/reference/index.json` lists every request body in page order with its endpoint,
channel (the target_mode for `targets/create.json`, the send channel for `send/<channel>.json`),
a short title and notes on anything odd about it. The partial `advanced_query` snippet and the
example responses live next to them but are not request bodies and are not listed.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from campaigns import jsonfile

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


# The page's request bodies as the page shows them (comments, trailing commas, stray quotes),
# read from the scraped page itself, kept as it was.

PAGE = FIXTURES / "page.txt"
# How the request bodies are found in the page's text:
# - the curl examples' payloads: a line `curl ... -d '<body>' \`, the body between the quotes;
# - the JSON blocks: from a line that is only `{` at the margin to the next line that starts with
#   `}` at the margin (with what follows it on that line: the stray `'` of some examples).
#   Request bodies are the blocks that name a `"target_mode"` or open with a `"to"` object; the
#   others are the example responses, the event-occurrence snippet and scraps of the page's
#   tables.
CURL_PAYLOAD = re.compile(r"^curl .*?-d '(?P<body>.*)' \\$", re.MULTILINE)
JSON_BLOCK = re.compile(r"^\{[ \t]*\n.*?^\}[^\n]*", re.MULTILINE | re.DOTALL)
REQUEST_BODY = re.compile(r'"target_mode"|\A\{\s*"to"\s*:\s*\{')
CURL_PAYLOADS, JSON_BLOCKS, JSON_REQUEST_BODIES = 2, 51, 39
# The scraper hid e-mail addresses behind this placeholder; the fixtures hold distinct addresses.
HIDDEN_ADDRESS = "[email\xa0protected]"
FIXTURE_ADDRESS = re.compile(r"user\d+@example\.com")

# What reading each example forgives, by its number in page order (its fixture's number).
STRICT_JSON = {1, 3, 5, 10, 22, 23, 24, 25, 26, 28, 29, 30, 32, 34, 35, 36, 37, 39, 40, 41}
COMMENTS = {6: 2, 7: 1, 8: 1, 9: 1, 11: 4, **dict.fromkeys(range(12, 18), 2), 27: 1, 31: 2, 33: 1}
TRAILING_COMMAS = {38: 1}
STRAY_QUOTE = {4, 18, 19, 20, 21}
# 02 has a closing brace too many, which closes the body before its last keys.
UNREADABLE = {2: (75, 6)}


def page_request_bodies() -> list[str]:
    """The request bodies of the reference page, in page order, as the page shows them."""
    text = PAGE.read_text(encoding="utf-8")
    payloads = [(match.start(), match["body"]) for match in CURL_PAYLOAD.finditer(text)]
    blocks = [(match.start(), match.group()) for match in JSON_BLOCK.finditer(text)]
    assert (len(payloads), len(blocks)) == (CURL_PAYLOADS, JSON_BLOCKS)
    bodies = [(start, block) for start, block in blocks if REQUEST_BODY.search(block)]
    assert len(bodies) == JSON_REQUEST_BODIES
    return [body for _, body in sorted(payloads + bodies)]


BODIES = page_request_bodies()
EXAMPLES = reference_examples()


def forgiven_notice(number: int) -> str | None:
    forms = jsonfile.FORGIVEN_FORMS[jsonfile.REMOVED]
    if number in COMMENTS:
        count, (one, several) = COMMENTS[number], forms["comment"]
    elif number in TRAILING_COMMAS:
        count, (one, several) = TRAILING_COMMAS[number], forms["trailing comma"]
    elif number in STRAY_QUOTE:
        count, one = 1, jsonfile.STRAY_QUOTE
    else:
        return None
    removed = (one if count == 1 else several).format(count=count)
    changes = jsonfile.REMOVED.format(forms=removed, verb="was" if count == 1 else "were")
    return jsonfile.LENIENT_NOTICE.format(changes=changes)
