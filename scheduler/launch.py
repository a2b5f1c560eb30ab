"""`make run`: the development web server and the scheduler side by side. Ctrl-C (or SIGTERM)
stops both; when either stops by itself, the other is stopped too, so nothing is left running
without the other.

    python -m scheduler.launch [--host 127.0.0.1] [--port 5000]
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time

# Seconds a child gets to stop after SIGTERM (the scheduler lets a running job finish).
STOP_TIMEOUT = 30


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def supervise(commands: list[list[str]], poll: float = 0.2) -> int:
    """Start every command; return when one ends (its exit code) or on Ctrl-C/SIGTERM (0),
    after stopping the others."""
    # SIGINT too: a shell starting this in the background would have it ignored.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    procs: list[subprocess.Popen] = []
    code = 0
    try:
        for command in commands:
            procs.append(subprocess.Popen(command))
        while all(p.poll() is None for p in procs):
            time.sleep(poll)
        ended = next(p for p in procs if p.returncode is not None)
        code = ended.returncode
        command = commands[procs.index(ended)]
        print(f"Gestopt: {' '.join(command)} (code {code}); de rest stopt ook.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="De webserver en de planner samen starten.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    args = parser.parse_args(argv)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    return supervise([
        [*flask, "run", "--host", args.host, "--port", str(args.port)],
        [*flask, "scheduler", "run"],
    ])


if __name__ == "__main__":
    sys.exit(main())
