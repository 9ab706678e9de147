"""Parse an identity CSV in a fresh process and print what it cost, as JSON:

    python -m devtools.bench.identity_parse FILE [REPEAT]

A process of its own, so that its peak memory is the parse's and nothing else's. Pure Python:
no Django.
"""

import json
import sys
import time
from pathlib import Path

from campaigns import identities
from devtools.bench.peak import peak_bytes as _peak_bytes


def main(path: str, repeat: int) -> dict:
    before = _peak_bytes()
    seconds = []
    parsed = None
    for _ in range(repeat):
        parsed = None  # the previous result would otherwise count in this parse's peak
        started = time.perf_counter()
        parsed = identities.parse_csv(Path(path).read_bytes())
        seconds.append(time.perf_counter() - started)
    peak = _peak_bytes()
    dumps = []
    for _ in range(repeat):
        started = time.perf_counter()
        json.dumps(parsed.to)
        dumps.append(time.perf_counter() - started)
    return {
        "seconds": seconds,
        "json_dumps_seconds": dumps,
        "peak_bytes": peak,
        "peak_bytes_before": before,
        "identities": parsed.count,
        "duplicates": parsed.duplicate_count,
        "malformed": len(parsed.malformed),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)))
