"""The load of the answer benchmark, run as a process of its own by bench.run: participants who
open a shared answer link (GET, for the form's CSRF token and the session cookie) and send the
shipped participant questionnaire (POST), with at most `--concurrency` at a time. Prints JSON:
successes (a POST answered with a redirect to the thank-you page), errors, seconds, statuses.

    python -m bench.load --base http://127.0.0.1:8000 --answers 500 --concurrency 8 /e/12/TOKEN
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections import Counter

import requests

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SCALES = ("bruikbaarheid", "feedback", "gesprekstechnieken", "zelfvertrouwen", "uitwisseling", "trainer",
          "vorm_locatie")


def form_data(i: int) -> dict[str, str]:
    """The answers of participant i on the default participant questionnaire (evaluaties/data)."""
    data = {"q_totaal": ("6", "7", "7,5", "8", "9")[i % 5], "q_opmerkingen": "Fijne bijeenkomst." if i % 3 else ""}
    for k, code in enumerate(SCALES):
        data[f"q_{code}"] = str(1 + (i + k) % 5)
    return data


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--answers", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("paths", nargs="+", help="the links' paths (/e/<session>/<token>), used in turn")
    args = parser.parse_args(argv)

    lock = threading.Lock()
    statuses: Counter[str] = Counter()
    todo = iter(range(args.answers))

    def participant() -> None:
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                return
            url = args.base + args.paths[i % len(args.paths)]
            with requests.Session() as browser:
                try:
                    page = browser.get(url, timeout=60)
                    token = CSRF.search(page.text)
                    if page.status_code != 200 or token is None:
                        outcome = f"GET {page.status_code}"
                    else:
                        sent = browser.post(url, data=form_data(i) | {"csrf_token": token.group(1)},
                                            allow_redirects=False, timeout=60)
                        outcome = "ok" if sent.status_code == 302 else f"POST {sent.status_code}"
                except requests.RequestException as exc:
                    outcome = type(exc).__name__
            with lock:
                statuses[outcome] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=participant) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    ok = statuses.pop("ok", 0)
    print(json.dumps({"successes": ok, "errors": sum(statuses.values()), "seconds": seconds,
                      "statuses": dict(statuses)}))


if __name__ == "__main__":
    main()
