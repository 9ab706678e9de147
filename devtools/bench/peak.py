"""Peak resident memory of this process, and a runner that reports it for a script:

    python -m devtools.bench.peak OUT SCRIPT [ARGS...]

runs SCRIPT as __main__ and, when it exits, writes its peak resident bytes to the file OUT.
getrusage's ru_maxrss will not do: Linux carries the larger of the old and new peaks across
exec, so a process started from a large one reports the large one's peak. /proc's VmHWM is the
process's own.
"""

import atexit
import resource
import runpy
import sys
from pathlib import Path


def peak_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


if __name__ == "__main__":
    out, script, *args = sys.argv[1:]
    sys.argv = [script, *args]
    atexit.register(lambda: Path(out).write_text(str(peak_bytes())))
    runpy.run_path(script, run_name="__main__")
