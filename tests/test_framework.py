"""The quality framework as data: the shipped YAML, idempotent loading, new versions, bad files."""
from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import func, select

from kwaliteit import db as kdb
from kwaliteit.framework.models import Criterion, Framework, Safeguard
from kwaliteit.framework.services import FrameworkError, current_framework, current_safeguards, load_framework
from kwaliteit.trainings.models import TrainingSafeguard
from tests import factories
from tests.conftest import login

SHIPPED_NAMES = ["Lerende leraar", "Leeromgeving", "Organisatie", "Kwaliteitscultuur"]

VERSION_2030 = textwrap.dedent(
    """\
    name: Landelijk Kwaliteitskader Samen Opleiden & Inductie
    version: "2030"
    safeguards:
      - code: LL
        name: Lerende leraar (2030)
        description: Herziene tekst.
        criteria:
          - code: LL.1
            text: Nieuw kenmerk.
      - code: LO
        name: Leeromgeving (2030)
      - code: KC
        name: Kwaliteitscultuur (2030)
      - code: NW
        name: Nieuwe waarborg
    """
)


def _count(s, model) -> int:
    return s.scalar(select(func.count()).select_from(model))


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


# ----------------------------------------------------------------- shipped


def test_shipped_framework_has_the_four_safeguards(app):
    with kdb.new_session(app) as s:
        fw = current_framework(s)
        assert fw is not None and fw.version == "2021"
        assert "Kwaliteitskader" in fw.name
        safeguards = current_safeguards(s)
        assert [sg.name for sg in safeguards] == SHIPPED_NAMES
        assert [sg.code for sg in safeguards] == ["LL", "LO", "OR", "KC"]
        assert all(sg.description for sg in safeguards)
        assert all(len(sg.criteria) >= 1 for sg in safeguards)


def test_loading_is_idempotent(app):
    with kdb.new_session(app) as s:
        before = (_count(s, Framework), _count(s, Safeguard), _count(s, Criterion))
        fw, created = load_framework(s)
        s.commit()
        assert created is False
        assert fw.version == "2021"
        assert (_count(s, Framework), _count(s, Safeguard), _count(s, Criterion)) == before
    result = _cli(app, "load-framework")
    assert result.exit_code == 0, result.output
    assert "Already loaded" in result.output
    with kdb.new_session(app) as s:
        assert (_count(s, Framework), _count(s, Safeguard), _count(s, Criterion)) == before


# ------------------------------------------------------------- new version


def test_new_version_becomes_current_and_carries_links(app, world, tmp_path):
    with kdb.new_session(app) as s:
        org_training = factories.training(s, s.merge(world.p1), "Organisatietraining",
                                          safeguards=[s.get(Safeguard, world.safeguards[2].id)])  # OR
        s.commit()
        old_fw_id = current_framework(s).id
        old_links = {(link.training_id, link.safeguard_id, link.rationale) for link in s.scalars(select(TrainingSafeguard))}

    path = tmp_path / "kader-2030.yaml"
    path.write_text(VERSION_2030, encoding="utf-8")
    result = _cli(app, "load-framework", str(path))
    assert result.exit_code == 0, result.output
    assert "Loaded" in result.output

    with kdb.new_session(app) as s:
        current = current_framework(s)
        assert current.version == "2030"
        assert s.scalar(select(func.count()).where(Framework.is_current.is_(True))) == 1
        old = s.get(Framework, old_fw_id)
        assert old.is_current is False
        assert [sg.name for sg in old.safeguards] == SHIPPED_NAMES  # the old version is kept whole
        new = {sg.code: sg for sg in current.safeguards}
        assert [sg.code for sg in current.safeguards] == ["LL", "LO", "KC", "NW"]
        assert [c.code for c in new["LL"].criteria] == ["LL.1"]

        links = {(link.training_id, link.safeguard_id, link.rationale) for link in s.scalars(select(TrainingSafeguard))}
        assert old_links <= links, "the old version's links must stay"
        carried = links - old_links
        by_code = {sg.id: sg.code for sg in current.safeguards}
        # training1 served LL and LO, training2 LL; the Organisatie training's OR has no successor.
        assert {(t, by_code[sid], r) for t, sid, r in carried} == {
            (world.training1.id, "LL", "Dient Lerende leraar."),
            (world.training1.id, "LO", "Dient Leeromgeving."),
            (world.training2.id, "LL", "Dient Lerende leraar."),
        }
        assert not any(t == org_training.id for t, _, _ in carried)

    # The pages follow the current version.
    client = app.test_client()
    login(client, world.coordinator)
    body = client.get(f"/trainingen/{world.training1.id}").get_data(as_text=True)
    assert "Lerende leraar (2030)" in body and "Leeromgeving (2030)" in body
    body = client.get("/overzicht").get_data(as_text=True)
    assert "Nieuwe waarborg" in body and "Organisatie<" not in body
    assert "Organisatietraining" in body  # no link to the current version: listed as unlinked

    # Loading the same new version again changes nothing.
    result = _cli(app, "load-framework", str(path))
    assert result.exit_code == 0 and "Already loaded" in result.output
    with kdb.new_session(app) as s:
        assert _count(s, Framework) == 2
        assert len({(link.training_id, link.safeguard_id) for link in s.scalars(select(TrainingSafeguard))}) == len(links)


def test_editing_a_training_keeps_links_of_old_versions(app, world, tmp_path):
    path = tmp_path / "kader-2030.yaml"
    path.write_text(VERSION_2030, encoding="utf-8")
    assert _cli(app, "load-framework", str(path)).exit_code == 0
    with kdb.new_session(app) as s:
        new_ids = {sg.code: sg.id for sg in current_safeguards(s)}
    client = app.test_client()
    login(client, world.coordinator)
    response = client.post(
        f"/trainingen/{world.training1.id}/bewerken",
        data={
            "partnership_id": world.p1.id, "title": world.training1.title, "kind": "basistraining",
            "form": "fysiek", "contact_hours": "12",
            f"sg_{new_ids['NW']}": "y", f"rationale_{new_ids['NW']}": "Nu ook de nieuwe waarborg.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with kdb.new_session(app) as s:
        links = {(link.safeguard_id, link.rationale) for link in s.scalars(
            select(TrainingSafeguard).where(TrainingSafeguard.training_id == world.training1.id))}
    old_ids = [sg.id for sg in world.safeguards[:2]]
    assert links == {
        (old_ids[0], "Dient Lerende leraar."),
        (old_ids[1], "Dient Leeromgeving."),
        (new_ids["NW"], "Nu ook de nieuwe waarborg."),
    }


def test_reloading_an_older_version_does_not_make_it_current(app, tmp_path):
    path = tmp_path / "kader-2030.yaml"
    path.write_text(VERSION_2030, encoding="utf-8")
    with kdb.new_session(app) as s:
        load_framework(s, path)
        s.commit()
        fw, created = load_framework(s)  # the shipped 2021 once more
        s.commit()
        assert created is False
        assert current_framework(s).version == "2030"


# ---------------------------------------------------------------- bad files


BAD_FILES = {
    "syntax": ("name: [unclosed\nversion: 1\n", "geen geldige YAML"),
    "not-a-mapping": ("- a\n- b\n", "YAML-object"),
    "no-version": ("name: Kader\nsafeguards:\n  - code: A\n    name: A\n", "'version'"),
    "no-safeguards": ("name: Kader\nversion: '9'\n", "'safeguards'"),
    "safeguards-not-a-list": ("name: Kader\nversion: '9'\nsafeguards: tekst\n", "lijst"),
    "safeguards-a-mapping": ("name: Kader\nversion: '9'\nsafeguards:\n  A: Waarborg\n", "lijst"),
    "no-name": ("name: Kader\nversion: '9'\nsafeguards:\n  - code: A\n", "Waarborg 1"),
    "duplicate-code": (
        "name: Kader\nversion: '9'\nsafeguards:\n  - {code: A, name: Een}\n  - {code: A, name: Twee}\n",
        "twee keer",
    ),
    "duplicate-code-number-and-text": (
        "name: Kader\nversion: '9'\nsafeguards:\n  - {code: 1, name: Een}\n  - {code: '1', name: Twee}\n",
        "twee keer",
    ),
    "code-is-a-list": ("name: Kader\nversion: '9'\nsafeguards:\n  - {code: [A], name: Een}\n", "code van waarborg 1"),
    "criteria-not-a-list": (
        "name: Kader\nversion: '9'\nsafeguards:\n  - {code: A, name: Een, criteria: 5}\n", "lijst",
    ),
    "criterion-without-text": (
        "name: Kader\nversion: '9'\nsafeguards:\n  - {code: A, name: Een, criteria: [{code: A.1}]}\n",
        "Kenmerk 1",
    ),
    "duplicate-criterion": (
        (
            "name: Kader\nversion: '9'\nsafeguards:\n  - {code: A, name: Een, criteria: "
            "[{code: A.1, text: x}, {code: A.1, text: y}]}\n"
        ),
        "twee keer",
    ),
    "code-too-long": (f"name: Kader\nversion: '9'\nsafeguards:\n  - {{code: {'A' * 21}, name: Een}}\n", "lang"),
    "name-too-long": (f"name: Kader\nversion: '9'\nsafeguards:\n  - {{code: A, name: {'N' * 201}}}\n", "lang"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_invalid_file_gives_a_clear_error(app, tmp_path, case):
    content, message = BAD_FILES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(content, encoding="utf-8")
    with kdb.new_session(app) as s:
        before = (_count(s, Framework), _count(s, Safeguard), _count(s, Criterion))
    result = _cli(app, "load-framework", str(path))
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), f"a traceback, not a message: {result.exception!r}"
    assert "Error:" in result.output and message in result.output, result.output
    with kdb.new_session(app) as s:
        assert (_count(s, Framework), _count(s, Safeguard), _count(s, Criterion)) == before
        assert current_framework(s).version == "2021"


def test_file_that_is_not_utf8_gives_a_clear_error(app, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Kwaliteitskader\nversion: 'é'\n".encode("latin-1") + b"\xff\xfe")
    result = _cli(app, "load-framework", str(path))
    assert result.exit_code == 1, (result.output, result.exception)
    assert "UTF-8" in result.output


def test_missing_file_is_refused_by_the_cli(app, tmp_path):
    result = _cli(app, "load-framework", str(tmp_path / "bestaat-niet.yaml"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_service_raises_framework_error(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: Kader\n", encoding="utf-8")
    with pytest.raises(FrameworkError):
        load_framework(db, path)
