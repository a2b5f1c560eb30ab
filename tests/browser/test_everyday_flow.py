"""Everyday use in a real browser (issue 8): the trainer's phone, the session hub's links on the
clipboard, the searchable trainer picker, and axe on every page these touch.

The browser's clipboard is real: the context is granted clipboard-read and clipboard-write, the
page's own script (static/page.js) writes, and the test reads it back.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from evaluaties.answers import links, requests
from evaluaties.questionnaires.models import Audience
from kwaliteit.models_base import utcnow
from kwaliteit.scope import Scope
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS, check_a11y, log_in, visit
from tests.conftest import TODAY
from tests.test_evaluations import full_trainer_answers

expect = pytest.importorskip("playwright.sync_api").expect

COORDINATOR = "coordinator@example.org"
TRAINER = "trainer@example.org"
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    check_a11y(page)


def test_trainer_on_a_phone_sees_the_overdue_evaluation_first(phone_page, world, db):
    """Many sessions: past ones submitted, future ones planned, one overdue (world.session1)."""
    tp = world.trainer_person
    for k in range(1, 13):
        ts = factories.session(db, world.training1, trainers=[tp], on=TODAY - timedelta(days=40 + 30 * k))
        requests.get_or_create_request(db, ts.id, Audience.TRAINER).submitted_at = utcnow()
    for k in range(1, 9):
        factories.session(db, world.training1, trainers=[tp], on=TODAY + timedelta(days=7 * k))
    db.commit()
    page = phone_page
    log_in(page, TRAINER)  # a trainer's start page is the list
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn evaluaties")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    item = page.locator(f"#evaluatie-{world.session1.id}")
    expect(item).to_contain_text("te laat")
    expect(item).to_be_in_viewport()
    button = item.get_by_role("link", name=re.compile("^Evaluatie invullen"))
    expect(button).to_be_in_viewport()
    # The summary names it and leads to it.
    summary = page.get_by_role("link", name=re.compile("^Eerst: Basistraining mentoren Noord"))
    expect(summary).to_be_in_viewport()
    summary.click()
    page.wait_for_url(re.compile(f"#evaluatie-{world.session1.id}$"))
    button.click()
    page.wait_for_url(re.compile(rf"/bijeenkomsten/{world.session1.id}/trainersevaluatie$"))
    check_a11y(page)


def test_trainer_sees_submitted_evaluation_read_only_and_the_results(page, world, db):
    requests.submit_trainer_evaluation(
        db, Scope.for_user(world.trainer), world.session1.id, full_trainer_answers(db, world), TODAY
    )
    db.commit()
    log_in(page, TRAINER)
    page.get_by_text("Ingediend (1)").click()
    page.get_by_role("link", name=re.compile("^Je evaluatie bekijken")).click()
    check_a11y(page)
    expect(page.get_by_role("heading", name="Antwoorden")).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("link", name="Bewerken", exact=True)).to_be_visible()
    visit(page, "/mijn-evaluaties")
    page.get_by_text("Ingediend (1)").click()
    page.get_by_role("link", name=re.compile("^Resultaten van de deelnemers")).click()
    check_a11y(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Resultaten bijeenkomst")


def test_copy_all_open_links_puts_every_link_on_the_clipboard(browser, live_server, world, db):
    ts = factories.session(db, world.training1, trainers=[world.trainer_person], on=TODAY - timedelta(days=1),
                           participants=4)
    db.commit()
    context = browser.new_context(base_url=live_server, locale="nl-NL", viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    try:
        log_in(page, COORDINATOR)
        visit(page, f"/bijeenkomsten/{ts.id}/evaluatie")
        # The number of links is proposed from the participants.
        expect(page.get_by_label("Aantal persoonlijke links")).to_have_value("4")
        _submit(page, "Persoonlijke links maken")
        # The message is in view and has the focus.
        message = page.locator("#melding")
        expect(message).to_contain_text("Er zijn 4 persoonlijke links gemaakt.")
        expect(message).to_be_in_viewport()
        expect(message).to_be_focused()

        # Close one, with confirmation, then make sure it is not among the links to copy.
        first = page.locator("tbody tr").first
        first.get_by_text("Sluiten…").click()
        check_a11y(page)
        with page.expect_navigation():
            first.get_by_role("button", name=re.compile(r"^Ja, link \d+ sluiten$")).click()
        check_a11y(page)
        expect(page.locator("#melding")).to_contain_text("is gesloten")

        expected = [line for line in page.locator("#alle-links").input_value().split("\n") if line]
        assert len(expected) == 3
        page.get_by_role("button", name="Kopieer alle open links").click()
        expect(page.locator("#kopieer-status")).to_have_text("Alle 3 open links zijn gekopieerd.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.split("\n") == expected
        with db.begin():
            tokens = {link.token for link in links.session_links(db, Scope.everything(), ts.id) if link.is_open}
        assert {url.rsplit("/", 1)[1] for url in expected} == tokens

        # One link on its own.
        row = page.locator("tbody tr").nth(1)
        url = row.locator("code").inner_text()
        row.get_by_role("button", name=re.compile("^Kopieer")).click()
        expect(page.locator("#kopieer-status")).to_contain_text("is gekopieerd")
        assert page.evaluate("navigator.clipboard.readText()") == url

        # Undo the close.
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("^Heropenen")).click()
        check_a11y(page)
        expect(page.locator("#melding")).to_contain_text("is weer open")
        expect(page.get_by_role("heading", name="Uitdelen: 4 open links")).to_be_visible()
    finally:
        context.close()


def test_without_clipboard_the_links_are_selected_to_copy(browser, live_server, world, db):
    """No clipboard permission: the text area with every open link is selected instead."""
    ts = factories.session(db, world.training1, trainers=[world.trainer_person], on=TODAY, participants=2)
    links.create_single_links(db, Scope.everything(), ts.id, 2)
    db.commit()
    context = browser.new_context(base_url=live_server, locale="nl-NL", viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        log_in(page, COORDINATOR)
        visit(page, f"/bijeenkomsten/{ts.id}/evaluatie")
        page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
        page.get_by_role("button", name="Kopieer alle open links").click()
        expect(page.locator("#kopieer-status")).to_contain_text("de tekst is geselecteerd")
        expect(page.locator("#alle-links")).to_be_focused()
        selected = page.evaluate("(() => { const t = document.getElementById('alle-links');"
                                 " return t.value.substring(t.selectionStart, t.selectionEnd); })()")
        assert selected == page.locator("#alle-links").input_value() and selected.count("/e/") == 2
    finally:
        context.close()


def test_coordinator_plans_a_session_finding_the_trainer_by_search(page, world, db):
    for k in range(12):
        factories.person(db, world.school1, factories.PersonRole.SCHOOL_EDUCATOR, name=f"Collega {k:02d}")
    db.commit()
    log_in(page, COORDINATOR)
    visit(page, f"/trainingen/{world.training1.id}")
    page.get_by_role("link", name="Nieuwe bijeenkomst").click()
    check_a11y(page)
    trainers = page.get_by_role("group", name=re.compile("^Trainers"))
    expect(trainers.get_by_role("checkbox")).to_have_count(14)  # every option, no scroll box
    search = page.get_by_label("Zoek een trainer")
    search.focus()
    page.keyboard.type("bram")
    expect(page.get_by_role("status").filter(has_text="getoond")).to_have_text("1 van 14 getoond, 0 gekozen")
    expect(trainers.get_by_label("Bram Jansen (Pabo Noord)")).to_be_visible()
    expect(trainers.get_by_label("Anna de Vries (Basisschool De Linde)")).to_be_hidden()
    page.keyboard.press("Enter")  # does not submit the form
    assert page.url.endswith("/bijeenkomsten/nieuw")
    page.keyboard.press("Tab")
    expect(trainers.get_by_label("Bram Jansen (Pabo Noord)")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_role("status").filter(has_text="getoond")).to_have_text("1 van 14 getoond, 1 gekozen")
    search.fill("")
    expect(trainers.get_by_label("Anna de Vries (Basisschool De Linde)")).to_be_visible()
    check_a11y(page)

    page.get_by_label("Datum").fill((TODAY + timedelta(days=20)).isoformat())
    page.get_by_label("Begintijd").fill("13:30")
    page.get_by_label("Locatie").fill("Pabo Noord, lokaal 4")
    page.get_by_label("Aantal deelnemers").fill("11")
    _submit(page, "Opslaan")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluatie van de bijeenkomst van")
    expect(page.locator("#melding")).to_contain_text("Maak hier de links voor de deelnemers.")
    expect(page.get_by_text("trainers: Bram Jansen")).to_be_visible()
    expect(page.get_by_label("Aantal persoonlijke links")).to_have_value("11")


def test_without_javascript_the_picker_is_a_plain_list(browser, live_server, world):
    """No script: every trainer is a plain checkbox, and no button that needs the script shows.
    (axe itself is a script, so this page is checked with JavaScript in the tests above.)"""
    context = browser.new_context(base_url=live_server, locale="nl-NL", viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("/inloggen")
        page.get_by_label("E-mailadres").fill(COORDINATOR)
        page.get_by_label("Wachtwoord").fill(factories.PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Inloggen").click()
        page.goto(f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw")
        expect(page.get_by_label("Zoek een trainer")).to_have_count(0)
        for name in ("Anna de Vries (Basisschool De Linde)", "Bram Jansen (Pabo Noord)"):
            expect(page.get_by_label(name)).to_be_visible()
        page.goto(f"/bijeenkomsten/{world.session1.id}/evaluatie")
        expect(page.get_by_role("button", name=re.compile("^Kopieer"))).to_have_count(0)
        expect(page.get_by_role("button", name="Afdrukken")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("account", [COORDINATOR, "admin@example.org"])
def test_every_touched_page_is_accessible(page, world, db, account):
    """axe on the pages of issue 8, with data on them: sorted lists, forms, copies, glossary."""
    links.create_single_links(db, Scope.everything(), world.session1.id, 2)
    db.commit()
    log_in(page, account)
    sid, tid = world.session1.id, world.training1.id
    for path in (
        "/trainingen?sorteer=bijeenkomsten&richting=af",
        f"/trainingen/{tid}",
        "/trainingen/nieuw",
        f"/trainingen/{tid}/bijeenkomsten/nieuw",
        f"/bijeenkomsten/{sid}/kopie",
        f"/bijeenkomsten/{sid}/evaluatie",
        f"/bijeenkomsten/{sid}/resultaten?doelgroep=trainers",
        "/evaluaties?sorteer=status&richting=af",
        "/evaluaties?status=",
        "/respons?sorteer=respons&richting=op&periode=alle",
        "/respons/laag",
        "/resultaten",
        "/vragenlijsten",
        "/begrippen",
    ):
        visit(page, path)
    # The standard questionnaire with its copy form opened.
    visit(page, "/vragenlijsten")
    page.get_by_role("link", name=re.compile("Deelnemersevaluatie")).first.click()
    check_a11y(page)
    # A failed submit: the focus is on the error summary and the title says so.
    visit(page, "/trainingen/nieuw")
    page.get_by_label("Titel").fill("Zonder soort")
    _submit(page, "Opslaan")
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text("De training is niet opgeslagen.")
    assert page.title().startswith("Fout: ")


def test_trainer_pages_are_accessible(page, world, db):
    requests.submit_trainer_evaluation(
        db, Scope.for_user(world.trainer), world.session1.id, full_trainer_answers(db, world), TODAY
    )
    db.commit()
    log_in(page, TRAINER)
    for path in ("/mijn-evaluaties", f"/bijeenkomsten/{world.session1.id}/trainersevaluatie",
                 f"/bijeenkomsten/{world.session1.id}/trainersevaluatie?bewerken=1",
                 f"/bijeenkomsten/{world.session1.id}/resultaten", "/begrippen"):
        visit(page, path)


def test_print_hides_menu_filters_and_buttons(page, world):
    log_in(page, COORDINATOR)
    visit(page, "/respons")
    expect(page.get_by_role("button", name="Lijst afdrukken")).to_be_visible()
    page.emulate_media(media="print")
    for selector in (".site-header", "form.filters", ".button", ".site-footer"):
        assert page.locator(selector).first.is_hidden(), selector
    expect(page.get_by_role("table")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
