"""The mentor register in a real browser: a coordinator records who attended a session, issues
the certificates of all attendees in one step, and sees the mentors' next steps change (on the
mentor page and in the list for the HR conversation cycle). axe checks every page."""
from __future__ import annotations

from datetime import date

import pytest

from kwaliteit.registry.models import PersonRole
from tests import factories
from tests.browser.conftest import check_a11y, log_in, visit

expect = pytest.importorskip("playwright.sync_api").expect

COORDINATOR = "coordinator@example.org"


def _submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_a11y(page)


def _row(page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))


def test_attendance_and_certificates_move_the_mentors_on(page, world, db):
    other = factories.person(db, world.school1, PersonRole.MENTOR, name="Femke Mulder")
    factories.mentorship(db, other, world.school1)  # mentors already, without a basic training
    factories.session(db, world.training1, trainers=[world.trainer_person], on=date(2026, 11, 2))
    db.commit()

    log_in(page, COORDINATOR)
    visit(page, f"/register/gesprekkencyclus?school={world.school1.id}")
    expect(_row(page, "Dirk Bakker")).to_contain_text("Basistraining volgen, vóór het begeleiden van een student")
    expect(_row(page, "Femke Mulder")).to_contain_text("Basistraining volgen: begeleidt al een student")

    # From the training's page to the session's attendance.
    visit(page, f"/trainingen/{world.training1.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Aanwezigheid bij de bijeenkomst van 2 november 2026").click()
    check_a11y(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aanwezigheid")
    page.get_by_label("Dirk Bakker (Basisschool De Linde)").check()
    page.get_by_label("Femke Mulder (Basisschool De Linde)").check()
    _submit(page, "Aanwezigheid opslaan")
    expect(page.get_by_role("status").first).to_contain_text("2 toegevoegd")
    expect(_row(page, "Dirk Bakker")).to_contain_text("nog niet uitgereikt")

    expect(page.get_by_label("Uitgegeven door")).to_have_value("gezamenlijk")
    _submit(page, "Certificaten uitreiken aan alle aanwezigen")
    expect(page.get_by_role("status").first).to_contain_text("2 certificaten uitgereikt")
    expect(_row(page, "Femke Mulder")).to_contain_text("2026-")
    # A second click issues nothing, and says so.
    _submit(page, "Certificaten uitreiken aan alle aanwezigen")
    expect(page.get_by_role("status").first).to_contain_text("Er is niets uitgereikt")

    with page.expect_navigation():
        _row(page, "Dirk Bakker").get_by_role("link", name="Dirk Bakker").click()
    check_a11y(page)
    expect(page.locator("#leerlijn + dl")).to_contain_text("Op koers")
    expect(page.locator("#leerlijn + dl")).to_contain_text("Opfris- of verdiepingstraining volgen, uiterlijk 2 november 2031")

    visit(page, f"/register/gesprekkencyclus?school={world.school1.id}")
    for name in ("Dirk Bakker", "Femke Mulder"):
        expect(_row(page, name)).to_contain_text("Op koers")
        expect(_row(page, name)).to_contain_text("uiterlijk 2 november 2031")
    visit(page, "/register/mentoren?fase=geen-basistraining")
    expect(page.get_by_role("status").first).to_have_text("0 mentoren")


def test_certificate_forms_and_print_view_are_accessible(page, world, db):
    from kwaliteit.certification.certificates import CertificateData, add_certificate
    from kwaliteit.certification.models import Issuer
    from kwaliteit.scope import Scope
    from kwaliteit.trainings.models import TrainingKind

    cert = add_certificate(db, Scope.everything(), world.mentor.id, CertificateData(
        TrainingKind.BASIC, date(2024, 9, 1), Issuer.JOINT, board_id=world.school1.parent_id,
        institute_id=world.institute1.id), date(2026, 11, 22))
    db.commit()
    log_in(page, COORDINATOR)
    visit(page, f"/register/mentoren/{world.mentor.id}")
    page.get_by_text("Certificaat toevoegen").click()
    page.get_by_label("Soort training").select_option(label="Basistraining")
    page.get_by_label("Geldig tot").fill("2020-01-01")
    _submit(page, "Certificaat opslaan")
    expect(page.get_by_role("alert")).to_contain_text("De geldigheid kan niet eindigen vóór de datum van uitgifte")
    visit(page, f"/register/certificaten/{cert.id}/bewerken")
    visit(page, f"/register/certificaten/{cert.id}/afdrukken")
    expect(page.get_by_role("button", name="Certificaat afdrukken")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Certificaat afdrukken")).to_be_hidden()
    expect(page.locator(".certificate")).to_contain_text("Namens het bestuur: Bestuur Noord")
    expect(page.locator(".certificate")).to_contain_text("Namens het opleidingsinstituut: Pabo Noord")
