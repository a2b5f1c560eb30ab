"""Issue 10, item 5: good practices, recorded by coordinators and trainers, read per safeguard
across the partnerships one may read, searched (also with hostile strings), paged, set-based."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kwaliteit import db as kdb
from kwaliteit.accounts.models import Role
from kwaliteit.cycles import practices
from kwaliteit.cycles.models import GoodPractice
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.validation import ValidationError
from tests import factories
from tests.conftest import count_statements, login

URL = "/kwaliteitszorg/good-practices"


def _count(app) -> int:
    with kdb.new_session(app) as s:
        return s.scalar(select(func.count()).select_from(GoodPractice))


def test_trainer_records_one_and_steering_reads_it_per_safeguard(app, client, world):
    login(client, world.trainer)
    sg = world.safeguards[1]
    response = client.post(
        f"{URL}/nieuw",
        data={
            "partnership_id": world.p1.id,
            "title": "Tandem in de klas",
            "text": "Schoolopleider en pabo samen.",
            "training_id": world.training1.id,
            "safeguard_id": sg.id,
        },
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        gp = s.scalar(select(GoodPractice))
        assert (gp.author_id, gp.partnership_id, gp.safeguard_id) == (world.trainer.id, world.p1.id, sg.id)
    client.post("/uitloggen")
    login(client, world.steering)
    html = client.get(URL).get_data(as_text=True)
    assert "Tandem in de klas" in html and f">{sg.name}</h2>" in html
    assert world.training1.title in html
    client.post("/uitloggen")
    login(client, world.other_coordinator)
    assert "Tandem in de klas" not in client.get(URL).get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"partnership_id": "p2"}, "Kies een partnerschap uit de lijst."),  # another partnership
        ({"training_id": "t2"}, "Kies een training uit de lijst."),  # a training of another partnership
        ({"title": ""}, "Vul een titel in."),
        ({"text": "  "}, "Beschrijf de good practice."),
        ({"title": "a\tb"}, "regeleinde"),
        ({"text": "a\x00b"}, "ongeldige tekens"),
        ({"title": "x" * 201}, "Hoogstens 200 tekens."),
        ({"safeguard_id": "999999"}, "Kies een waarborg uit de lijst."),
        ({"training_id": "9" * 30}, ""),  # no id: refused as an invalid choice
    ],
)
def test_bad_input_is_refused(app, client, world, fields, field):
    login(client, world.trainer)
    values = {"p2": world.p2.id, "t2": world.training2.id}
    data = {"partnership_id": world.p1.id, "title": "Titel", "text": "Tekst"}
    data |= {k: values.get(v, v) for k, v in fields.items()}
    response = client.post(f"{URL}/nieuw", data=data)
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)
    assert world.training2.title not in response.get_data(as_text=True)
    assert _count(app) == 0


def test_who_may_change_and_delete(app, client, world):
    with kdb.new_session(app) as s:
        trainer2 = factories.user(s, Role.TRAINER, [s.merge(world.p1)], person=s.merge(world.trainer_person2))
        own = factories.good_practice(s, s.merge(world.p1), s.merge(world.trainer), "Eigen")
        other = factories.good_practice(s, s.merge(world.p1), trainer2, "Van een ander")
        s.commit()
        own_id, other_id, trainer2_id = own.id, other.id, trainer2.id
    with kdb.new_session(app) as s:
        scope = Scope.for_user(s.get(type(world.trainer), world.trainer.id))
        rows = practices.list_practices(s, scope, practices.PracticeFilters()).items
        assert {r.practice.title: r.may_edit for r in rows} == {"Eigen": True, "Van een ander": False}
        with pytest.raises(Forbidden):
            practices.update_practice(s, scope, other_id, practices.PracticeData(world.p1.id, "x", "y"))
        with pytest.raises(Forbidden):
            practices.delete_practice(s, scope, other_id)
        steering = Scope.for_user(s.get(type(world.steering), world.steering.id))
        with pytest.raises(Forbidden):
            practices.create_practice(s, steering, practices.PracticeData(world.p1.id, "x", "y"))
        coordinator = Scope.for_user(s.get(type(world.coordinator), world.coordinator.id))
        assert practices.update_practice(
            s, coordinator, other_id, practices.PracticeData(world.p1.id, "Z", "y")
        )
        s.rollback()
    login(client, world.trainer)
    assert client.post(f"{URL}/{other_id}/verwijderen").status_code == 403
    assert (
        client.post(
            f"{URL}/{own_id}/bewerken",
            data={"partnership_id": world.p1.id, "title": "Eigen 2", "text": "Nieuw"},
        ).status_code
        == 302
    )
    assert client.post(f"{URL}/{own_id}/verwijderen").status_code == 302
    assert _count(app) == 1
    client.post("/uitloggen")
    login(client, world.coordinator)
    assert client.post(f"{URL}/{other_id}/verwijderen").status_code == 302
    assert _count(app) == 0
    assert trainer2_id


def test_search_is_literal_per_word_and_survives_hostile_strings(app, client, world):
    with kdb.new_session(app) as s:
        p1, p2 = s.merge(world.p1), s.merge(world.p2)
        factories.good_practice(s, p1, None, "Feedback met 100% respons", "Een kaartje na afloop.")
        factories.good_practice(s, p1, None, "Intervisie_groep", "Mentoren bespreken casussen.")
        factories.good_practice(s, p1, None, "Ouderavond", "Niets over feedback? Toch: FEEDBACK.")
        factories.good_practice(s, p2, None, "Feedback Zuid", "Buiten bereik.")
        s.commit()
    login(client, world.steering)

    def titles(q):
        response = client.get(URL, query_string={"q": q})
        assert response.status_code < 500
        html = response.get_data(as_text=True)
        return {
            t
            for t in ("Feedback met 100% respons", "Intervisie_groep", "Ouderavond", "Feedback Zuid")
            if t in html
        }

    assert titles("feedback") == {"Feedback met 100% respons", "Ouderavond"}
    assert titles("feedback kaartje") == {"Feedback met 100% respons"}
    assert titles("%") == {"Feedback met 100% respons"}  # a typed % is a percent sign, no wildcard
    assert titles("_") == {"Intervisie_groep"}
    assert titles("' OR 1=1 --") == set()
    assert titles("<script>alert(1)</script>") == set()
    assert titles("x" * 5000) == set()
    assert client.get(URL, query_string={"q": "a\x00b"}).status_code == 400
    assert titles("😀 𝔘𝔫𝔦") == set()


def test_list_is_paged_per_safeguard_with_a_constant_number_of_statements(app, client, world):
    sgs = world.safeguards
    with kdb.new_session(app) as s:
        p1 = s.merge(world.p1)
        for n in range(4):
            factories.good_practice(s, p1, None, f"Eerste {n}", safeguard=s.merge(sgs[n % len(sgs)]))
        s.commit()
    login(client, world.coordinator)
    before = count_statements(app, client, URL)
    with kdb.new_session(app) as s:
        p1, author = s.merge(world.p1), s.merge(world.trainer)
        for n in range(60):
            factories.good_practice(
                s,
                p1,
                author,
                f"Bulk {n:02d}",
                safeguard=s.merge(sgs[n % len(sgs)]),
                training=s.merge(world.training1) if n % 2 else None,
            )
        factories.good_practice(s, p1, author, "Zonder waarborg")
        s.commit()
    after = count_statements(app, client, URL)
    assert len(after[0]) == len(before[0])
    html = after[1]
    assert "65 good practices" in html and "Pagina 1 van 3" in html
    # Per safeguard in the framework's order; without a safeguard last (here: on the last page).
    positions = [html.find(f">{sg.name}</h2>") for sg in sgs]
    shown = [p for p in positions if p >= 0]
    assert positions[0] > 0 and len(shown) >= 2 and shown == sorted(shown)
    last = client.get(URL, query_string={"pagina": 99}).get_data(as_text=True)
    assert "Pagina 3 van 3" in last and ">Zonder waarborg</h2>" in last
    filtered = client.get(URL, query_string={"waarborg": sgs[1].id}).get_data(as_text=True)
    assert f">{sgs[0].name}</h2>" not in filtered and f">{sgs[1].name}</h2>" in filtered


def test_regional_steering_reads_across_its_partnerships(db, world):
    p3 = factories.partnership(db, "Partnerschap West")
    regional = factories.user(db, Role.STEERING, [world.p1, p3])
    factories.good_practice(db, world.p1, None, "Noord")
    factories.good_practice(db, p3, None, "West")
    factories.good_practice(db, world.p2, None, "Zuid")
    db.flush()
    page = practices.list_practices(db, Scope.for_user(regional), practices.PracticeFilters())
    assert {r.practice.title for r in page.items} == {"Noord", "West"}
    assert not any(r.may_edit for r in page.items)
    with pytest.raises(ValidationError):
        practices.create_practice(db, Scope.for_user(world.trainer), practices.PracticeData(p3.id, "x", "y"))
    db.rollback()
