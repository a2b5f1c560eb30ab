"""The steering dashboard in a real browser: a steering member opens it, the charts are drawn by
static/charts.js under the Content-Security-Policy (no console errors, so no refused inline script or
style), axe finds nothing serious, a filter works, the coverage tooltips work by keyboard, the page
fits a phone, and it prints to PDF for the meeting papers."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_a11y, log_in, visit
from tests.test_dashboard import dash  # noqa: F401  (the fixed dataset)

expect = pytest.importorskip("playwright.sync_api").expect

# Against the device's width, not window.innerWidth: a phone browser widens its layout viewport to
# content that overflows, so innerWidth grows with the very overflow this should catch.
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= screen.width"


def _watch_console(page) -> list[str]:
    """Console errors and uncaught exceptions; a CSP violation is a console error in Chromium."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _charts_drawn(page, at_least: int) -> None:
    expect(page.locator(".chart-block.is-drawn")).to_have_count(page.locator(".chart-block").count())
    assert page.locator(".chart.js-plotly-plot").count() >= at_least
    assert page.locator(".chart svg.main-svg").count() >= at_least
    # Drawn points and bars, not just empty axes.
    assert page.locator(".chart .scatterlayer .point, .chart .barlayer .point").count() > 5


def test_steering_member_reads_filters_and_prints_the_dashboard(page, dash, tmp_path):  # noqa: F811
    errors = _watch_console(page)
    log_in(page, dash.w.steering.email)  # the start page is the dashboard
    assert page.url.endswith("/dashboard")
    check_a11y(page)
    expect(page.get_by_role("heading", name="Dashboard kwaliteitszorg")).to_be_visible()
    _charts_drawn(page, at_least=4)
    expect(page.get_by_role("img", name="Respons van deelnemers per schooljaar", exact=False)).to_be_visible()
    expect(page.locator(".tile-count").first).to_have_text("3")

    # The coverage rationale appears on keyboard focus and goes away with Escape.
    tip = page.locator(".tip").first
    tip.focus()
    tooltip = page.locator(".tip:focus + .tip-text")
    expect(tooltip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()

    # A filter: the previous school year.
    page.get_by_label("Schooljaar", exact=True).select_option(label="2025-2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Tonen").click()
    assert "schooljaar=2025" in page.url
    check_a11y(page)
    expect(page.get_by_role("heading", name="Dekking van de waarborgen in 2025-2026")).to_be_visible()
    expect(page.get_by_text("geen bewijs in 2025-2026")).to_be_visible()
    _charts_drawn(page, at_least=3)

    # Printed: the filter form gives way to the selection in words, and a PDF comes out.
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator(".print-only .selection")).to_be_visible()
    pdf = tmp_path / "dashboard.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
    page.emulate_media(media="screen")
    assert errors == []


def test_dashboard_on_a_phone(phone_page, dash):  # noqa: F811
    page = phone_page
    errors = _watch_console(page)
    log_in(page, dash.w.coordinator.email)
    visit(page, "/dashboard")
    _charts_drawn(page, at_least=4)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    # Every chart fits the screen.
    widths = page.eval_on_selector_all(
        ".chart svg.main-svg", "els => els.map(e => e.getBoundingClientRect().right)"
    )
    assert max(widths) <= page.viewport_size["width"]
    assert errors == []


def test_regional_view_and_lists(page, dash):  # noqa: F811
    errors = _watch_console(page)
    log_in(page, dash.regional.email)
    expect(page.get_by_role("heading", name="De regio: partnerschappen naast elkaar")).to_be_visible()
    _charts_drawn(page, at_least=4)
    with page.expect_navigation():
        page.get_by_role("link", name="evaluaties te laat", exact=False).click()
    check_a11y(page)
    expect(page.get_by_role("heading", name="Te late trainersevaluaties")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("4 bijeenkomsten")
    assert errors == []


def test_many_trainings_per_kind_and_the_tables_per_training(page, dash, monkeypatch):  # noqa: F811
    """With more trainings than the dashboard lists, its matrix and ratings are per kind of
    training; the tables per training behind them are accessible pages of their own."""
    from kwaliteit.dashboard import services

    monkeypatch.setattr(services, "TRAINING_ROWS", 1)
    errors = _watch_console(page)
    log_in(page, dash.regional.email)
    expect(page.get_by_role("heading", name="Algemeen oordeel per soort training")).to_be_visible()
    check_a11y(page)
    for link, heading in (
        ("Bekijk de dekking per training", "Dekking van de waarborgen per training"),
        ("Bekijk het oordeel per training", "Algemeen oordeel per training"),
    ):
        with page.expect_navigation():
            page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        check_a11y(page)
        page.go_back()
    assert errors == []
