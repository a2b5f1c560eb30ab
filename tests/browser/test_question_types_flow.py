"""Grade and multi questions in a real browser (issue 6): a coordinator adds them in the builder,
a participant answers them on a phone with the keyboard, the results show them. axe checks every
page, also the ones with errors."""
from __future__ import annotations

from datetime import timedelta

import pytest

from evaluaties.answers import links
from evaluaties.questionnaires.models import EvaluationSettings, QuestionType
from kwaliteit.scope import Scope
from tests import factories
from tests.browser.conftest import check_a11y, log_in, visit
from tests.conftest import TODAY
from tests.test_question_types import PARTS, make_version, respond

expect = pytest.importorskip("playwright.sync_api").expect

# screen.width, not innerWidth: a phone browser widens its layout viewport to overflowing content.
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= screen.width"


def _submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    check_a11y(page)


def test_coordinator_adds_grade_and_multi_questions(page, world):
    log_in(page, "coordinator@example.org")
    visit(page, "/vragenlijsten/nieuw")
    page.get_by_label("Titel").fill("Cijfers en keuzes")
    page.get_by_label("Soort evaluatie").select_option(label="Deelnemersevaluatie")
    _submit(page, "Vragenlijst aanmaken")
    page.get_by_role("link", name="Vraag toevoegen").click()
    check_a11y(page)

    page.get_by_label("Vraag", exact=True).fill("Welke onderdelen hielpen je?")
    page.get_by_label("Soort vraag").select_option(label="Meerdere keuzes uit een lijst")
    page.get_by_label("Labels of keuzemogelijkheden").fill("Theorie; praktijk\nAnders")
    _submit(page, "Opslaan en nog een vraag toevoegen")
    expect(page.get_by_text("mag geen ‘;’ bevatten").first).to_be_visible()
    page.get_by_label("Labels of keuzemogelijkheden").fill("Theorie\nOefenen\nUitwisseling")
    _submit(page, "Opslaan en nog een vraag toevoegen")

    page.get_by_label("Vraag", exact=True).fill("Welk cijfer geef je?")
    page.get_by_label("Soort vraag").select_option(label="Cijfer 1–10")
    _submit(page, "Opslaan")
    expect(page.get_by_role("cell", name="Meerdere keuzes uit een lijst")).to_be_visible()
    expect(page.get_by_role("cell", name="Cijfer 1–10")).to_be_visible()


def test_participant_answers_grade_and_multi_with_the_keyboard(phone_page, world, db):
    ts = factories.session(db, world.training1, trainers=[world.trainer_person], on=TODAY - timedelta(days=2))
    version = make_version(db, world.p1)
    db.add(EvaluationSettings(training_id=world.training1.id, participant_questionnaire_id=version.questionnaire_id))
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), ts.id, 1)
    db.commit()
    page = phone_page
    visit(page, f"/e/{ts.id}/{link.token}")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    group = page.get_by_role("group", name="Welke onderdelen hielpen je?")
    expect(group.get_by_role("checkbox")).to_have_count(len(PARTS))

    grade = page.get_by_label("Welk cijfer geef je?")
    grade.fill("7,55")
    # The keyboard only: Tab from the grade to the first checkbox, Space ticks it, Tab on, Space again.
    grade.focus()
    page.keyboard.press("Tab")
    expect(group.get_by_label("Theorie")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.get_by_label("4 –").check()
    _submit(page, "Versturen")
    expect(page.get_by_text("Je antwoorden zijn nog niet verstuurd.")).to_be_visible()
    expect(page.get_by_text("Geef een cijfer van 1 tot en met 10").first).to_be_visible()
    # What was entered stays: the grade text and the ticked boxes.
    expect(page.get_by_label("Welk cijfer geef je?")).to_have_value("7,55")
    group = page.get_by_role("group", name="Welke onderdelen hielpen je?")
    expect(group.get_by_label("Theorie")).to_be_checked()
    expect(group.get_by_label("Uitwisseling")).to_be_checked()
    expect(group.get_by_label("Oefenen")).not_to_be_checked()

    page.get_by_label("Welk cijfer geef je?").fill("7,5")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    _submit(page, "Versturen")
    expect(page.get_by_role("heading", name="Bedankt!")).to_be_visible()

    # Four more answers: enough to show the results to the coordinator.
    for grade_tenths, mask in ((80, 0b1), (60, 0b11), (90, 0b1000), (55, 0b101)):
        respond(db, ts, version, {"cijfer": grade_tenths, "onderdelen": mask, "schaal": 4})
    db.commit()
    log_in(page, "coordinator@example.org")
    visit(page, f"/bijeenkomsten/{ts.id}/resultaten")
    expect(page.get_by_text("gemiddeld cijfer 7,2 (op 1–10)")).to_be_visible()
    expect(page.get_by_text("samen is dat meer dan 100%")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert version.questions[1].type is QuestionType.MULTI
