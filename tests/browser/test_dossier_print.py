"""The peer-review dossier in a real browser: a steering member opens it from the kwaliteitszorg
page, axe finds nothing serious, and it prints to PDF (a page per safeguard) for the peer review."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import check_a11y, log_in, visit
from tests.test_dashboard import dash  # noqa: F401  (the fixed dataset)

expect = pytest.importorskip("playwright.sync_api").expect


def test_steering_member_opens_and_prints_the_dossier(page, dash, tmp_path):  # noqa: F811
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, dash.w.steering.email)
    visit(page, "/kwaliteitszorg")
    check_a11y(page)
    with page.expect_navigation():
        page.get_by_role("link", name=f"Peer-reviewdossier van {dash.w.p1.name}").click()
    expect(page.get_by_role("heading", name=f"Peer-reviewdossier van {dash.w.p1.name}")).to_be_visible()
    check_a11y(page)
    expect(page.locator("section.dossier-section")).to_have_count(1 + len(dash.w.safeguards))
    expect(page.get_by_text("Kennismaking Noord dient geen waarborg").first).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    # A page break before every safeguard's section.
    breaks = page.eval_on_selector_all(
        "section.dossier-section", "els => els.map(e => getComputedStyle(e).breakBefore)"
    )
    assert breaks == ["auto"] + ["page"] * len(dash.w.safeguards)
    pdf = tmp_path / "dossier.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
    # At least a page for the overview and one per safeguard.
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 1 + len(dash.w.safeguards)
    page.emulate_media(media="screen")
    assert errors == []


def test_dossier_on_a_phone(phone_page, dash):  # noqa: F811
    page = phone_page
    log_in(page, dash.w.coordinator.email)
    visit(page, f"/kwaliteitszorg/partnerschappen/{dash.w.p1.id}/dossier")
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth <= screen.width")
