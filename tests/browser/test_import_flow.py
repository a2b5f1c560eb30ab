"""The import wizard in a real browser: upload a Google Forms export, change a value mapping in the
preview, update the preview, import. axe checks both pages; the preview works on a phone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evaluaties.answers.models import Answer
from evaluaties.questionnaires.models import Audience
from evaluaties.questionnaires.services import applicable_version
from tests import survey_files as sf
from tests.browser.conftest import check_a11y, log_in, visit

expect = pytest.importorskip("playwright.sync_api").expect

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _upload(page, world, data: bytes, filename: str) -> None:
    visit(page, f"/bijeenkomsten/{world.session1.id}/antwoorden/importeren")
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(
        files=[{"name": filename, "mimeType": "text/csv", "buffer": data}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Uploaden en controleren").click()
    check_a11y(page)


def test_upload_preview_change_a_value_and_import(page, world, db):
    log_in(page, "coordinator@example.org")
    _upload(page, world, sf.google_forms("nl"), "Formulierreacties.csv")
    expect(page.get_by_role("heading", name="Antwoorden inlezen: controleren")).to_be_visible()
    expect(page.get_by_text("Google Forms", exact=True)).to_be_visible()
    expect(page.get_by_text("E-mailadres", exact=True)).to_be_visible()  # left out, by name only
    expect(page.get_by_text("mentor0@school.nl")).to_have_count(0)

    # Question 2: what the file says "Helemaal mee eens" becomes 4 instead of 5.
    question2 = page.locator("section.import-question").nth(1)
    expect(question2.get_by_label("Kolom voor vraag 2")).to_have_value("D")
    choice = question2.get_by_label("Wordt, voor ‘Helemaal mee eens’")
    expect(choice).to_have_value("5")
    choice.select_option("4")
    with page.expect_navigation():
        page.get_by_role("button", name="Voorbeeld bijwerken").click()
    check_a11y(page)
    expect(
        page.locator("section.import-question").nth(1).get_by_label("Wordt, voor ‘Helemaal mee eens’")
    ).to_have_value("4")

    with page.expect_navigation():
        page.get_by_role("button", name="Inlezen (5 rijen)").click()
    check_a11y(page)
    expect(page.get_by_text("5 antwoorden zijn ingelezen.")).to_be_visible()

    version = applicable_version(db, world.training1.id, Audience.PARTICIPANT)
    question = next(q for q in version.questions if q.code == "bruikbaarheid")
    saved = sorted(db.scalars(select(Answer.value_int).where(Answer.question_id == question.id)))
    expected = sorted(min(4, sf.answers(i)["bruikbaarheid"]) for i in range(5))
    assert saved == expected


def test_preview_on_a_phone(phone_page, world):
    page = phone_page
    log_in(page, "coordinator@example.org")
    _upload(page, world, sf.qualtrics(3), "Evaluatie_November.csv")
    expect(page.get_by_text("Qualtrics", exact=True)).to_be_visible()
    expect(page.get_by_text("Qualtrics: ‘Finished’ is niet waar")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    # The preview is a form a keyboard can walk: the first column choice takes the focus.
    page.get_by_label("Kolom voor vraag 1").focus()
    expect(page.get_by_label("Kolom voor vraag 1")).to_be_focused()
    with page.expect_navigation():
        page.get_by_role("button", name="Annuleren: niets inlezen").click()
    check_a11y(page)
    expect(page.get_by_text("Het inlezen is geannuleerd; er is niets opgeslagen.")).to_be_visible()
