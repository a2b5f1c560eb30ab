"""Beheer in a real browser: an admin invites a coordinator, who sets a password through the link and
logs in; a coordinator adds a school (with its board) and a trainer. axe checks every page."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import DESKTOP, _new_page, check_a11y, log_in, visit

expect = pytest.importorskip("playwright.sync_api").expect

ADMIN = "admin@example.org"
COORDINATOR = "coordinator@example.org"
PASSWORD = "mijn nieuwe wachtwoord"


def _submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_a11y(page)


def _log_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Uitloggen").click()


def test_admin_invites_a_coordinator_who_sets_a_password_and_logs_in(browser, live_server, page, world):
    log_in(page, ADMIN)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Beheer").click()
    check_a11y(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Beheer")
    for path in ("/beheer/partnerschappen", "/beheer/partnerschappen/nieuw",
                 f"/beheer/partnerschappen/{world.p1.id}/bewerken", "/beheer/organisaties", "/beheer/personen",
                 f"/beheer/gebruikers/{world.trainer.id}/bewerken"):
        visit(page, path)

    visit(page, "/beheer/gebruikers")
    with page.expect_navigation():
        page.get_by_role("link", name="Gebruiker uitnodigen").click()
    check_a11y(page)
    # A bad input first: the address is in use.
    page.get_by_label("E-mailadres").fill("coordinator@example.org")
    page.get_by_label("Rol").select_option(label="Kwaliteitscoördinator")
    page.get_by_label("Partnerschap Noord").check()
    _submit(page, "Uitnodigen")
    expect(page.get_by_role("alert")).to_contain_text("Er bestaat al een account met dit e-mailadres")

    page.get_by_label("E-mailadres").fill("noor.visser@example.org")
    page.get_by_label("Naam", exact=True).fill("Noor Visser")
    _submit(page, "Uitnodigen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitnodigingslink voor Noor Visser")
    link = page.get_by_label("Uitnodigingslink").input_value()
    assert re.search(r"/uitnodiging/[\w-]{20,}$", link), link

    # The copy button (added by the page's script) puts the link on the clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Kopieer de link").click()
    expect(page.get_by_role("status").filter(has_text="gekopieerd")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    check_a11y(page)
    _log_out(page)

    # The coordinator opens the link in a browser of their own.
    context, invited = _new_page(browser, live_server, viewport=DESKTOP)
    try:
        visit(invited, urlsplit(link).path)
        expect(invited.get_by_role("heading", level=1)).to_have_text("Wachtwoord kiezen")
        invited.get_by_label("Nieuw wachtwoord").fill("kort")
        invited.get_by_label("Herhaal het wachtwoord").fill("kort")
        _submit(invited, "Wachtwoord instellen")
        expect(invited.get_by_role("alert")).to_contain_text("minstens 12 tekens")
        invited.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
        invited.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
        _submit(invited, "Wachtwoord instellen")
        expect(invited.get_by_role("status").first).to_contain_text("Je wachtwoord is ingesteld")
        expect(invited.get_by_text("Noor Visser")).to_be_visible()
        _log_out(invited)
        # The link worked once.
        response = invited.goto(urlsplit(link).path)
        assert response.status == 410
        check_a11y(invited)
        expect(invited.get_by_role("heading", level=1)).to_have_text("Link al gebruikt")
        log_in(invited, "noor.visser@example.org", PASSWORD)
        expect(invited.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Beheer")).to_be_visible()
    finally:
        context.close()


def test_coordinator_adds_a_school_with_its_board_and_a_trainer(page, world):
    log_in(page, COORDINATOR)
    visit(page, "/beheer/organisaties")
    with page.expect_navigation():
        page.get_by_role("link", name="Nieuwe organisatie").click()
    check_a11y(page)
    # A school without a board is refused, with the reason at the field.
    page.get_by_label("Naam").fill("OBS De Duinen")
    page.get_by_label("Soort").select_option(label="School")
    _submit(page, "Opslaan")
    expect(page.get_by_role("alert")).to_contain_text("Een school hoort bij een bestuur")

    page.get_by_label("Naam").fill("Stichting Kust")
    page.get_by_label("Soort").select_option(label="Bestuur")
    _submit(page, "Opslaan")
    expect(page.get_by_role("status").first).to_contain_text("Stichting Kust")

    with page.expect_navigation():
        page.get_by_role("link", name="Nieuwe organisatie").click()
    page.get_by_label("Naam").fill("OBS De Duinen")
    page.get_by_label("Soort").select_option(label="School")
    page.get_by_label("Bestuur (alleen voor een school)").select_option(label="Stichting Kust")
    _submit(page, "Opslaan")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="OBS De Duinen"))
    expect(row).to_contain_text("Stichting Kust")

    visit(page, "/beheer/personen")
    with page.expect_navigation():
        page.get_by_role("link", name="Nieuwe persoon").click()
    check_a11y(page)
    page.get_by_label("Naam").fill("Eva Mulder")
    page.get_by_label("E-mailadres").fill("eva.mulder@example.org")
    page.get_by_label("Organisatie").select_option(label="OBS De Duinen (school)")
    page.get_by_label("Schoolopleider").check()
    _submit(page, "Opslaan")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Eva Mulder"))
    expect(row).to_contain_text("Schoolopleider")
    expect(row).to_contain_text("OBS De Duinen")

    # The trainer gets an account from the persons list.
    with page.expect_navigation():
        row.get_by_role("link", name=re.compile("Account aanmaken")).click()
    check_a11y(page)
    expect(page.get_by_label("E-mailadres")).to_have_value("eva.mulder@example.org")
    _submit(page, "Uitnodigen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitnodigingslink voor Eva Mulder")

    # The new trainer can be chosen for a session of the partnership.
    visit(page, f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw")
    expect(page.get_by_label(re.compile("Eva Mulder"))).to_be_visible()
