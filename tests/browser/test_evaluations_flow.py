"""Evaluations in a real browser: a trainer submits what they owe; a participant answers
anonymously on a phone. axe checks every page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from evaluaties.answers import links
from kwaliteit.scope import Scope
from tests import factories
from tests.browser.conftest import check_a11y, log_in, visit
from tests.conftest import TODAY

expect = pytest.importorskip("playwright.sync_api").expect

# screen.width, not innerWidth: a phone browser widens its layout viewport to overflowing content.
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= screen.width"


def test_trainer_sees_and_submits_an_owed_evaluation(page, world):
    log_in(page, "trainer@example.org")
    visit(page, "/mijn-evaluaties")
    expect(page.get_by_role("status").filter(has_text="Nu te doen: 1 te laat.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Evaluatie invullen").first.click()
    check_a11y(page)

    # Submitting with answers missing keeps what was entered and names the problems.
    page.get_by_label("Wat ging er goed in deze bijeenkomst?").fill("Mooie gesprekken over feedback.")
    with page.expect_navigation():
        page.get_by_role("button", name="Evaluatie indienen").click()
    check_a11y(page)
    expect(page.get_by_text("Je evaluatie is niet opgeslagen.")).to_be_visible()
    expect(page.get_by_label("Wat ging er goed in deze bijeenkomst?")).to_have_value("Mooie gesprekken over feedback.")

    page.get_by_label("Wat zou je een volgende keer anders doen?").fill("Meer tijd voor oefenen.")
    page.get_by_label("Eén of twee deelnemers ontbraken").check()
    page.get_by_label("4 – Eens").check()
    for group in page.get_by_role("group", name=re.compile("Kwam het thema")).all():
        group.get_by_label("Ja", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Evaluatie indienen").click()
    check_a11y(page)
    expect(page.get_by_text("Je evaluatie is opgeslagen.")).to_be_visible()
    expect(page.get_by_text("Je hebt geen openstaande evaluaties.")).to_be_visible()
    # What was submitted is folded away (issue 8); opened, it shows the evaluation as submitted.
    page.get_by_text("Ingediend (1)").click()
    expect(page.get_by_text("ingediend", exact=True)).to_be_visible()


def test_participant_answers_on_a_phone(phone_page, world, db):
    ts = factories.session(db, world.training1, trainers=[world.trainer_person], on=TODAY - timedelta(days=2))
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), ts.id, 1)
    db.commit()
    page = phone_page
    visit(page, f"/e/{ts.id}/{link.token}")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    expect(page.get_by_role("heading", name="Evaluatie: Basistraining mentoren Noord")).to_be_visible()

    for fieldset in page.locator(".question fieldset").all():
        fieldset.get_by_label("4 –").first.check()
    # The overall rating is a grade (issue 6): a text box that takes a decimal comma.
    grade = page.get_by_label("Welk cijfer geef je deze bijeenkomst als geheel?")
    expect(grade).to_have_attribute("inputmode", "decimal")
    grade.fill("7,5")
    page.get_by_label("Heb je nog opmerkingen of tips?").fill("Graag vaker zo'n bijeenkomst.")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    with page.expect_navigation():
        page.get_by_role("button", name="Versturen").click()
    check_a11y(page)
    expect(page.get_by_role("heading", name="Bedankt!")).to_be_visible()

    # The one-time link cannot be used again: a clear page, not an error.
    visit(page, f"/e/{ts.id}/{link.token}")
    expect(page.get_by_text("Met deze link is de vragenlijst al ingevuld.")).to_be_visible()
