"""Browser tests: a live server on the test database, a headless Chromium and an axe check.

The live server is a second app on the same database as the `app` fixture, but with CSRF on, so the
browser fills in and posts the real forms. Chromium comes from the system (Debian's `chromium`);
these tests never download a browser.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from kwaliteit import create_app
from kwaliteit import db as kdb
from tests import factories
from tests.conftest import NOW, TODAY

HERE = Path(__file__).resolve().parent
NO_CHROMIUM = (
    "Chromium niet gevonden: installeer het Debian-pakket 'chromium' "
    "(of zet KWALITEIT_CHROMIUM) om de browsertests te draaien."
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
# A local server answers in milliseconds, so a long wait means a broken test; but the suite runs
# on one worker per core with Chromium and PostgreSQL beside them, where a busy moment takes seconds.
TIMEOUT_MS = 20_000
BLOCKING_IMPACTS = ("serious", "critical")


def find_chromium() -> str | None:
    configured = os.environ.get("KWALITEIT_CHROMIUM")
    if configured:
        return configured if os.path.exists(configured) else shutil.which(configured)
    for candidate in ("chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


CHROMIUM = find_chromium()


def pytest_collection_modifyitems(config, items):
    """Mark everything in tests/browser as `browser`; skip it all when there is no Chromium."""
    skip = pytest.mark.skip(reason=NO_CHROMIUM) if CHROMIUM is None else None
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


# --- live server -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live_server(app, database_url, tmp_path_factory):
    """Base URL of the app served over HTTP on the test database, with CSRF enabled."""
    from werkzeug.serving import make_server

    live_app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "browser-test-secret",
            "WTF_CSRF_ENABLED": True,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "PAGE_SIZE": 25,
            "FIXED_TODAY": TODAY,
            "FIXED_NOW": NOW,
        },
        instance_path=tmp_path_factory.mktemp("live-instance"),
    )
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        kdb.engine_of(live_app).dispose()


# --- browser -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright():
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _new_page(browser, live_server, **context_args):
    context = browser.new_context(base_url=live_server, locale="nl-NL", **context_args)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh browser context (no cookies) with a desktop viewport."""
    context, page = _new_page(browser, live_server, viewport=DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page in a fresh browser context that acts as a 375 px wide touch phone."""
    context, page = _new_page(
        browser, live_server, viewport=PHONE, screen=PHONE, is_mobile=True, has_touch=True,
        device_scale_factor=2,
    )
    yield page
    context.close()


# --- accessibility -----------------------------------------------------------------------------

_axe = None


def check_a11y(page) -> None:
    """Run axe-core on the current page; fail on any serious or critical violation."""
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe: {len(blocking)} ernstige toegankelijkheidsfout(en) op {page.url}:"]
        for v in blocking:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v.get('helpUrl', '')}]")
            for node in v["nodes"]:
                target = " ".join(str(t) for t in node["target"])
                lines.append(f"    {target}")
                if node.get("failureSummary"):
                    lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        pytest.fail("\n".join(lines), pytrace=False)


def visit(page, path: str):
    """Go to a path of the live server, expect a successful page and check its accessibility."""
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    check_a11y(page)
    return response


def log_in(page, email: str, password: str = factories.PASSWORD) -> None:
    """Log in through the real log-in form."""
    visit(page, "/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()
    assert "/inloggen" not in page.url, "het inloggen is mislukt"
    check_a11y(page)
