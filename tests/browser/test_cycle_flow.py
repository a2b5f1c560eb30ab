"""A review cycle in a real browser (issue 10): a coordinator writes the analysis and completes
Check, adds an improvement action marked public and completes Act; the open action shows in next
year's Plan, and participants of a next session see it on the form and on the thank-you page
("Wat we met jullie feedback deden"). axe checks every page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from evaluaties.answers import links
from kwaliteit.models_base import utcnow
from kwaliteit.scope import Scope
from tests import factories
from tests.browser.conftest import check_a11y, log_in, visit
from tests.conftest import TODAY

expect = pytest.importorskip("playwright.sync_api").expect

COORDINATOR = "coordinator@example.org"
ACTION = "Meer oefenen met lastige feedbackgesprekken"


def _submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    check_a11y(page)


def _follow(page, name) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=isinstance(name, str)).first.click()
    check_a11y(page)


def test_check_and_act_then_you_said_we_did(page, world, db):
    last = factories.cycle(db, world.training1, 2025, owner=world.coordinator, plan_text="Vorig jaar.")
    last.plan_done_at = utcnow()
    this = factories.cycle(db, world.training1, 2026, owner=world.coordinator)
    ts = factories.session(db, world.training1, trainers=[world.trainer_person], on=TODAY - timedelta(days=2))
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), ts.id, 1)
    db.commit()

    log_in(page, COORDINATOR)
    visit(page, "/cycli")
    _follow(page, re.compile(r"^Basistraining mentoren Noord\s*, cyclus 2025-2026$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cyclus 2025-2026: Basistraining mentoren Noord")

    # Check: the analysis, then complete it.
    _follow(page, "Analyse bewerken")
    for question in ("Doen we de goede dingen?", "Doen we ze goed?", "Hoe weten we dat?", "Vinden anderen dat ook?"):
        page.get_by_label(question).fill(f"Antwoord op: {question}")
    _submit(page, "Opslaan")
    expect(page.get_by_role("status").first).to_contain_text("De analyse is opgeslagen.")
    _submit(page, "Check afronden")
    expect(page.get_by_role("status").first).to_contain_text("De trainersevaluaties van dit schooljaar zijn vergrendeld")

    # Act: an improvement action, first refused without an owner, then public and in progress.
    _follow(page, "Nieuwe verbeteractie")
    page.get_by_label("Verbeteractie").fill(ACTION)
    page.get_by_label("Bevinding uit de evaluatie waarop de actie antwoordt").fill("Deelnemers willen meer oefenen.")
    page.get_by_label("Klaar op").fill("2027-01-15")
    _submit(page, "Opslaan")
    expect(page.get_by_role("alert")).to_contain_text("Kies een eigenaar van de verbeteractie.")
    page.get_by_label("Eigenaar").select_option(str(world.coordinator.id))
    page.get_by_label("Status").select_option("bezig")
    page.get_by_label(re.compile("^Openbaar")).check()
    _submit(page, "Opslaan")
    expect(page.get_by_role("status").first).to_contain_text("De verbeteractie is opgeslagen.")
    expect(page.get_by_role("table", name="Verbeteracties van 2025-2026")).to_contain_text("openbaar")
    _submit(page, "Act afronden")
    expect(page.get_by_role("status").first).to_contain_text("Act is afgerond.")

    # Next year's Plan carries the open action.
    _follow(page, "Cyclus 2026-2027")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cyclus 2026-2027: Basistraining mentoren Noord")
    carried = page.get_by_role("table", name="Open verbeteracties uit eerdere jaren van deze training")
    expect(carried).to_contain_text(ACTION)
    expect(carried).to_contain_text("2025-2026")
    assert f"/cycli/{this.id}" in page.url

    # A participant of the next session sees it on the form and, after answering, on the thanks.
    _submit(page, "Uitloggen")
    visit(page, f"/e/{ts.id}/{link.token}")
    feedback = page.get_by_role("region", name="Wat we met jullie feedback deden")
    expect(feedback).to_contain_text(ACTION)
    for fieldset in page.locator(".question fieldset").all():
        fieldset.get_by_label("4 –").first.check()
    page.get_by_label("Welk cijfer geef je deze bijeenkomst als geheel?").fill("8")
    _submit(page, "Versturen")
    expect(page.get_by_role("heading", name="Bedankt!")).to_be_visible()
    expect(page.get_by_role("region", name="Wat we met jullie feedback deden")).to_contain_text(ACTION)
