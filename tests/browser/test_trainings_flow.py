"""The trainings flow in a real browser: log in, link a training to safeguards, read it back.

Every page visited is checked with axe (serious and critical violations fail the test).
"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import check_a11y, log_in, visit

expect = pytest.importorskip("playwright.sync_api").expect

COORDINATOR = "coordinator@example.org"
# screen.width, not innerWidth: a phone browser widens its layout viewport to overflowing content.
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= screen.width"


def _submit(page, name: str = "Opslaan") -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_a11y(page)


def _fill_training(page, title: str) -> None:
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Soort training").select_option(label="Verdiepingstraining")
    page.get_by_label("Vorm").select_option(label="Blended")
    page.get_by_label("Contacturen").fill("7,5")


def test_create_training_linked_to_two_safeguards(page, world):
    first, second = world.safeguards[1], world.safeguards[2]
    log_in(page, COORDINATOR)  # lands on the dashboard, the start page; the menu leads to the trainings
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard kwaliteitszorg")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Trainingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trainingen")
    page.get_by_role("link", name="Nieuwe training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe training")
    check_a11y(page)

    _fill_training(page, "Verdieping begeleiden in de klas")
    page.get_by_label(f"Draagt bij aan {first.name}").check()
    page.get_by_label(f"Toelichting bij {first.name}").fill("Mentoren oefenen het nagesprek.")
    page.get_by_label(f"Draagt bij aan {second.name}").check()
    page.get_by_label(f"Toelichting bij {second.name}").fill("Afspraken over taken zijn vastgelegd.")
    _submit(page)

    assert re.search(r"/trainingen/\d+$", page.url), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Verdieping begeleiden in de klas")
    expect(page.get_by_role("status").first).to_contain_text("is opgeslagen")
    expect(page.locator(".facts")).to_contain_text("Verdiepingstraining")
    expect(page.locator(".facts")).to_contain_text("7,5")
    training_url = page.url

    for safeguard, rationale in (
        (first, "Mentoren oefenen het nagesprek."),
        (second, "Afspraken over taken zijn vastgelegd."),
    ):
        page.goto(training_url)
        page.get_by_role("link", name=safeguard.name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Waarborg: {safeguard.name}")
        check_a11y(page)
        card = page.locator(".card").filter(
            has=page.get_by_role("link", name="Verdieping begeleiden in de klas")
        )
        expect(card).to_have_count(1)
        expect(card).to_contain_text(rationale)


def test_checked_safeguard_without_rationale_keeps_the_input(page, world):
    sg = world.safeguards[0]
    log_in(page, COORDINATOR)
    visit(page, "/trainingen/nieuw")
    _fill_training(page, "Opfrissen zonder toelichting")
    page.get_by_label("Beschrijving").fill("Een middag over feedback.")
    page.get_by_label(f"Draagt bij aan {sg.name}").check()
    _submit(page)

    assert page.url.endswith("/trainingen/nieuw")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("De training is niet opgeslagen.")
    expect(summary).to_be_focused()  # static/page.js moves the focus to the summary
    assert page.title().startswith("Fout: ")
    expect(summary.get_by_role("link", name=f"Toelichting bij {sg.name}")).to_have_attribute(
        "href", f"#rationale_{sg.id}"
    )
    rationale = page.get_by_label(f"Toelichting bij {sg.name}")
    expect(rationale).to_have_attribute("aria-invalid", "true")
    # The message is tied to the field, so a screen reader reads it with the field.
    expect(rationale).to_have_accessible_description(
        re.compile("Licht toe hoe de training deze waarborg dient.")
    )
    expect(page.get_by_label("Titel")).to_have_value("Opfrissen zonder toelichting")
    expect(page.get_by_label("Soort training")).to_have_value("verdiepingstraining")
    expect(page.get_by_label("Vorm")).to_have_value("blended")
    expect(page.get_by_label("Contacturen")).to_have_value("7,5")
    expect(page.get_by_label("Beschrijving")).to_have_value("Een middag over feedback.")
    expect(page.get_by_label(f"Draagt bij aan {sg.name}")).to_be_checked()


def test_trainings_usable_on_a_phone(phone_page, world):
    page = phone_page
    log_in(page, COORDINATOR)
    visit(page, "/trainingen")
    assert page.evaluate("window.innerWidth") == 375
    assert page.evaluate(NO_HORIZONTAL_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    link = page.get_by_role("link", name=world.training1.title)
    expect(link).to_be_visible()
    link.tap()
    page.wait_for_url(re.compile(rf"/trainingen/{world.training1.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(world.training1.title)
    check_a11y(page)
    assert page.evaluate(NO_HORIZONTAL_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    for name in ("Bewerken", "Nieuwe bijeenkomst"):
        box = page.get_by_role("link", name=name, exact=True).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, (name, box)
    visit(page, "/trainingen/nieuw")
    assert page.evaluate(NO_HORIZONTAL_SCROLL), page.evaluate("document.documentElement.scrollWidth")


def test_skip_link_is_the_first_focusable_element(page, world):
    visit(page, "/inloggen")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["skip-link", "Naar de inhoud"]
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#inhoud'")
    assert page.evaluate("document.activeElement.id") == "inhoud"

    log_in(page, COORDINATOR)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Naar de inhoud")
