"""Everyday use (issue 8, items 2-10): the trainer's list by urgency, the session page as hub,
pickers, sortable lists, forms and wording, trainer evaluations read-only and named, trainers
reading their own sessions' results, duplicates, the glossary and print.

Service tests use the `db` world; page tests use the test client (each request has its own
session). Every list sort is tried both ways and with hostile arguments: never a 500.
"""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from evaluaties.answers import links, requests
from evaluaties.answers.models import ParticipantLink
from evaluaties.answers.status import Status
from evaluaties.questionnaires import services as qs
from evaluaties.questionnaires.models import Audience, EvaluationSettings, Questionnaire
from kwaliteit import glossary
from kwaliteit.filters import nl_number
from kwaliteit.forms import option_labels
from kwaliteit.models_base import utcnow
from kwaliteit.registry.models import OrganisationKind
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.trainings import services as training_services
from kwaliteit.trainings.models import Training, TrainingSession
from kwaliteit.validation import ValidationError, copy_title
from tests import factories
from tests.conftest import TODAY, count_statements, login
from tests.test_evaluations import full_participant_answers, full_trainer_answers

ROOT = Path(__file__).resolve().parent.parent


def body(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def client_as(app, user):
    client = app.test_client()
    login(client, user)
    return client


def everything() -> Scope:
    return Scope.everything()


# ================================================================ item 2: the trainer's list


def _trainer_sessions(db, world):
    """Sessions of world.trainer_person in every state, relative to TODAY (2026-11-22); the
    default due date is the session date + 14 days, due soon is the last 5 days."""
    t = world.training1
    tp = world.trainer_person
    on = {
        "overdue_old": TODAY - timedelta(days=60),
        "overdue_new": TODAY - timedelta(days=20),
        "due_soon": TODAY - timedelta(days=12),
        "open": TODAY - timedelta(days=2),
        "upcoming_far": TODAY + timedelta(days=40),
        "upcoming_near": TODAY + timedelta(days=3),
        "submitted_old": TODAY - timedelta(days=300),
        "submitted_new": TODAY - timedelta(days=100),
        "waived": TODAY - timedelta(days=30),
        "cancelled": TODAY - timedelta(days=25),
    }
    sessions = {k: factories.session(db, t, trainers=[tp], on=d) for k, d in on.items()}
    for key in ("submitted_old", "submitted_new"):
        req = requests.get_or_create_request(db, sessions[key].id, Audience.TRAINER)
        req.submitted_at = utcnow()
    requests.waive(db, everything(), sessions["waived"].id, Audience.TRAINER, "Anders verlopen.", None)
    sessions["cancelled"].cancelled_at, sessions["cancelled"].cancel_reason = utcnow(), "Ziek."
    db.flush()
    return sessions


def test_trainer_list_most_urgent_first(db, world, today):
    sessions = _trainer_sessions(db, world)
    db.commit()
    rows = requests.trainer_evaluations_of(db, world.trainer_person.id, today)
    by_id = {s.id: k for k, s in sessions.items()}
    order = [by_id.get(r.session.id, "world") for r in rows]
    # world.session1 (1 October 2026, due 15 October) is overdue too: between the two.
    assert order == [
        "overdue_old", "world", "overdue_new", "due_soon", "open",
        "upcoming_near", "upcoming_far",
        "submitted_new", "submitted_old",
        "waived", "cancelled",
    ]
    assert [r.status for r in rows][:5] == [Status.OVERDUE] * 3 + [Status.DUE_SOON, Status.OPEN]


def test_trainer_page_sections_and_summary(app, db, world):
    sessions = _trainer_sessions(db, world)
    db.commit()
    page = body(client_as(app, world.trainer).get("/mijn-evaluaties"))
    first = sessions["overdue_old"]
    # The summary counts what is to do and links to the most urgent item, which comes first.
    assert re.search(r"Nu te doen:\s*<strong>3 te laat</strong>, <strong>1 bijna verlopen</strong>, "
                     r"<strong>1 open</strong>", page)
    assert f'href="#evaluatie-{first.id}"' in page
    assert page.index(f'id="evaluatie-{first.id}"') < page.index(f'id="evaluatie-{sessions["open"].id}"')
    positions = [page.index(h) for h in ("Nu te doen <", "Binnenkort <", "<summary>Ingediend (2)",
                                         "<summary>Vrijgesteld of geannuleerd (2)")]
    assert positions == sorted(positions)
    # Submitted work is folded away, in a <details> without `open`.
    folded = page[page.index("<summary>Ingediend (2)") - 40:]
    assert "<details" in folded[:60] and "open" not in folded[:40]


def test_trainer_page_statements_do_not_grow(app, db, world):
    client = client_as(app, world.trainer)
    small, _ = count_statements(app, client, "/mijn-evaluaties")
    for k in range(30):
        factories.session(db, world.training1, trainers=[world.trainer_person], on=TODAY - timedelta(days=k * 7))
    db.commit()
    large, page = count_statements(app, client, "/mijn-evaluaties")
    assert len(small) == len(large)
    assert page.count("Evaluatie invullen<span") >= 3


# ================================================================ item 3: the session page as hub


def test_session_page_response_and_prefilled_links(app, db, world):
    ts = world.session1  # 12 participants
    links.create_single_links(db, everything(), ts.id, 5)
    db.commit()
    page = body(client_as(app, world.coordinator).get(f"/bijeenkomsten/{ts.id}/evaluatie"))
    assert re.search(r'name="count"[^>]*value="7"|value="7"[^>]*name="count"', page)  # 12 - 5
    assert re.search(r"<dt>Respons.*?</dt><dd><strong>0%</strong>", page, re.DOTALL)
    assert "<dt>Deelnemers</dt><dd>12" in page


def test_no_prefill_when_every_participant_has_a_link(app, db, world):
    links.create_single_links(db, everything(), world.session1.id, 12)
    db.commit()
    page = body(client_as(app, world.coordinator).get(f"/bijeenkomsten/{world.session1.id}/evaluatie"))
    assert not re.search(r'name="count"[^>]*value="\d', page)


@pytest.fixture
def open_window(app, monkeypatch):
    """Today is the day of session1 (1 October 2026): its participant window is open."""
    monkeypatch.setitem(app.config, "FIXED_TODAY", date(2026, 10, 1))


def test_copy_and_download_the_open_links(app, db, world, open_window):
    ts = world.session1
    made = links.create_single_links(db, everything(), ts.id, 3)
    shared = links.create_shared_link(db, everything(), ts.id, 20)
    links.close_link(db, everything(), made[0].id)
    db.commit()
    client = client_as(app, world.coordinator)
    page = body(client.get(f"/bijeenkomsten/{ts.id}/evaluatie"))
    open_tokens = [made[1].token, made[2].token, shared.token]
    box = re.search(r'<textarea id="alle-links"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1)
    assert sorted(line.rsplit("/", 1)[1] for line in box.split("\n")) == sorted(open_tokens)
    assert made[0].token not in box
    assert 'data-copy-from="alle-links"' in page and 'id="kopieer-status"' in page

    text = client.get(f"/bijeenkomsten/{ts.id}/links.txt")
    assert text.status_code == 200 and text.mimetype == "text/plain"
    assert "attachment" in text.headers["Content-Disposition"]
    assert sorted(line.rsplit("/", 1)[1] for line in text.get_data(as_text=True).split()) == sorted(open_tokens)
    table = client.get(f"/bijeenkomsten/{ts.id}/links.csv")
    rows = list(csv.reader(io.StringIO(table.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Nummer", "Soort", "Link", "Antwoorden over"]
    assert sorted(r[2].rsplit("/", 1)[1] for r in rows[1:]) == sorted(open_tokens)
    assert ["persoonlijk", "1"] == [rows[1][1], rows[1][3]] or ["gedeeld", "20"] == [rows[1][1], rows[1][3]]


def test_close_asks_first_and_reopen_undoes_it(app, db, world, open_window):
    [link] = links.create_single_links(db, everything(), world.session1.id, 1)
    db.commit()
    client = client_as(app, world.coordinator)
    page = body(client.get(f"/bijeenkomsten/{world.session1.id}/evaluatie"))
    # Closing is a step inside a <details>: the button that closes says what it does.
    assert re.search(r"<details class=\"confirm\">\s*<summary>Sluiten…", page)
    assert f"Ja, link {link.id} sluiten" in page

    response = client.post(f"/links/{link.id}/sluiten")
    assert response.status_code == 302 and response.headers["Location"].endswith("#melding")
    page = body(client.get(f"/bijeenkomsten/{world.session1.id}/evaluatie"))
    assert f"Link {link.id} is gesloten" in page and 'id="melding"' in page
    assert "Heropenen<span" in page
    db.rollback()
    assert links.check_link(db, world.session1.id, link.token, date(2026, 10, 1)).state is links.LinkState.CLOSED

    assert client.post(f"/links/{link.id}/heropenen").status_code == 302
    db.rollback()
    assert db.get(ParticipantLink, link.id).closed_at is None
    assert links.check_link(db, world.session1.id, link.token, date(2026, 10, 1)).state is links.LinkState.OK
    assert f"Link {link.id} is weer open." in body(client.get(f"/bijeenkomsten/{world.session1.id}/evaluatie"))


def test_links_show_closed_once_the_window_closed(app, db, world):
    """TODAY is long after session1's window (21 days): its open link shows as closed, cannot be
    copied, downloaded or closed, and the participant gets the window's message."""
    [link] = links.create_single_links(db, everything(), world.session1.id, 1)
    db.commit()
    assert links.link_state(link, Status.CLOSED) is links.LinkState.WINDOW_CLOSED
    assert links.link_state(link, Status.UPCOMING) is links.LinkState.NOT_YET_OPEN
    assert links.link_state(link, Status.OPEN) is links.LinkState.OK
    client = client_as(app, world.coordinator)
    page = body(client.get(f"/bijeenkomsten/{world.session1.id}/evaluatie"))
    assert "gesloten (termijn voorbij)" in page
    assert "Uitdelen: 0 open links" in page and "Sluiten…" not in page
    assert f'data-copy-from="url-{link.id}"' not in page
    assert client.get(f"/bijeenkomsten/{world.session1.id}/links.txt").get_data(as_text=True) == ""
    assert links.check_link(db, world.session1.id, link.token, TODAY).state is links.LinkState.WINDOW_CLOSED


def test_reopen_in_a_cancelled_session_is_refused(app, db, world, open_window):
    [link] = links.create_single_links(db, everything(), world.session1.id, 1)
    links.close_link(db, everything(), link.id)
    training_services.set_session_cancelled(db, everything(), world.session1.id, "Vervallen.")
    db.commit()
    with pytest.raises(ValidationError):
        links.reopen_link(db, everything(), link.id)
    db.rollback()
    with pytest.raises(Forbidden):
        links.reopen_link(db, Scope.for_user(world.steering), link.id)


def test_session_list_of_a_training_shows_evaluation_status_and_response(app, db, world):
    later = factories.session(db, world.training1, trainers=[world.trainer_person], on=TODAY - timedelta(days=3),
                              participants=4)
    links.create_single_links(db, everything(), later.id, 4)
    db.commit()
    rows = training_services_rows(db, world)
    assert [r.session.id for r in rows] == [later.id, world.session1.id]  # newest first
    assert rows[0].trainer_status is Status.OPEN and rows[1].trainer_status is Status.OVERDUE
    assert (rows[0].rate.invited, rows[0].rate.answers, rows[0].rate.rate_pct) == (4, 0, 0)
    page = body(client_as(app, world.coordinator).get(f"/trainingen/{world.training1.id}"))
    assert "te laat" in page and "0 van 4" in page and "0 van 12" in page


def training_services_rows(db, world):
    from evaluaties.results.rates import training_session_rows

    return training_session_rows(db, everything(), world.training1.id, TODAY)


def test_a_new_session_leads_to_its_links(app, world):
    client = client_as(app, world.coordinator)
    on = (TODAY + timedelta(days=10)).isoformat()
    response = client.post(
        f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw",
        data={"date": on, "start_time": "09:00", "location": "Pabo Noord", "participant_count": "9",
              "trainer_ids": [str(world.trainer_person.id)]},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.search(r"/bijeenkomsten/\d+/evaluatie#melding$", location)
    page = body(client.get(location.split("#")[0]))
    assert "Maak hier de links voor de deelnemers." in page
    assert re.search(r'name="count"[^>]*value="9"|value="9"[^>]*name="count"', page)


# ================================================================ item 4: pickers


def test_pickers_list_every_option_and_name_repeated_organisations(app, db, world):
    # The admin sees every partnership: an organisation name used in both gets its partnership.
    factories.organisation(db, world.p2, OrganisationKind.INSTITUTE, "Pabo Noord")
    for k in range(14):
        factories.person(db, world.school1, factories.PersonRole.SCHOOL_EDUCATOR, name=f"Trainer {k:02d}")
    db.commit()
    admin = client_as(app, world.admin)
    page = body(admin.get("/trainingen/nieuw"))
    assert 'data-picker="Zoek een organisatie"' in page
    assert "Pabo Noord (opleidingsinstituut, Partnerschap Noord)" in page
    assert "Pabo Noord (opleidingsinstituut, Partnerschap Zuid)" in page
    assert "Basisschool De Linde (school)<" in page  # a unique name stays short
    page = body(admin.get(f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw"))
    assert 'data-picker="Zoek een trainer"' in page
    assert all(f"Trainer {k:02d}" in page for k in range(14))
    css = (ROOT / "kwaliteit/static/style.css").read_text()
    assert "max-height" not in css[css.index(".checklist ul"):][:120]  # no cut-off scroll box


def test_option_labels_name_the_qualifier_only_where_labels_repeat():
    rows = [(1, "Basistraining mentoren", "Noord"), (2, "basistraining MENTOREN", "Zuid"), (3, "Opfris", "Noord")]
    assert option_labels(rows) == [
        (1, "Basistraining mentoren (Noord)"), (2, "basistraining MENTOREN (Zuid)"), (3, "Opfris")
    ]


def test_training_filter_names_the_partnership_of_repeated_titles(app, db, world):
    factories.training(db, world.p2, "Basistraining mentoren Noord")  # the same title in Zuid
    db.commit()
    page = body(client_as(app, world.admin).get("/respons"))
    assert "Basistraining mentoren Noord (Partnerschap Noord)" in page
    assert "Basistraining mentoren Noord (Partnerschap Zuid)" in page
    assert "Basistraining mentoren Zuid<" in page


# ================================================================ item 5: sortable lists


def _order(page: str, names: list[str]) -> list[str]:
    found = [(page.index(n), n) for n in names if n in page]
    assert len(found) == len(names), [n for n in names if n not in page]
    return [n for _, n in sorted(found)]


@pytest.fixture
def three_trainings(db, world):
    sgs = world.safeguards
    factories.training(db, world.p1, "Alfa training", safeguards=sgs[:3])
    beta = factories.training(db, world.p1, "beta training", safeguards=sgs[:1])
    for k in range(3):
        factories.session(db, beta, on=date(2026, 9, 1) + timedelta(days=k))
    db.commit()
    return ["Alfa training", "beta training", "Basistraining mentoren Noord"]


def test_trainings_sort_both_ways(app, world, three_trainings):
    client = client_as(app, world.coordinator)
    names = three_trainings
    page = body(client.get("/trainingen"))  # default: title, A-Z, case-insensitive
    assert _order(page, names) == ["Alfa training", "Basistraining mentoren Noord", "beta training"]
    assert re.search(r'<th scope="col" class="sortable "\s*aria-sort="ascending">\s*<a href="[^"]*sorteer=titel'
                     r'[^"]*richting=af', page)
    page = body(client.get("/trainingen?sorteer=titel&richting=af"))
    assert _order(page, names) == ["beta training", "Basistraining mentoren Noord", "Alfa training"]
    assert 'aria-sort="descending"' in page
    page = body(client.get("/trainingen?sorteer=bijeenkomsten&richting=af"))
    assert _order(page, names)[0] == "beta training"
    page = body(client.get("/trainingen?sorteer=waarborgen&richting=op"))
    assert _order(page, names) == ["beta training", "Basistraining mentoren Noord", "Alfa training"]
    page = body(client.get("/trainingen?sorteer=waarborgen&richting=af"))
    assert _order(page, names) == ["Alfa training", "Basistraining mentoren Noord", "beta training"]


HOSTILE_SORTS = ["sorteer=titel;drop table training", "sorteer=&richting=", "sorteer=id", "sorteer=__class__",
                 "sorteer=titel&richting=sideways", "sorteer=" + "x" * 5000, "sorteer=titel&sorteer=status",
                 "richting=af", "sorteer=%C3%A9"]


@pytest.mark.parametrize("url", ["/trainingen", "/evaluaties?status=", "/respons"])
@pytest.mark.parametrize("args", HOSTILE_SORTS)
def test_bad_sort_arguments_fall_back(app, world, url, args):
    client = client_as(app, world.admin)
    response = client.get(f"{url}{'&' if '?' in url else '?'}{args}")
    assert response.status_code == 200
    default = client.get(url)
    if "sorteer=titel&richting=sideways" not in args and "sorteer=titel&sorteer" not in args:
        # Not a known column: the list's own default order, the same rows.
        def rows(r):
            page = r.get_data(as_text=True)
            return page[page.index("<tbody>"):page.index("</tbody>")] if "<tbody>" in page else page
        assert rows(response) == rows(default)


def _overview_world(db, world):
    t2 = factories.training(db, world.p1, "Alfa training")
    a = factories.session(db, t2, trainers=[world.trainer_person], on=TODAY - timedelta(days=40))
    b = factories.session(db, world.training1, trainers=[world.trainer_person], on=TODAY - timedelta(days=10))
    db.commit()
    return a, b


def test_evaluations_overview_sorts_both_ways(app, db, world):
    a, b = _overview_world(db, world)  # a: 13 Oct (overdue), session1: 1 Oct (overdue), b: 12 Nov (due soon)
    client = client_as(app, world.coordinator)
    dates = [f'"/bijeenkomsten/{s.id}/evaluatie"' for s in (world.session1, a, b)]
    page = client.get("/evaluaties").get_data(as_text=True)  # default: owed, oldest due first
    assert _order(page, dates) == dates
    page = client.get("/evaluaties?sorteer=datum&richting=af").get_data(as_text=True)
    assert _order(page, dates) == [dates[2], dates[1], dates[0]]
    page = client.get("/evaluaties?sorteer=training&richting=op").get_data(as_text=True)
    assert _order(page, dates)[0] == dates[1]  # "Alfa training"
    page = client.get("/evaluaties?sorteer=status&richting=af").get_data(as_text=True)
    assert _order(page, dates)[0] == dates[2]  # due soon after overdue: first when reversed
    assert 'aria-sort="descending"' in page


def test_evaluations_overview_partnership_filter(app, db, world):
    client = client_as(app, world.admin)
    page = body(client.get(f"/evaluaties?status=&partnerschap={world.p2.id}"))
    assert world.training2.title in page and world.training1.title not in page
    assert 'name="partnerschap"' in page
    # A coordinator of one partnership gets no partnership menu, and a foreign id shows nothing.
    page = body(client_as(app, world.coordinator).get(f"/evaluaties?status=&partnerschap={world.p2.id}"))
    assert 'name="partnerschap"' not in page and world.training2.title not in page


def test_rates_sort_and_show_past_and_open_sessions_by_default(app, db, world):
    future = factories.session(db, world.training1, on=TODAY + timedelta(days=5), participants=10)
    busy = factories.session(db, world.training1, on=TODAY - timedelta(days=3), participants=2)
    links.create_single_links(db, everything(), busy.id, 2)
    db.commit()
    client = client_as(app, world.coordinator)
    cell = '"/bijeenkomsten/{}/resultaten"'
    page = client.get("/respons").get_data(as_text=True)
    assert cell.format(future.id) not in page
    assert _order(page, [cell.format(busy.id), cell.format(world.session1.id)]) == [
        cell.format(busy.id), cell.format(world.session1.id)]  # newest first
    page = client.get("/respons?periode=alle").get_data(as_text=True)
    assert cell.format(future.id) in page
    page = client.get("/respons?sorteer=links&richting=af").get_data(as_text=True)
    assert _order(page, [cell.format(busy.id), cell.format(world.session1.id)])[0] == cell.format(busy.id)
    page = client.get("/respons?sorteer=links&richting=op").get_data(as_text=True)
    assert _order(page, [cell.format(busy.id), cell.format(world.session1.id)])[0] == cell.format(world.session1.id)
    page = client.get("/respons?sorteer=deelnemers&richting=af").get_data(as_text=True)
    assert _order(page, [cell.format(busy.id), cell.format(world.session1.id)])[0] == cell.format(world.session1.id)
    assert "<th scope=\"col\" class=\"sortable num\"" in page and ">Deelnemers<" in page
    assert "Uitgenodigd" not in page


def test_rates_sort_on_the_rate_puts_unknown_rates_last(app, db, world):
    none = factories.session(db, world.training1, on=TODAY - timedelta(days=2), participants=0)
    db.commit()
    client = client_as(app, world.coordinator)
    ids = [f'"/bijeenkomsten/{s.id}/resultaten"' for s in (world.session1, none)]
    assert _order(client.get("/respons?sorteer=respons&richting=af").get_data(as_text=True), ids) == ids
    assert _order(client.get("/respons?sorteer=respons&richting=op").get_data(as_text=True), ids) == ids[::-1]


# ================================================================ item 6: forms and wording


def test_no_silent_preselection(app, world):
    client = client_as(app, world.coordinator)
    page = body(client.get("/trainingen/nieuw"))
    for name in ("kind", "form"):
        select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
        assert select_html.startswith('<option selected value="">Kies…</option>')
    # The only partnership is not a guess: it stays chosen.
    assert re.search(rf'<option selected value="{world.p1.id}">', page)
    response = client.post("/trainingen/nieuw", data={"partnership_id": str(world.p1.id), "title": "Zonder soort",
                                                       "kind": "", "form": "", "contact_hours": "3"})
    page = body(response)
    assert response.status_code == 400
    assert "Kies een soort training." in page and "Kies een vorm." in page
    assert "<title>Fout: Nieuwe training" in page
    assert "De training is niet opgeslagen." in page and "data-error-summary" in page
    admin_page = body(client_as(app, world.admin).get("/trainingen/nieuw"))
    options = re.search(r'<select[^>]*name="partnership_id"[^>]*>(.*?)</select>', admin_page, re.DOTALL).group(1)
    assert options.startswith('<option selected value="">Kies…</option>')


def test_session_form_error_summary_names_the_session(app, world):
    response = client_as(app, world.coordinator).post(f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw", data={})
    page = body(response)
    assert response.status_code == 400
    assert "De bijeenkomst is niet opgeslagen." in page and "<title>Fout: Nieuwe bijeenkomst" in page


def test_one_decimal_everywhere():
    assert nl_number(4) == "4,0" and nl_number(4.05) == "4,0" and nl_number(4.1) == "4,1"
    assert nl_number(12) == "12,0" and nl_number(67.4, 0) == "67" and nl_number(None) == ""


def test_templates_use_one_verb_for_importing():
    """What a user reads says "inlezen"; URLs and form values may keep their names."""
    for path in (ROOT / "templates").rglob("*.html"):
        text = re.sub(r"\{[{%#].*?[}%#]\}|<[^>]*>", " ", path.read_text(), flags=re.DOTALL)
        assert not re.search(r"mporte|mporter", text), path


# ================================================================ item 7: trainer evaluations


def _submit(db, world, session_id=None):
    req = requests.submit_trainer_evaluation(
        db, Scope.for_user(world.trainer), session_id or world.session1.id, full_trainer_answers(db, world), TODAY
    )
    db.commit()
    return req


def test_coordinator_sees_a_trainer_evaluation_read_only_with_an_edit_action(app, db, world):
    _submit(db, world)
    client = client_as(app, world.coordinator)
    url = f"/bijeenkomsten/{world.session1.id}/trainersevaluatie"
    page = body(client.get(url))
    assert "Goed gesprek." in page and 'name="q_' not in page and "<textarea" not in page
    assert f'href="{url}?bewerken=1">Bewerken</a>' in page
    assert world.trainer_person.name in page  # named: who submitted it
    page = body(client.get(url + "?bewerken=1"))
    assert 'name="q_' in page and "Wijzigingen opslaan" in page
    # Locked: no edit action, and asking for the form still shows the evaluation read-only.
    requests.set_locked(db, everything(), world.session1.id, True)
    db.commit()
    page = body(client.get(url + "?bewerken=1"))
    assert "Bewerken</a>" not in page and 'name="q_' not in page and "vergrendeld" in page


def test_an_evaluation_not_yet_submitted_opens_as_the_form(app, world):
    page = body(client_as(app, world.coordinator).get(f"/bijeenkomsten/{world.session1.id}/trainersevaluatie"))
    assert 'name="q_' in page and "Evaluatie indienen" in page


def test_trainer_evaluation_is_shown_with_one_response(app, db, world):
    """A session has one, named trainer evaluation: no threshold hides it (anonymity.py)."""
    _submit(db, world)
    page = body(client_as(app, world.coordinator).get(
        f"/bijeenkomsten/{world.session1.id}/resultaten?doelgroep=trainers"))
    assert "1 ingevulde vragenlijst" in page
    assert "tonen we alleen het aantal" not in page
    assert "Goed gesprek." in page  # the open answers of the trainer
    assert "gemiddelde <strong>4,0</strong>" in page  # one decimal
    from evaluaties.results import services as results

    rs = results.results(db, everything(), results.ResultFilters(session_id=world.session1.id, audience=None), 5)
    assert all(r.shown for r in rs.results if r.audience is Audience.TRAINER)


def test_trainer_reads_own_session_results_with_the_threshold(app, db, world):
    from evaluaties.answers.links import submit_participant_answers

    made = links.create_single_links(db, everything(), world.session1.id, 6)
    db.commit()
    for link in made[:4]:
        submit_participant_answers(db, world.session1.id, link.token, full_participant_answers(db, world), date(2026, 10, 1))
    db.commit()
    client = client_as(app, world.trainer)
    url = f"/bijeenkomsten/{world.session1.id}/resultaten"
    page = body(client.get(url))
    assert "4 antwoorden worden niet getoond" in page and "Prima" not in page
    assert "Mijn evaluaties" in page and "antwoorden.csv" not in page and "Antwoorden inlezen" not in page
    submit_participant_answers(db, world.session1.id, made[4].token, full_participant_answers(db, world),
                               date(2026, 10, 1))
    db.commit()
    page = body(client.get(url))
    assert "5 ingevulde vragenlijsten" in page and "Prima" in page
    # The trainer's list links to it.
    assert url in body(client.get("/mijn-evaluaties"))


def test_session_reader_scope(db, world):
    from evaluaties.results.services import session_reader

    other = factories.session(db, world.training1, trainers=[world.trainer_person2])
    db.commit()
    ts, scope = session_reader(db, Scope.for_user(world.trainer), world.session1.id)
    assert ts.id == world.session1.id and scope.partnership_ids == {world.p1.id}
    for session_id in (other.id, world.session2.id):
        with pytest.raises(Forbidden):
            session_reader(db, Scope.for_user(world.trainer), session_id)


# ================================================================ item 8: duplicates


def test_copy_title():
    assert copy_title("Training", set(), 200) == "Training (kopie)"
    assert copy_title("Training", {"training (kopie)"}, 200) == "Training (kopie 2)"
    assert copy_title("Training", {"training (kopie)", "training (kopie 2)"}, 200) == "Training (kopie 3)"
    long = copy_title("x" * 200, set(), 200)
    assert len(long) == 200 and long.endswith(" (kopie)")


def test_duplicate_a_training_with_its_links_and_settings(app, db, world):
    t = world.training1
    t.organisations = [world.school1, world.institute1]
    trainer_q = qs.create_questionnaire(db, everything(), world.p1.id, "Eigen trainers", Audience.TRAINER)
    qs.add_question(db, everything(), trainer_q.versions[0].id, qs.QuestionData("Hoe ging het?", qs.QuestionType.OPEN))
    qs.publish(db, everything(), trainer_q.versions[0].id)
    qs.update_settings(db, everything(), t.id, qs.SettingsData(trainer_q.id, None, 7, 10))
    db.commit()
    client = client_as(app, world.coordinator)
    response = client.post(f"/trainingen/{t.id}/kopie")
    assert response.status_code == 302
    copy_id = int(re.search(r"/trainingen/(\d+)/bewerken", response.headers["Location"]).group(1))
    db.rollback()
    copy = db.get(Training, copy_id)
    assert copy.title == "Basistraining mentoren Noord (kopie)" and copy.partnership_id == world.p1.id
    assert (copy.kind, copy.form, copy.contact_hours, copy.active) == (t.kind, t.form, t.contact_hours, True)
    assert {o.id for o in copy.organisations} == {world.school1.id, world.institute1.id}
    assert {(link.safeguard_id, link.rationale) for link in copy.safeguard_links} == {
        (link.safeguard_id, link.rationale) for link in db.get(Training, t.id).safeguard_links}
    settings = db.get(EvaluationSettings, copy_id)
    assert (settings.trainer_questionnaire_id, settings.trainer_due_days, settings.participant_window_days) == (
        trainer_q.id, 7, 10)
    assert copy.sessions == []
    assert "De kopie ‘Basistraining mentoren Noord (kopie)’ is gemaakt." in body(client.get(response.headers["Location"]))
    # A second copy, and one after a title taken in another case, stay unique.
    db.get(Training, copy_id).title = "BASISTRAINING MENTOREN NOORD (KOPIE)"
    db.commit()
    second = training_services.duplicate_training(db, everything(), t.id)
    assert second.title == "Basistraining mentoren Noord (kopie 2)"
    db.rollback()


def test_duplicate_a_training_needs_a_manager_in_scope(db, world):
    with pytest.raises(Forbidden):
        training_services.duplicate_training(db, Scope.for_user(world.steering), world.training1.id)
    with pytest.raises(Forbidden):
        training_services.duplicate_training(db, Scope.for_user(world.other_coordinator), world.training1.id)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Training)) == 2


def test_duplicate_a_session_on_a_new_date(app, db, world):
    client = client_as(app, world.coordinator)
    url = f"/bijeenkomsten/{world.session1.id}/kopie"
    page = body(client.get(url))
    assert 'value="15:30"' in page and world.trainer_person.name in page
    on = TODAY + timedelta(days=14)
    response = client.post(url, data={"date": on.isoformat(), "start_time": "10:00"})
    assert response.status_code == 302 and "#melding" in response.headers["Location"]
    new_id = int(re.search(r"/bijeenkomsten/(\d+)/evaluatie", response.headers["Location"]).group(1))
    db.rollback()
    ts = db.get(TrainingSession, new_id)
    assert (ts.training_id, ts.date, ts.start_time, ts.location, ts.participant_count) == (
        world.training1.id, on, time(10, 0), "Amsterdam", 12)
    assert {p.id for p in ts.trainers} == {world.trainer_person.id, world.trainer_person2.id}


@pytest.mark.parametrize("data, message", [
    ({"date": "", "start_time": "10:00"}, "Vul een geldige datum in."),
    ({"date": "2009-01-01", "start_time": "10:00"}, "Kies een datum na 01-08-2010."),
    ({"date": "2026-13-45", "start_time": "10:00"}, "Ongeldige datum"),
    ({"date": "2026-12-01", "start_time": "25:00"}, "Ongeldige waarde voor tijd."),
])
def test_duplicate_a_session_refuses_a_bad_date(app, db, world, data, message):
    before = db.scalar(select(func.count()).select_from(TrainingSession))
    response = client_as(app, world.coordinator).post(f"/bijeenkomsten/{world.session1.id}/kopie", data=data)
    page = body(response)
    assert response.status_code == 400 and "De kopie is niet gemaakt." in page
    assert message.lower() in page.lower()
    db.rollback()
    assert db.scalar(select(func.count()).select_from(TrainingSession)) == before


def _standard(db, audience=Audience.PARTICIPANT) -> Questionnaire:
    return db.get(Questionnaire, qs.default_questionnaire_id(db, audience))


def test_duplicate_a_standard_questionnaire_as_the_partnerships_own_draft(app, db, world):
    std = _standard(db)
    published = qs.latest_published(std)
    client = client_as(app, world.coordinator)
    page = body(client.get(f"/vragenlijsten/{std.id}"))
    assert "Kopie maken als eigen vragenlijst" in page
    assert f'<input type="hidden" name="partnership_id" value="{world.p1.id}">' in page
    response = client.post(f"/vragenlijsten/{std.id}/kopie", data={"partnership_id": str(world.p1.id)})
    assert response.status_code == 302
    copy_id = int(re.search(r"/vragenlijsten/(\d+)", response.headers["Location"]).group(1))
    db.rollback()
    copy = qs.get_questionnaire(db, everything(), copy_id)
    assert (copy.partnership_id, copy.audience, copy.title) == (world.p1.id, std.audience, f"{std.title} (kopie)")
    [draft] = copy.versions
    assert draft.number == 1 and not draft.is_published and draft.intro == published.intro
    assert [(q.code, q.text, q.type, q.options, q.safeguard_code) for q in draft.questions] == [
        (q.code, q.text, q.type, q.options, q.safeguard_code) for q in published.questions]
    assert qs.may_edit(Scope.for_user(world.coordinator), copy)
    # The original is untouched; a second copy gets its own title, or the one asked for.
    assert len(_standard(db).versions) == len(std.versions)
    second = qs.duplicate_questionnaire(db, Scope.for_user(world.coordinator), std.id, world.p1.id)
    assert second.title == f"{std.title} (kopie 2)"
    third = qs.duplicate_questionnaire(db, Scope.for_user(world.coordinator), std.id, world.p1.id, " Onze lijst ")
    assert third.title == "Onze lijst"
    with pytest.raises(ValidationError) as taken:
        qs.duplicate_questionnaire(db, Scope.for_user(world.coordinator), std.id, world.p1.id, "ONZE LIJST")
    assert taken.value.errors == {"title": qs.TITLE_TAKEN}
    db.rollback()


def test_duplicate_questionnaire_refuses_another_partnership_and_readers(app, db, world):
    std = _standard(db, Audience.TRAINER)
    coordinator = Scope.for_user(world.coordinator)
    with pytest.raises(ValidationError) as refused:
        qs.duplicate_questionnaire(db, coordinator, std.id, world.p2.id)
    assert "partnership_id" in refused.value.errors
    with pytest.raises(Forbidden):
        qs.duplicate_questionnaire(db, Scope.for_user(world.steering), std.id, world.p1.id)
    db.rollback()
    # The admin sees several partnerships and must choose one: nothing is made without it.
    before = db.scalar(select(func.count()).select_from(Questionnaire))
    client = client_as(app, world.admin)
    assert 'name="partnership_id"' in body(client.get(f"/vragenlijsten/{std.id}"))
    response = client.post(f"/vragenlijsten/{std.id}/kopie", data={"partnership_id": ""})
    assert response.status_code == 302
    assert "Kies een partnerschap." in body(client.get(response.headers["Location"].split("#")[0]))
    response = client.post(f"/vragenlijsten/{std.id}/kopie", data={"partnership_id": str(world.p2.id),
                                                                   "title": "x" * 201})
    assert "Hoogstens 200 tekens." in body(client.get(response.headers["Location"].split("#")[0]))
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Questionnaire)) == before


# ================================================================ item 9: help


def test_glossary_explains_the_terms_and_every_help_link_points_at_one(app, world):
    page = body(client_as(app, world.trainer).get("/begrippen"))
    for term in ("Waarborg", "Kwaliteitskader", "Bijeenkomst", "Trainersevaluatie", "Deelnemersevaluatie",
                 "Persoonlijke link", "Gedeelde link", "Vrijstellen", "Vergrendelen", "Respons", "Drempel"):
        assert f">{term}" in page, term
    assert "Lerende leraar" in page and "Kwaliteitscultuur" in page  # the safeguards, from the framework
    assert 'href="/waarborgen/' not in page  # trainers cannot open safeguard pages: no dead links
    assert 'href="/waarborgen/' in body(client_as(app, world.coordinator).get("/begrippen"))
    used = set()
    for path in (ROOT / "templates").rglob("*.html"):
        used |= set(re.findall(r'help_link\("([^"]+)"', path.read_text()))
    assert used and used <= glossary.ANCHORS, used - glossary.ANCHORS
    for anchor in used:
        assert f'id="{anchor}"' in page


def test_pages_link_terms_to_the_glossary(app, db, world):
    client = client_as(app, world.coordinator)
    page = body(client.get(f"/bijeenkomsten/{world.session1.id}/evaluatie"))
    for anchor in ("trainersevaluatie", "deelnemersevaluatie", "vrijstellen", "persoonlijke-link", "gedeelde-link"):
        assert f'href="/begrippen#{anchor}"' in page, anchor
    assert 'href="/begrippen#waarborg"' in body(client.get("/trainingen/nieuw"))
    # Hints are tied to their fields.
    page = body(client.get(f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw"))
    assert re.search(r'<input[^>]*aria-describedby="participant_count-hint"', page)


# ================================================================ item 10: print


@pytest.mark.parametrize("url", ["/trainingen", "/evaluaties", "/respons", "/respons/laag", "/resultaten",
                                 "/bijeenkomsten/{s}/resultaten"])
def test_lists_and_results_have_a_print_button(app, world, url):
    page = body(client_as(app, world.coordinator).get(url.format(s=world.session1.id)))
    assert re.search(r'<button type="button" class="button secondary no-print" data-print hidden>', page)
    assert '<script src="/static/page.js" defer></script>' in page
    assert "<script>" not in page and " onclick=" not in page


def test_print_style_leaves_out_menu_filters_and_buttons():
    css = (ROOT / "kwaliteit/static/style.css").read_text()
    hidden = ""
    for block in css.split("@media print")[1:]:
        for rule in block.split("}"):
            if "display: none" in rule:
                hidden += rule.split("{")[-2] if rule.count("{") > 1 else rule.split("{")[0]
    for selector in (".site-header", ".filters", ".pagination", ".button", "form", ".no-print"):
        assert selector in hidden, selector


def test_questionnaires_list_filters_on_partnership(app, db, world):
    qs.create_questionnaire(db, everything(), world.p1.id, "Eigen Noord", Audience.PARTICIPANT)
    qs.create_questionnaire(db, everything(), world.p2.id, "Eigen Zuid", Audience.PARTICIPANT)
    db.commit()
    admin = client_as(app, world.admin)
    page = body(admin.get("/vragenlijsten"))
    assert "Eigen Noord" in page and "Eigen Zuid" in page and 'name="partnerschap"' in page
    page = body(admin.get(f"/vragenlijsten?partnerschap={world.p2.id}"))
    assert "Eigen Zuid" in page and "Eigen Noord" not in page and "standaard" in page
    page = body(client_as(app, world.coordinator).get(f"/vragenlijsten?partnerschap={world.p2.id}"))
    assert 'name="partnerschap"' not in page and "Eigen Zuid" not in page
