"""The import wizard: upload -> preview (columns, values, identifying columns left out) -> confirm,
on real survey exports (tests/survey_files.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from evaluaties.answers.models import Answer, Response
from evaluaties.questionnaires import services as qs
from evaluaties.questionnaires.models import Audience, Question, QuestionType
from evaluaties.questionnaires.services import applicable_version
from evaluaties.transfer import importing, reading
from evaluaties.transfer.importing import Choices
from evaluaties.transfer.models import ImportBatch, ImportDraft, ImportMapping
from kwaliteit import db as kdb
from kwaliteit.scope import NotFound, Scope
from kwaliteit.validation import ValidationError
from tests import factories
from tests import survey_files as sf
from tests.conftest import count_statements, login

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
MAX = 5 * 1024 * 1024


# ----------------------------------------------------------------- helpers


class _Fields(HTMLParser):
    """The fields a browser would post from each form with method=post of a page (selected
    options, values of text and hidden inputs, ticked checkboxes; no buttons)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._form: dict[str, str] | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "checkbox":
                if "checked" in a:
                    self._form[name] = a.get("value") or "y"
            elif kind not in ("submit", "button", "file"):
                self._form[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first_option, self._chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._form[self._select], self._chosen = value, True

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self._form is not None:
            if not self._chosen and self._first_option is not None:
                self._form[self._select] = self._first_option
            self._select = None
        if tag == "form":
            self._form = None


def form_fields(html: str) -> dict[str, str]:
    """The fields of the page's largest form (the header's log-out form is a form too)."""
    parser = _Fields()
    parser.feed(html)
    return max(parser.forms, key=len) if parser.forms else {}


def csv_file(header: list[str], rows: list[list[str]], delimiter=",") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def version_of(db, world):
    return applicable_version(db, world.training1.id, Audience.PARTICIPANT)


def question(db, world, code):
    return next(q for q in version_of(db, world).questions if q.code == code)


def upload(db, world, data, filename="antwoorden.csv", user=None, session=None, now=NOW):
    user = user or world.coordinator
    ts = session or world.session1
    return importing.start_import(
        db, Scope.for_user(user), ts.id, user.id, filename, data, now, MAX, today=TODAY
    )


def preview(db, world, draft, choices=None, user=None):
    user = user or world.coordinator
    return importing.preview(db, Scope.for_user(user), draft.session_id, draft.id, user.id, choices)


def confirm(db, world, draft, choices=None, user=None):
    user = user or world.coordinator
    return importing.confirm_import(
        db, Scope.for_user(user), draft.session_id, draft.id, user.id, choices or Choices(), TODAY
    )


def counts(db) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Response)),
        db.scalar(select(func.count()).select_from(Answer)),
        db.scalar(select(func.count()).select_from(ImportBatch)),
    )


def plans_by_code(pv) -> dict:
    return {p.question.code: p for p in pv.plans}


def own_questionnaire(db, world, questions) -> None:
    """A participant questionnaire of partnership 1 for training1: (text, type, options) per
    question; codes are the builder's own (v1, v2, ...)."""
    scope = Scope.everything()
    q = qs.create_questionnaire(db, scope, world.p1.id, "Eigen vragenlijst", Audience.PARTICIPANT)
    for text, kind, options in questions:
        qs.add_question(db, scope, q.versions[0].id, qs.QuestionData(text, kind, options=list(options)))
    qs.publish(db, scope, q.versions[0].id)
    qs.update_settings(
        db,
        scope,
        world.training1.id,
        qs.SettingsData(trainer_questionnaire_id=None, participant_questionnaire_id=q.id),
    )
    db.commit()


DEFAULT_HEADER = [
    "Tijdstempel",
    "Welk cijfer geef je deze bijeenkomst als geheel?",
    "Wat ik heb geleerd, kan ik gebruiken bij het begeleiden van aankomend leraren.",
    "Ik kan beter feedback geven aan een aankomend leraar.",
    "Ik heb gesprekstechnieken geleerd die ik in begeleidingsgesprekken kan toepassen.",
    "Ik voel me zekerder in mijn rol als mentor.",
    "Er was voldoende ruimte om ervaringen uit de praktijk uit te wisselen.",
    "De trainer(s) begeleidde(n) de bijeenkomst goed.",
    "De vorm (fysiek, blended of online) en de locatie pasten bij de bijeenkomst.",
    "Heb je nog opmerkingen of tips?",
]


def default_rows(n: int, start: int = 0) -> list[list[str]]:
    agree = ["Helemaal mee eens", "Mee eens", "Neutraal", "Oneens", "4 - Eens"]
    return [
        [
            f"2026-10-0{1 + i % 9} 10:00",
            f"{6 + i % 4},5",
            agree[i % 5],
            "Eens",
            "Helemaal eens",
            "3",
            "4",
            "5",
            "Mee eens",
            f"Opmerking {start + i}" if i % 2 else "",
        ]
        for i in range(start, start + n)
    ]


# ----------------------------------------------------------------- preview and confirm


def test_preview_proposes_columns_and_values_and_saves_nothing(db, world):
    data = csv_file(DEFAULT_HEADER, default_rows(5))
    draft = upload(db, world, data)
    db.commit()
    pv = preview(db, world, draft)
    plans = plans_by_code(pv)
    assert {code: (p.column.letter, p.how) for code, p in plans.items()} == {
        "totaal": ("B", "vraagtekst"),
        "bruikbaarheid": ("C", "vraagtekst"),
        "feedback": ("D", "vraagtekst"),
        "gesprekstechnieken": ("E", "vraagtekst"),
        "zelfvertrouwen": ("F", "vraagtekst"),
        "uitwisseling": ("G", "vraagtekst"),
        "trainer": ("H", "vraagtekst"),
        "vorm_locatie": ("I", "vraagtekst"),
        "opmerkingen": ("J", "vraagtekst"),
    }
    assert {row.value: row.target for row in plans["bruikbaarheid"].values} == {
        "Helemaal mee eens": "5",
        "Mee eens": "4",
        "Neutraal": "3",
        "Oneens": "2",
        "4 - Eens": "4",
    }
    assert {row.value: row.target for row in plans["totaal"].values} == {
        "6,5": "6,5",
        "7,5": "7,5",
        "8,5": "8,5",
        "9,5": "9,5",
    }
    assert all(row.valid for p in pv.plans for row in p.values)
    assert plans["opmerkingen"].values == [] and plans["opmerkingen"].examples == [
        "Opmerking 1",
        "Opmerking 3",
    ]
    assert plans["totaal"].examples == ["6,5", "7,5", "8,5"]
    assert pv.errors == {}
    assert counts(db) == (0, 0, 0)  # nothing saved before the confirmation

    result = confirm(db, world, draft)
    db.commit()
    assert result.count == 5 and counts(db) == (5, 5 * 8 + 2, 1)
    feedback = question(db, world, "bruikbaarheid")
    assert sorted(db.scalars(select(Answer.value_int).where(Answer.question_id == feedback.id))) == [
        2,
        3,
        4,
        4,
        5,
    ]
    totaal = question(db, world, "totaal")
    assert sorted(db.scalars(select(Answer.value_int).where(Answer.question_id == totaal.id))) == [
        65,
        65,
        75,
        85,
        95,
    ]
    assert db.get(ImportDraft, draft.id) is None  # a confirmed draft is gone


def test_the_same_file_twice_is_refused_at_upload_and_by_the_database(db, world):
    data = csv_file(DEFAULT_HEADER, default_rows(3))
    confirm(db, world, upload(db, world, data))
    db.commit()
    with pytest.raises(reading.ImportRefused, match="Dit bestand is al ingelezen voor deze bijeenkomst"):
        upload(db, world, data)
    db.rollback()
    # Also when saved again in Excel (Windows-1252, ';') or downloaded again as XLSX: the same cells.
    resaved = csv_file(DEFAULT_HEADER, default_rows(3), delimiter=";").decode().encode("cp1252")
    with pytest.raises(reading.ImportRefused, match="Dit bestand is al ingelezen voor deze bijeenkomst"):
        upload(db, world, resaved)
    db.rollback()
    # Into another session the same file is new.
    other = factories.session(db, world.training1, on=date(2026, 10, 8))
    db.commit()
    upload(db, world, data, session=other)
    db.rollback()
    # The database refuses it as well, whatever a check before it saw.
    duplicate = ImportBatch(
        session_id=world.session1.id,
        content_hash=reading_hash(data),
        row_count=3,
        tool="x",
        imported_on=TODAY,
    )
    db.add(duplicate)
    with pytest.raises(Exception) as exc:
        db.flush()
    assert "unique" in str(exc.value).lower() or "duplicate" in str(exc.value).lower()
    db.rollback()
    assert counts(db) == (3, 3 * 8 + 1, 1)


def reading_hash(data: bytes, filename: str = "antwoorden.csv") -> str:
    return reading.read_survey(filename, data).content_hash


def test_no_answers_are_imported_into_a_session_that_has_not_taken_place(app, db, world):
    """Like its participant links, a session takes no answers before its date: a file uploaded there
    belongs to another session. Refused at upload, on the page, and at confirmation."""
    data = csv_file(DEFAULT_HEADER, default_rows(3))
    draft = upload(db, world, data)  # 1 October 2026: taken place
    db.commit()
    world.session1.date = TODAY + timedelta(days=1)
    db.commit()
    with pytest.raises(ValidationError, match="heeft nog niet plaatsgevonden"):
        upload(db, world, data)
    db.rollback()
    with pytest.raises(ValidationError, match="heeft nog niet plaatsgevonden"):
        confirm(db, world, draft)
    db.rollback()
    assert counts(db) == (0, 0, 0)

    client = app.test_client()
    login(client, world.coordinator)
    page = client.get(f"/bijeenkomsten/{world.session1.id}/antwoorden/importeren").get_data(as_text=True)
    assert "23 november 2026 en heeft nog niet plaatsgevonden" in page and 'type="file"' not in page
    response = client.post(
        f"/bijeenkomsten/{world.session1.id}/antwoorden/importeren/{draft.id}", data={"actie": "importeren"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/antwoorden/importeren")
    # On its day it takes answers.
    world.session1.date = TODAY
    db.commit()
    assert confirm(db, world, draft).count == 3


def test_more_answers_than_participants_needs_a_confirmation(db, world):
    world.session1.participant_count = 4
    db.commit()
    draft = upload(db, world, csv_file(DEFAULT_HEADER, default_rows(5)))
    db.commit()
    assert preview(db, world, draft).over_participants
    with pytest.raises(ValidationError) as exc:
        confirm(db, world, draft)
    assert list(exc.value.errors) == ["meer_dan_deelnemers"]
    assert "meer dan de 4 deelnemers" in exc.value.errors["meer_dan_deelnemers"]
    db.rollback()
    assert counts(db) == (0, 0, 0)
    assert confirm(db, world, draft, Choices(over_participants=True)).count == 5
    db.commit()
    # Without a participant count (0) there is nothing to compare with.
    world.session1.participant_count = 0
    db.commit()
    draft = upload(db, world, csv_file(DEFAULT_HEADER, default_rows(5, start=5)))
    assert not preview(db, world, draft).over_participants


def test_a_saved_mapping_is_applied_to_the_next_file_of_the_survey(db, world):
    rows = default_rows(4)
    rows[0][3] = "Weet niet"  # feedback: no default, the coordinator maps it to 2 ...
    world.session1.participant_count = 0
    db.commit()
    draft = upload(db, world, csv_file(DEFAULT_HEADER, rows))
    db.commit()
    pv = preview(db, world, draft)
    feedback = plans_by_code(pv)["feedback"]
    weet_niet = next(r for r in feedback.values if r.value == "Weet niet")
    assert weet_niet.target == "" and not weet_niet.valid  # no default: it would be refused
    opmerkingen = question(db, world, "opmerkingen")
    choices = Choices(
        columns={opmerkingen.id: ""},  # ... and leaves the remarks out
        values={feedback.question.id: (feedback.column.letter, {weet_niet.number: "2"})},
        save_as="Google Forms mentoren",
    )
    result = confirm(db, world, draft, choices)
    db.commit()
    assert result.mapping.name == "Google Forms mentoren"
    assert counts(db)[1] == 4 * 8  # eight required answers per row; the remarks left out

    # The next export of the same survey: other rows, the same headings.
    rows = default_rows(3, start=10)
    rows[2][3] = "weet niet"
    rows[1][3] = "Weet niet"
    draft = upload(db, world, csv_file(DEFAULT_HEADER, rows))
    db.commit()
    pv = preview(db, world, draft)
    assert pv.applied is not None and pv.applied.name == "Google Forms mentoren" and pv.auto_applied
    plans = plans_by_code(pv)
    assert plans["opmerkingen"].column is None and plans["opmerkingen"].how is None
    assert {r.value: r.target for r in plans["feedback"].values}["Weet niet"] == "2"
    # The coordinator may choose no mapping: then only code and text count.
    pv = preview(db, world, draft, Choices(mapping=importing.NONE))
    assert pv.applied is None and plans_by_code(pv)["opmerkingen"].column.letter == "J"
    # Or pick a mapping by hand.
    mapping_id = db.scalar(select(ImportMapping.id))
    pv = preview(db, world, draft, Choices(mapping=str(mapping_id)))
    assert pv.applied.id == mapping_id and not pv.auto_applied


def test_automatic_codes_never_match_a_column_by_code(db, world):
    """The builder's codes v1, v2 are no evidence: columns V1, V2 (a legacy Qualtrics file's
    response id and the like) are matched only by text."""
    own_questionnaire(
        db, world, [("Hoe was het?", QuestionType.SCALE, ()), ("Wat neem je mee?", QuestionType.OPEN, ())]
    )
    data = csv_file(
        ["V1", "V2", "Q1", "Q2"], [["R_1", "Default", "4", "Veel"], ["R_2", "Default", "5", "Alles"]]
    )
    draft = upload(db, world, data)
    plans = {p.question.code: p for p in preview(db, world, draft).plans}
    assert set(plans) == {"v1", "v2"}
    assert plans["v1"].column is None and plans["v2"].column is None
    assert plans["v1"].error.startswith("Kies een kolom voor de verplichte vraag ‘Hoe was het?’")
    db.rollback()
    data = csv_file(["V1", "V2", "Hoe was het", "wat neem je mee?"], [["R_1", "Default", "4", "Veel"]])
    draft = upload(db, world, data)
    plans = {p.question.code: p for p in preview(db, world, draft).plans}
    assert (plans["v1"].column.letter, plans["v1"].how) == ("C", "vraagtekst")
    assert (plans["v2"].column.letter, plans["v2"].how) == ("D", "vraagtekst")


def test_value_defaults_per_question_type(db, world):
    own_questionnaire(
        db,
        world,
        [
            ("Cijfer", QuestionType.GRADE, ()),
            ("Opnieuw?", QuestionType.YES_NO, ()),
            ("Vorm", QuestionType.CHOICE, ("Fysiek", "Online", "Blended")),
            (
                "Geleerd",
                QuestionType.MULTI,
                ("Feedback geven", "Gesprekken voeren", "Observeren, en bespreken"),
            ),
            ("Eens?", QuestionType.SCALE, ()),
        ],
    )
    version = version_of(db, world)
    grade, yes_no, choice, multi, scale = version.questions
    assert [importing.default_target(grade, v) for v in ("7,5", "8 - Goed", "9.0", "goed")] == [
        "7,5",
        "8",
        "9.0",
        "goed",
    ]
    assert [
        importing.default_target(yes_no, v)
        for v in ("Ja", "nee", "Yes", "No", "Waar", "Onwaar", "1", "0", "soms")
    ] == ["ja", "nee", "ja", "nee", "ja", "nee", "ja", "nee", ""]
    assert [importing.default_target(choice, v) for v in ("online", "2 - Online", "3", "4", "Anders")] == [
        "Online",
        "Online",
        "Blended",
        "",
        "",
    ]
    assert [
        importing.default_target(scale, v)
        for v in (
            "Helemaal mee eens",
            "Helemaal eens",
            "Strongly agree",
            "Mee eens",
            "Eens",
            "Agree",
            "Neutraal",
            "Neither agree nor disagree",
            "Niet eens/niet oneens",
            "Oneens",
            "Mee oneens",
            "Disagree",
            "Helemaal oneens",
            "Strongly disagree",
            "4 - Eens",
            "2",
            "7",
            "helemaal EENS ",
        )
    ] == ["5", "5", "5", "4", "4", "4", "3", "3", "3", "2", "2", "2", "1", "1", "4", "2", "", "5"]
    # Several options in one cell: Microsoft Forms with ";" (and one at the end), Google with ", ".
    assert importing.split_multi(multi, "Feedback geven;Gesprekken voeren;") == [
        "Feedback geven",
        "Gesprekken voeren",
    ]
    assert importing.split_multi(multi, "Feedback geven, Observeren, en bespreken") == [
        "Feedback geven",
        "Observeren, en bespreken",
    ]

    data = csv_file(
        ["Cijfer", "Opnieuw?", "Vorm", "Geleerd", "Eens?"],
        [
            ["7,5", "Ja", "2 - Online", "Feedback geven;Gesprekken voeren;", "4 - Eens"],
            ["8", "Nee", "Fysiek", "Observeren, en bespreken", "Helemaal mee eens"],
            ["6,5", "ja", "online", "Gesprekken voeren", "Mee oneens"],
        ],
    )
    draft = upload(db, world, data)
    pv = preview(db, world, draft)
    plans = {p.question.id: p for p in pv.plans}
    assert {r.value: r.target for r in plans[multi.id].values} == {
        "Feedback geven": "Feedback geven",
        "Gesprekken voeren": "Gesprekken voeren",
        "Observeren, en bespreken": "Observeren, en bespreken",
    }
    assert {r.value: r.count for r in plans[multi.id].values}["Gesprekken voeren"] == 2
    assert confirm(db, world, draft).count == 3
    db.commit()
    stored = dict(
        db.execute(select(Answer.question_id, func.sum(Answer.value_int)).group_by(Answer.question_id)).all()
    )
    assert stored[grade.id] == 75 + 80 + 65  # tenths
    assert stored[yes_no.id] == 2
    assert stored[choice.id] == 1 + 0 + 1  # option indexes
    assert stored[multi.id] == 0b011 + 0b100 + 0b010  # bitmasks
    assert stored[scale.id] == 4 + 5 + 2


def test_changed_column_and_values_recompute_the_preview(db, world):
    rows = default_rows(4)
    draft = upload(db, world, csv_file(DEFAULT_HEADER, rows))
    pv = preview(db, world, draft)
    feedback = plans_by_code(pv)["feedback"]
    # A value mapping changed, and (for another question) a column: its values are those of the new column.
    trainer = question(db, world, "trainer")
    choices = Choices(
        columns={trainer.id: "C"},
        values={feedback.question.id: ("D", {0: "1"}), trainer.id: ("H", {0: "2"})},
    )
    pv = preview(db, world, draft, choices)
    plans = plans_by_code(pv)
    assert [r.target for r in plans["feedback"].values] == ["1"]
    assert plans["trainer"].column.letter == "C" and plans["trainer"].how == "zelf gekozen"
    assert {r.value: r.target for r in plans["trainer"].values}[
        "Helemaal mee eens"
    ] == "5"  # not the posted 2
    # A target that is not offered is refused; an identifying column cannot be chosen.
    pv = preview(
        db, world, draft, Choices(values={feedback.question.id: ("D", {0: "9"})}, columns={trainer.id: "a"})
    )
    assert pv.errors[f"waarde_{feedback.question.id}_0"] == "Kies een waarde uit de lijst."
    assert pv.errors[f"kolom_{trainer.id}"].startswith(
        "Kolom A (‘Tijdstempel’) wordt niet ingelezen: tijdstip"
    )
    with pytest.raises(ValidationError):
        confirm(db, world, draft, Choices(values={feedback.question.id: ("D", {0: "9"})}))
    db.rollback()
    assert counts(db) == (0, 0, 0)


def test_many_distinct_values_are_bounded(db, world):
    rows = default_rows(40)
    for i, row in enumerate(rows):
        row[3] = f"waarde {i:02d}"
    draft = upload(db, world, csv_file(DEFAULT_HEADER, rows))
    feedback = plans_by_code(preview(db, world, draft))["feedback"]
    assert len(feedback.values) == importing.MAX_SHOWN_VALUES and feedback.more_values == 10
    assert not any(r.valid for r in feedback.values)


def test_row_errors_are_numbered_bounded_and_short(db, world):
    rows = default_rows(70)
    for row in rows[:60]:
        row[4] = "x" * 5000  # gesprekstechnieken: a scale answer of 5,000 characters
    draft = upload(db, world, csv_file(DEFAULT_HEADER, rows))
    db.commit()
    with pytest.raises(reading.ImportRefused) as exc:
        confirm(db, world, draft, Choices(over_participants=True))
    errors = exc.value.errors
    assert len(errors) == importing.MAX_ROW_ERRORS and exc.value.total == 60 and exc.value.hidden == 10
    assert errors[0].startswith("Rij 2, vraag ‘Ik heb gesprekstechnieken geleerd")
    assert errors[-1].startswith("Rij 51, vraag ")
    assert all(len(e) < 300 for e in errors)
    assert "x" * 81 not in errors[0] and "x" * 70 in errors[0]
    db.rollback()
    assert counts(db) == (0, 0, 0)
    assert db.get(ImportDraft, draft.id) is not None  # the coordinator can correct and try again


def test_drafts_are_private_and_expire(db, world):
    draft = upload(db, world, csv_file(DEFAULT_HEADER, default_rows(2)))
    db.commit()
    for user in (world.admin, world.other_coordinator):
        with pytest.raises((NotFound, Exception)) as exc:
            preview(db, world, draft, user=user)
        assert exc.type.__name__ in ("NotFound", "Forbidden")
    # The identifying column's cells are not in the draft, only its name and the reason.
    assert "2026-10-01 10:00" not in str(draft.survey) and "Tijdstempel" in str(draft.survey)
    # A new upload a day later removes drafts older than 24 hours, of anyone.
    old_id = draft.id
    later = upload(
        db,
        world,
        csv_file(DEFAULT_HEADER, default_rows(2, start=2)),
        user=world.admin,
        now=NOW + timedelta(hours=24, minutes=1),
    )
    db.commit()
    assert db.scalars(select(ImportDraft.id)).all() == [later.id] and later.id != old_id
    importing.cancel_import(db, Scope.for_user(world.admin), world.session1.id, later.id, world.admin.id)
    db.commit()
    assert db.scalar(select(func.count()).select_from(ImportDraft)) == 0


def test_a_user_keeps_a_bounded_number_of_drafts(db, world):
    """Uploading again and again (the same file, or others) never piles up drafts: the oldest go."""
    from evaluaties.transfer.models import MAX_DRAFTS_PER_USER

    data = csv_file(DEFAULT_HEADER, default_rows(2))
    made = [upload(db, world, data, now=NOW + timedelta(minutes=i)).id for i in range(MAX_DRAFTS_PER_USER + 3)]
    other = upload(db, world, data, user=world.admin).id
    db.commit()
    kept = db.scalars(select(ImportDraft.id).where(ImportDraft.user_id == world.coordinator.id)).all()
    assert sorted(kept) == made[-MAX_DRAFTS_PER_USER:]
    assert db.get(ImportDraft, other) is not None  # another user's drafts are not touched
    with pytest.raises(NotFound):  # the oldest draft's preview is gone
        importing.preview(
            db, Scope.for_user(world.coordinator), world.session1.id, made[0], world.coordinator.id
        )


def test_an_xlsx_that_unpacks_to_millions_of_characters_stores_no_draft(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    response = client.post(
        f"/bijeenkomsten/{world.session1.id}/antwoorden/importeren",
        data={"file": (io.BytesIO(sf.xlsx_shared_string_everywhere()), "antwoorden.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and len(response.data) < 20_000
    assert "meer dan 20.000.000 tekens tekst" in response.get_data(as_text=True)
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(ImportDraft)) == 0


# ----------------------------------------------------------------- two confirmations at once


@pytest.mark.parametrize("same_draft", [False, True], ids=["two-drafts", "one-draft"])
def test_two_confirmations_at_once_save_one_batch(app, db, world, same_draft):
    """Two confirmations at the same moment, each in a session of its own: of two drafts of the
    same file (two coordinators, or two tabs), or of one draft (a double click). One import wins;
    the other gets a message (the file is imported, or the draft is gone), never an error, and
    nothing is saved twice."""
    world.session1.participant_count = 0
    db.commit()
    data = csv_file(DEFAULT_HEADER, default_rows(20))
    first = upload(db, world, data, user=world.coordinator)
    second = first if same_draft else upload(db, world, data, user=world.admin)
    db.commit()
    users = [world.coordinator, world.coordinator if same_draft else world.admin]
    calls = [(u.id, Scope.for_user(u), d.id) for u, d in zip(users, (first, second), strict=True)]
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(i):
        user_id, scope, draft_id = calls[i]
        with kdb.new_session(app) as s:
            try:
                barrier.wait(timeout=10)
                importing.confirm_import(s, scope, world.session1.id, draft_id, user_id, Choices(), TODAY)
                s.commit()
                outcomes[i] = "saved"
            except reading.ImportRefused as exc:
                s.rollback()
                outcomes[i] = exc.errors[0]
            except NotFound:
                s.rollback()
                outcomes[i] = "draft gone"
            except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
                s.rollback()
                outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("saved") == 1, outcomes
    [other] = [o for o in outcomes if o != "saved"]
    assert other == "draft gone" or (isinstance(other, str) and "al ingelezen" in other), outcomes
    assert counts(db) == (20, 20 * 8 + 10, 1)


def test_the_same_draft_confirmed_twice_gives_a_page_not_an_error(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    url = upload_page(client, world, csv_file(DEFAULT_HEADER, default_rows(3)))
    fields = form_fields(client.get(url).get_data(as_text=True)) | {"actie": "importeren"}
    assert client.post(url, data=fields).status_code == 302
    again = client.post(url, data=fields)
    assert again.status_code == 404
    assert "Dit voorbeeld bestaat niet (meer)" in again.get_data(as_text=True)
    with kdb.new_session(app) as s:
        assert counts(s) == (3, 3 * 8 + 1, 1)


# ----------------------------------------------------------------- the pages


def upload_page(client, world, data, filename="antwoorden.csv", session=None) -> str:
    """Upload through the page; returns the preview's URL."""
    ts = session or world.session1
    response = client.post(
        f"/bijeenkomsten/{ts.id}/antwoorden/importeren",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return response.headers["Location"]


@pytest.mark.parametrize("naam", ["a\x01b", "x" * 101])
def test_an_invalid_field_keeps_the_other_choices_on_the_preview(app, world, naam):
    """A mapping name with a control character (or too long) is refused with its message, and the
    columns and values the coordinator chose stay as chosen: nothing falls back to the proposals."""
    client = app.test_client()
    login(client, world.coordinator)
    url = upload_page(client, world, csv_file(DEFAULT_HEADER, default_rows(3)))
    fields = form_fields(client.get(url).get_data(as_text=True))
    with kdb.new_session(app) as s:
        remarks, feedback = question(s, world, "opmerkingen"), question(s, world, "feedback")
    chosen = {f"kolom_{remarks.id}": "", f"waarde_{feedback.id}_0": "1"}
    assert all(fields[name] != value for name, value in chosen.items())
    for action in ("bijwerken", "importeren"):
        response = client.post(url, data=fields | chosen | {"naam": naam, "actie": action})
        assert response.status_code == 400, action
        shown = form_fields(response.get_data(as_text=True))
        assert {name: shown[name] for name in chosen} == chosen, action
        assert shown["naam"] == naam
    with kdb.new_session(app) as s:
        assert counts(s) == (0, 0, 0)


def test_preview_page_update_and_confirm(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    rows = default_rows(4)
    rows[2][3] = "Weet niet"
    url = upload_page(client, world, csv_file(DEFAULT_HEADER, rows))
    page = client.get(url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in (
        "Herkend als",
        "Tijdstempel</span> (tijdstip)",
        "Nog te regelen",
        "Wordt geweigerd",
        "Helemaal mee eens",
        "Voorbeeld bijwerken",
        "Inlezen (4 rijen)",
    ):
        assert text in body, text
    assert "2026-10-01 10:00" not in body  # an identifying column's values are never shown
    with kdb.new_session(app) as s:
        feedback = question(s, world, "feedback")
        row = next(
            r
            for r in plans_by_code(preview(s, world, s.scalar(select(ImportDraft)))).get("feedback").values
            if r.value == "Weet niet"
        )
    fields = form_fields(body)
    assert fields[f"kolom_{feedback.id}"] == "D" and fields[f"waarde_{feedback.id}_{row.number}"] == ""

    # "Voorbeeld bijwerken": the changed value is shown, nothing is saved.
    fields[f"waarde_{feedback.id}_{row.number}"] = "3"
    page = client.post(url, data=fields | {"actie": "bijwerken"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nog te regelen" not in body
    assert form_fields(body)[f"waarde_{feedback.id}_{row.number}"] == "3"
    with kdb.new_session(app) as s:
        assert counts(s) == (0, 0, 0)

    # "Importeren" with the updated page's own values.
    response = client.post(url, data=form_fields(body) | {"actie": "importeren"})
    assert response.status_code == 302
    assert "4 antwoorden zijn ingelezen." in client.get(response.headers["Location"]).get_data(as_text=True)
    with kdb.new_session(app) as s:
        assert counts(s) == (4, 4 * 8 + 2, 1)
        assert (
            s.scalar(
                select(Answer.value_int)
                .where(Answer.question_id == feedback.id)
                .group_by(Answer.value_int)
                .having(func.count() == 1)
            )
            == 3
        )  # row 4's "Weet niet", the others "Eens"
        mapping = s.scalar(select(ImportMapping))  # saved by default
        assert mapping.values == {"feedback": {"Weet niet": "3"}}


def test_preview_page_errors_link_to_their_fields_and_cancel(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    url = upload_page(client, world, csv_file(DEFAULT_HEADER, default_rows(4)))
    with kdb.new_session(app) as s:
        feedback = question(s, world, "feedback")
    fields = form_fields(client.get(url).get_data(as_text=True))
    page = client.post(url, data=fields | {f"kolom_{feedback.id}": "", "actie": "importeren"})
    body = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Er is niets ingelezen." in body
    assert f'<a href="#kolom_{feedback.id}">Kies een kolom voor de verplichte vraag' in body
    assert f'id="kolom_{feedback.id}"' in body
    # The menu lists the columns: the message does not repeat them (once per question).
    assert "Kolommen in het bestand" not in body
    # No button: a clear message, not a guess.
    assert client.post(url, data=fields).status_code == 400

    response = client.post(url + "/annuleren")
    assert response.status_code == 302
    assert client.get(url).status_code == 404
    with kdb.new_session(app) as s:
        assert counts(s) == (0, 0, 0) and s.scalar(select(func.count()).select_from(ImportDraft)) == 0


def test_a_very_wide_file_with_an_error_gives_a_small_page(app, world):
    """1,396 columns (a LimeSurvey export of a long survey): the column is typed, not chosen from a
    list per question, and messages name at most 20 columns."""
    header = [f"Extra vraag {i}" for i in range(1387)] + DEFAULT_HEADER[1:]
    rows = [[f"x{i}" for i in range(1387)] + r[1:] for r in default_rows(3)]
    rows[1][1387] = "veel te hoog" * 20
    client = app.test_client()
    login(client, world.coordinator)
    url = upload_page(client, world, csv_file(header, rows))
    page = client.get(url)
    assert page.status_code == 200 and len(page.get_data()) < 200_000
    fields = form_fields(page.get_data(as_text=True))
    with kdb.new_session(app) as s:
        totaal = question(s, world, "totaal")
    assert fields[f"kolom_{totaal.id}"] == importing.column_letter(1387)
    response = client.post(url, data=fields | {"actie": "importeren"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and len(response.get_data()) < 200_000
    assert "Rij 3, vraag ‘Welk cijfer geef je deze bijeenkomst als geheel?’" in body
    response = client.post(url, data=fields | {f"kolom_{totaal.id}": "Cijfer", "actie": "importeren"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and len(response.get_data()) < 200_000
    assert "Kolom ‘Cijfer’ staat niet in het bestand" in body and "en 1376 meer" in body
    # A required question without a column: where columns are typed, the message names some.
    response = client.post(url, data=fields | {f"kolom_{totaal.id}": "", "actie": "importeren"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and len(response.get_data()) < 200_000
    assert (
        "Kies een kolom voor de verplichte vraag ‘Welk cijfer geef je deze bijeenkomst als geheel?’. "
        "Kolommen in het bestand: ‘A: Extra vraag 0’"
    ) in body


def test_preview_statements_do_not_grow_with_the_rows(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    small = upload_page(client, world, csv_file(DEFAULT_HEADER, default_rows(5)))
    large = upload_page(client, world, csv_file(DEFAULT_HEADER, default_rows(1000, start=5)))
    few, _ = count_statements(app, client, small)
    many, _ = count_statements(app, client, large)
    assert len(few) == len(many), (few, many)


# ----------------------------------------------------------------- real survey exports


@dataclass
class Export:
    """A survey tool's export (tests/survey_files.py) and what the preview must make of it."""

    make: Callable[[], bytes]
    filename: str
    tool: str
    header_rows: int
    first: int  # index of the first question column: the columns before it are the tool's own
    how: str  # how every question's column is found
    style: str  # how the file writes a 1-5 answer (survey_files.values)
    unfinished: int = 0
    unfinished_reason: str | None = None
    encoding: str | None = "UTF-8"
    separator: str | None = ","
    ignored: tuple[str, ...] = ()  # reasons of the identifying columns, at least these


EXPORTS = {
    "google-nl": Export(
        lambda: sf.google_forms("nl"),
        "Formulierreacties.csv",
        "Google Forms",
        1,
        2,
        "vraagtekst",
        "mee",
        ignored=("tijdstip", "e-mailadres"),
    ),
    "google-en": Export(
        lambda: sf.google_forms("en"),
        "Form Responses.csv",
        "Google Forms",
        1,
        2,
        "vraagtekst",
        "number",
        ignored=("tijdstip", "e-mailadres"),
    ),
    "limesurvey-codes": Export(
        lambda: sf.limesurvey("codes", codes=sf.CODES),
        "results-survey.csv",
        "LimeSurvey",
        1,
        9,
        "code",
        "number",
        2,
        "LimeSurvey: ‘submitdate’ is leeg",
        ignored=("respondent-id", "IP-adres", "tijdstip"),
    ),
    "limesurvey-code-text": Export(
        lambda: sf.limesurvey("code_text"),
        "results-survey.csv",
        "LimeSurvey",
        1,
        9,
        "vraagtekst",
        "label",
        2,
        "LimeSurvey: ‘submitdate. Datum verstuurd’ is leeg",
        ignored=("respondent-id", "IP-adres"),
    ),
    "ms-forms-nl": Export(
        lambda: sf.ms_forms("nl"),
        "Evaluatie.xlsx",
        "Microsoft Forms",
        1,
        6,
        "vraagtekst",
        "label",
        encoding=None,
        separator=None,
        ignored=("naam", "e-mailadres", "respondent-id"),
    ),
    "ms-forms-en": Export(
        lambda: sf.ms_forms("en"),
        "Evaluation.xlsx",
        "Microsoft Forms",
        1,
        6,
        "vraagtekst",
        "label",
        encoding=None,
        separator=None,
        ignored=("naam", "e-mailadres"),
    ),
    "qualtrics-3": Export(
        lambda: sf.qualtrics(3),
        "Evaluatie_November.csv",
        "Qualtrics",
        3,
        17,
        "vraagtekst",
        "dash",
        1,
        "Qualtrics: ‘Finished’ is niet waar",
        "UTF-8 met BOM",
        ignored=("IP-adres", "naam", "e-mailadres"),
    ),
    "qualtrics-2": Export(
        lambda: sf.qualtrics(2),
        "Evaluatie_November.csv",
        "Qualtrics",
        2,
        17,
        "vraagtekst",
        "dash",
        1,
        "Qualtrics: ‘Finished’ is niet waar",
        "UTF-8 met BOM",
    ),
    "qualtrics-legacy": Export(
        lambda: sf.qualtrics_legacy(),
        "legacy.csv",
        "Qualtrics (oud formaat)",
        2,
        10,
        "vraagtekst",
        "number",
        1,
        "Qualtrics: ‘Finished’ is niet waar",
        ignored=("respondent-id", "naam", "e-mailadres", "IP-adres"),
    ),
    "dutch-excel": Export(
        lambda: sf.dutch_excel(),
        "antwoorden.csv",
        "Spreadsheet",
        1,
        1,
        "vraagtekst",
        "number",
        encoding="Windows-1252",
        separator=";",
        ignored=("naam",),
    ),
    "utf16-tab": Export(
        lambda: sf.utf16_tab(),
        "antwoorden.txt",
        "Spreadsheet",
        1,
        0,
        "code",
        "mee",
        encoding="UTF-16",
        separator="\t",
    ),
}


def expected_answers(rows: int) -> Counter:
    """The answers of answer rows 0..rows-1 as the database keeps them, one frozenset per response."""
    out = Counter()
    for i in range(rows):
        values = set()
        for code, value in sf.answers(i).items():
            if code == sf.GRADE_CODE:
                whole, _, tenth = str(value).partition(",")
                values.add((code, int(whole) * 10 + int(tenth or 0)))
            elif code == sf.OPEN_CODE:
                if value:
                    values.add((code, value))
            else:
                values.add((code, value))
        out[frozenset(values)] += 1
    return out


def saved_answers(db) -> Counter:
    by_response: dict[int, set] = {}
    rows = db.execute(
        select(Answer.response_id, Question.code, Answer.value_int, Answer.value_text).join(
            Question, Question.id == Answer.question_id
        )
    ).all()
    for response_id, code, value_int, value_text in rows:
        by_response.setdefault(response_id, set()).add(
            (code, value_int if value_int is not None else value_text)
        )
    return Counter(frozenset(v) for v in by_response.values())


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_real_exports_preview_and_import(db, world, name):
    export = EXPORTS[name]
    world.session1.participant_count = 0
    db.commit()
    data = export.make()
    draft = upload(db, world, data, filename=export.filename)
    db.commit()
    pv = preview(db, world, draft)
    file = pv.file
    assert (file.tool, file.header_rows, file.encoding, file.separator) == (
        export.tool,
        export.header_rows,
        export.encoding,
        export.separator,
    )
    assert (file.unfinished, file.unfinished_reason) == (export.unfinished, export.unfinished_reason)
    assert pv.rows == 5
    assert set(export.ignored) <= {reason for _letter, _name, reason in file.ignored}

    # Every question its own column, found by code or text; never a column of the tool's own.
    plans = plans_by_code(pv)
    assert {code: (p.column.letter, p.how) for code, p in plans.items()} == {
        code: (importing.column_letter(export.first + j), export.how) for j, code in enumerate(sf.CODES)
    }
    assert pv.errors == {} and pv.warnings == {}
    # Values pre-filled: every value the file writes for a 1-5 answer maps to that number.
    labels = {"number": None, "label": sf.LABELS, "mee": sf.MEE_LABELS, "dash": sf.DASH_LABELS}[export.style]
    for code in sf.SCALE_CODES:
        mapped = {row.value: row.target for row in plans[code].values}
        assert mapped == {(labels[n] if labels else str(n)): str(n) for n in map(int, mapped.values())}, code
        assert all(row.valid for row in plans[code].values)
    grades = {row.value: row.target for row in plans[sf.GRADE_CODE].values}
    assert set(grades.values()) == {g.replace(",", grades_sep(grades)) for g in sf.GRADES}
    assert plans[sf.OPEN_CODE].values == [] and plans[sf.OPEN_CODE].examples
    assert counts(db) == (0, 0, 0)  # nothing saved before the confirmation

    result = confirm(db, world, draft)
    db.commit()
    assert result.count == 5 and result.tool == export.tool
    assert saved_answers(db) == expected_answers(5)
    assert counts(db)[2] == 1
    # The same file again: refused at once.
    with pytest.raises(reading.ImportRefused, match="al ingelezen"):
        upload(db, world, data, filename=export.filename)


def grades_sep(grades: dict) -> str:
    return "." if any("." in g for g in grades) else ","


def test_limesurvey_question_codes_of_its_own_are_chosen_by_hand(db, world):
    """LimeSurvey's own codes (G01Q01 ...) say nothing about our questions: no proposal; the
    coordinator chooses the columns by letter and the import goes through."""
    draft = upload(db, world, sf.limesurvey("codes"), filename="results-survey.csv")
    pv = preview(db, world, draft)
    assert all(p.column is None for p in pv.plans)
    assert len(pv.errors) == len(sf.CODES) - 1  # every question but the optional remarks
    version = version_of(db, world)
    columns = {q.id: importing.column_letter(9 + j) for j, q in enumerate(version.questions)}
    assert confirm(db, world, draft, Choices(columns=columns, over_participants=True)).count == 5
    db.commit()
    assert saved_answers(db) == expected_answers(5)


def test_legacy_qualtrics_never_maps_v1_to_a_v1_question(db, world):
    """The issue's bug: self-made questions got the codes v1, v2 ... and matched the legacy file's
    V1, V2 columns (response id, response set ...). Now they match only by text."""
    own_questionnaire(
        db,
        world,
        [
            (sf.TEXTS[0], QuestionType.GRADE, ()),
            *[(sf.TEXTS[1 + j], QuestionType.SCALE, ()) for j in range(len(sf.SCALE_CODES))],
            (sf.TEXTS[-1], QuestionType.OPEN, ()),
        ],
    )
    codes = [q.code for q in version_of(db, world).questions]
    assert codes[:3] == ["v1", "v2", "v3"]
    draft = upload(db, world, sf.qualtrics_legacy(), filename="legacy.csv")
    pv = preview(db, world, draft)
    assert [p.column.letter for p in pv.plans] == [importing.column_letter(10 + j) for j in range(len(codes))]
    assert {p.how for p in pv.plans} == {"vraagtekst"}
    # Not even by hand: V1 (the response id) is an identifying column.
    v1 = pv.plans[0].question
    pv = preview(db, world, draft, Choices(columns={v1.id: "A"}))
    assert pv.errors[f"kolom_{v1.id}"].startswith(
        "Kolom A (‘ResponseID’) wordt niet ingelezen: respondent-id"
    )


@pytest.mark.parametrize(
    "maker, filename",
    [
        (lambda: sf.google_forms("nl", multi_select=True), "g.csv"),
        (lambda: sf.ms_forms("nl", multi_select=True), "m.xlsx"),
    ],
)
def test_multi_select_cells_are_split_per_option(db, world, maker, filename):
    """Google Forms joins the chosen options with ", ", Microsoft Forms ends each with ";"."""
    own_questionnaire(db, world, [(sf.MULTI_TEXT, QuestionType.MULTI, sf.MULTI_OPTIONS)])
    draft = upload(db, world, maker(), filename=filename)
    [plan] = preview(db, world, draft).plans
    assert plan.column.name == sf.MULTI_TEXT
    assert {r.value: r.target for r in plan.values} == {o: o for o in sf.MULTI_OPTIONS}
    confirm(db, world, draft, Choices(over_participants=True))
    db.commit()
    masks = sorted(db.scalars(select(Answer.value_int)))
    assert masks == sorted(sum(1 << sf.MULTI_OPTIONS.index(o) for o in sf.multi(i)) for i in range(5))


# ----------------------------------------------------------------- hostile input


HOSTILE = ["\x00", "a\x00b", "\x1b[31m", "x" * 1_000_000, "99999999999999999999", "-1", "²", "ﷺ" * 50, "\ud800"]


def test_hostile_input_on_the_wizard_pages_is_answered_not_a_500(app, db, world):
    world.session1.participant_count = 0
    db.commit()
    client = app.test_client()
    login(client, world.coordinator)
    # A file name is only shown again: control characters are dropped.
    response = client.post(
        f"/bijeenkomsten/{world.session1.id}/antwoorden/importeren",
        data={"file": (io.BytesIO(csv_file(DEFAULT_HEADER, default_rows(3))), "ant\x00woo\x1brden.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    url = response.headers["Location"]
    with kdb.new_session(app) as s:
        assert s.scalar(select(ImportDraft.filename)) == "antwoorden.csv"
    fields = form_fields(client.get(url).get_data(as_text=True))
    names = [n for n in fields if n != "csrf_token"] + ["waarde_999_0", "kolom_x"]
    uploads = 1
    for name in names:
        for value in HOSTILE:
            for action in ("bijwerken", "importeren"):
                try:
                    response = client.post(url, data=fields | {name: value, "actie": action})
                except UnicodeEncodeError:
                    continue  # a lone surrogate cannot even be sent
                assert response.status_code in (200, 302, 400), (name, value[:20], action, response.status_code)
                if response.status_code == 302:
                    # Imported with a harmless value: go on with a new file.
                    url = upload_page(client, world, csv_file(DEFAULT_HEADER, default_rows(3, start=3 * uploads)))
                    uploads += 1
    with kdb.new_session(app) as s:
        responses, _answers, batches = counts(s)
        assert responses == 3 * batches
        assert all(n.isprintable() and len(n) <= 100 for n in s.scalars(select(ImportMapping.name)))


def test_a_refused_choice_names_the_allowed_options(db, world):
    own_questionnaire(db, world, [("Vorm", QuestionType.CHOICE, ("Fysiek", "Online", "Blended"))])
    draft = upload(db, world, csv_file(["Vorm"], [["Online"], ["Op de maan"]]))
    with pytest.raises(reading.ImportRefused) as exc:
        confirm(db, world, draft)
    assert exc.value.errors == [
        "Rij 3, vraag ‘Vorm’: Kies een van de mogelijkheden ‘Fysiek’, ‘Online’, ‘Blended’ (gegeven: ‘Op de maan’)."
    ]


def test_a_saved_mapping_is_reused_for_the_next_qualtrics_export(db, world):
    """The same survey exported again later: more rows, the same headings."""
    world.session1.participant_count = 0
    db.commit()
    draft = upload(db, world, sf.qualtrics(3, rows=5), filename="november.csv")
    opmerkingen = question(db, world, sf.OPEN_CODE)
    confirm(db, world, draft, Choices(columns={opmerkingen.id: ""}, save_as="Qualtrics mentoren"))
    db.commit()
    other = factories.session(db, world.training1, on=date(2026, 11, 5), participants=0)
    db.commit()
    draft = upload(db, world, sf.qualtrics(3, rows=8, unfinished=2), filename="december.csv", session=other)
    pv = preview(db, world, draft)
    assert pv.auto_applied and pv.applied.name == "Qualtrics mentoren"
    plans = plans_by_code(pv)
    assert plans[sf.OPEN_CODE].column is None and plans[sf.OPEN_CODE].how is None
    assert {p.how for code, p in plans.items() if code != sf.OPEN_CODE} == {"bewaarde koppeling"}
    assert confirm(db, world, draft).count == 8
