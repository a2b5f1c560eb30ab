"""Results: the aggregated answers of a selection (session, training, school year, safeguard).

Everything here is set-based: the results of any selection are one GROUP BY over the answers plus one query for the questions'
wording and one (limited) query for the open answers, whatever the number of answers.

Results add up over the versions of a questionnaire: answers are grouped by questionnaire and
question `code` (stable across versions), and shown with the wording of the latest published
version. A result with fewer answers than the small-group threshold (app.config
MIN_ANSWERS_SHOWN, passed in as `min_shown`) shows only its count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import distinct, exists, func, select
from sqlalchemy.orm import Session

from evaluaties.answers.models import (
    Answer,
    Response,
)
from evaluaties.questionnaires.models import (
    Audience,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
)
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import Scope
from kwaliteit.sqldates import school_year, school_year_bounds, school_year_label
from kwaliteit.trainings.models import Training, TrainingSession
from kwaliteit.trainings.services import get_session, get_training

DEFAULT_MIN_SHOWN = 5
# Low response: closing within this many days, with a rate below this percentage.
DEFAULT_LOW_DAYS = 7
DEFAULT_LOW_THRESHOLD_PCT = 50
# Newest open answers shown per question.
OPEN_ANSWERS_PER_QUESTION = 100


# ================================================================ results


@dataclass(frozen=True)
class ResultFilters:
    session_id: int | None = None
    training_id: int | None = None
    partnership_id: int | None = None
    school_year: int | None = None
    safeguard_code: str | None = None
    audience: Audience | None = Audience.PARTICIPANT  # None: participants and trainers


# The key of one result: answers add up over versions by (questionnaire, code). The type is part
# of the key so that a question whose type changed between versions never mixes its values.
Key = tuple[int, str, QuestionType]


@dataclass
class Bar:
    label: str
    count: int
    pct: float  # 0..100 of the question's answers


@dataclass
class OpenAnswer:
    text: str
    session_date: date
    training_title: str


@dataclass
class QuestionResult:
    questionnaire_id: int
    questionnaire_title: str
    audience: Audience
    code: str
    text: str
    type: QuestionType
    options: list
    safeguard_code: str | None
    position: int
    count: int
    counts: dict  # value_int (None for open answers) -> number of answers
    shown: bool  # False: fewer answers than the threshold, only the count is shown
    open_answers: list[OpenAnswer] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        if not self.shown or self.type is not QuestionType.SCALE or not self.count:
            return None
        return sum(v * n for v, n in self.counts.items() if v is not None) / self.count

    def _share(self, value: int) -> float | None:
        if not self.shown or self.type is not QuestionType.YES_NO or not self.count:
            return None
        return 100.0 * self.counts.get(value, 0) / self.count

    @property
    def yes_pct(self) -> float | None:
        return self._share(1)

    @property
    def no_pct(self) -> float | None:
        return self._share(0)

    @property
    def distribution(self) -> list[Bar]:
        """Every possible value with its count and share (empty when not shown or open)."""
        if not self.shown or not self.count:
            return []
        if self.type is QuestionType.SCALE:
            labels = list(self.options or [])
            values = [(v, f"{v} {labels[v - 1]}" if len(labels) == 5 else str(v)) for v in range(1, 6)]
        elif self.type is QuestionType.YES_NO:
            values = [(1, "ja"), (0, "nee")]
        elif self.type is QuestionType.CHOICE:
            values = [(i, str(o)) for i, o in enumerate(self.options or [])]
            known = {v for v, _ in values}
            values += [(v, f"keuze {v + 1}") for v in sorted(k for k in self.counts if k not in known and k is not None)]
        else:
            return []
        return [Bar(label, self.counts.get(v, 0), 100.0 * self.counts.get(v, 0) / self.count) for v, label in values]


@dataclass
class YearCell:
    count: int
    mean: float | None  # None when fewer answers than the threshold


@dataclass
class YearRow:
    """Mean of one scale question per school year."""

    result: QuestionResult
    cells: dict[int, YearCell]


@dataclass
class SafeguardSummary:
    code: str
    scale_count: int
    scale_mean: float | None
    yes_no_count: int
    yes_pct: float | None


@dataclass
class ResultSet:
    filters: ResultFilters
    min_shown: int
    responses: int
    sessions: int
    results: list[QuestionResult]
    years: list[int] = field(default_factory=list)
    by_year: list[YearRow] = field(default_factory=list)

    @property
    def questionnaires(self) -> list[tuple[str, Audience, list[QuestionResult]]]:
        """The results grouped per questionnaire, in order."""
        groups: dict[int, tuple[str, Audience, list[QuestionResult]]] = {}
        for r in self.results:
            groups.setdefault(r.questionnaire_id, (r.questionnaire_title, r.audience, []))[2].append(r)
        return list(groups.values())

    @property
    def year_labels(self) -> list[tuple[int, str]]:
        return [(y, school_year_label(y)) for y in self.years]

    def safeguard_summaries(self, order=()) -> list[SafeguardSummary]:
        """Per safeguard code: all scale answers and all yes/no answers of its tagged questions,
        added up from the per-question aggregates (no extra query). `order`: the codes in the
        order to show them (the framework's); other codes follow alphabetically."""
        rank = {code: i for i, code in enumerate(order)}
        acc: dict[str, dict] = {}
        for r in self.results:
            if not r.safeguard_code:
                continue
            a = acc.setdefault(r.safeguard_code, {"sn": 0, "ss": 0, "yn": 0, "yy": 0})
            if r.type is QuestionType.SCALE:
                a["sn"] += r.count
                a["ss"] += sum(v * n for v, n in r.counts.items() if v is not None)
            elif r.type is QuestionType.YES_NO:
                a["yn"] += r.count
                a["yy"] += r.counts.get(1, 0)
        return [
            SafeguardSummary(
                code,
                a["sn"],
                a["ss"] / a["sn"] if a["sn"] >= self.min_shown and a["sn"] else None,
                a["yn"],
                100.0 * a["yy"] / a["yn"] if a["yn"] >= self.min_shown and a["yn"] else None,
            )
            for code, a in sorted(acc.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))
        ]


def _response_conditions(scope: Scope, f: ResultFilters) -> list:
    """The selection on responses (needs Response, TrainingSession and Training joined)."""
    conditions = [scope.condition(Training.partnership_id)]
    if f.session_id is not None:
        conditions.append(Response.session_id == f.session_id)
    if f.training_id is not None:
        conditions.append(TrainingSession.training_id == f.training_id)
    if f.partnership_id is not None:
        conditions.append(Training.partnership_id == f.partnership_id)
    if f.school_year is not None:
        first, last = school_year_bounds(f.school_year)
        conditions.append(TrainingSession.date.between(first, last))
    if f.audience is not None:
        conditions.append(Response.audience == f.audience)
    return conditions


def _question_conditions(f: ResultFilters) -> list:
    """The selection on questions (needs Question joined)."""
    return [Question.safeguard_code == f.safeguard_code] if f.safeguard_code else []


def _from_answers(stmt):
    return (
        stmt.select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Question.version_id)
        .join(TrainingSession, TrainingSession.id == Response.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
    )


def check_filters(db: Session, scope: Scope, f: ResultFilters) -> None:
    """A chosen session or training must exist (404) and lie within scope (403)."""
    if f.session_id is not None:
        get_session(db, scope, f.session_id)
    if f.training_id is not None:
        get_training(db, scope, f.training_id)


def results(
    db: Session,
    scope: Scope,
    f: ResultFilters,
    min_shown: int = DEFAULT_MIN_SHOWN,
    with_years: bool = True,
    open_per_question: int = OPEN_ANSWERS_PER_QUESTION,
) -> ResultSet:
    """Aggregated answers of a selection: count, distribution, mean, yes/no shares, open answers.

    Statements: one count of responses, one GROUP BY over the answers, one for the questions'
    wording, one for the newest open answers and (with_years, no school year chosen, not for a
    single session) one GROUP BY per school year: never more, whatever the data size.
    """
    check_filters(db, scope, f)
    conditions = _response_conditions(scope, f) + _question_conditions(f)

    # Counted on the responses, not the answers: a tenth of the rows.
    count_stmt = (
        select(func.count(Response.id), func.count(distinct(Response.session_id)))
        .select_from(Response)
        .join(TrainingSession, TrainingSession.id == Response.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(*_response_conditions(scope, f))
    )
    if f.safeguard_code:
        count_stmt = count_stmt.where(
            exists().where(
                Answer.response_id == Response.id,
                Question.id == Answer.question_id,
                *_question_conditions(f),
            )
        )
    responses, sessions = db.execute(count_stmt).one()

    qid = QuestionnaireVersion.questionnaire_id
    aggregate = db.execute(
        _from_answers(select(qid, Question.code, Question.type, Answer.value_int, func.count()))
        .where(*conditions)
        .group_by(qid, Question.code, Question.type, Answer.value_int)
    ).all()
    counts: dict[Key, dict] = {}
    for questionnaire_id, code, qtype, value, n in aggregate:
        counts.setdefault((questionnaire_id, code, qtype), {})[value] = int(n)

    meta = _question_meta(db, {k[0] for k in counts})
    result_list: list[QuestionResult] = []
    for key, value_counts in counts.items():
        question, title, audience, _number = meta[key]
        total = sum(value_counts.values())
        result_list.append(
            QuestionResult(
                questionnaire_id=key[0],
                questionnaire_title=title,
                audience=audience,
                code=key[1],
                text=question.text,
                type=key[2],
                options=list(question.options or []),
                safeguard_code=question.safeguard_code,
                position=question.position,
                count=total,
                counts=value_counts,
                shown=total >= min_shown,
            )
        )
    # Participants' questionnaires first, then by title and the question's place in the list.
    result_list.sort(key=lambda r: (r.audience is not Audience.PARTICIPANT, r.questionnaire_title, r.questionnaire_id, r.position, r.code))

    by_key = {(r.questionnaire_id, r.code): r for r in result_list if r.type is QuestionType.OPEN}
    for questionnaire_id, code, text, session_date, training_title in _open_answers(db, conditions, open_per_question):
        r = by_key.get((questionnaire_id, code))
        if r is not None and r.shown:
            r.open_answers.append(OpenAnswer(text, session_date, training_title))

    rs = ResultSet(f, min_shown, int(responses or 0), int(sessions or 0), result_list)
    if with_years and f.school_year is None and f.session_id is None:
        _add_years(db, conditions, rs)
    return rs


def _question_meta(db: Session, questionnaire_ids: set[int]) -> dict[Key, tuple]:
    """Wording of every (questionnaire, code, type): from the latest published version that has it."""
    rows = db.execute(
        select(Question, QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.number,
               QuestionnaireVersion.published_at, Questionnaire.title, Questionnaire.audience)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Question.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(QuestionnaireVersion.questionnaire_id.in_(sorted(questionnaire_ids)))
    ).all()
    meta: dict[Key, tuple] = {}
    for question, questionnaire_id, number, published_at, title, audience in rows:
        key = (questionnaire_id, question.code, question.type)
        # A draft's wording is not public yet: published versions win, the latest of them.
        rank = (published_at is not None, number)
        if key not in meta or rank > meta[key][3]:
            meta[key] = (question, title, audience, rank)
    return meta


def _open_answers(db: Session, conditions: list, per_question: int):
    qid = QuestionnaireVersion.questionnaire_id
    rn = (
        func.row_number()
        .over(partition_by=(qid, Question.code), order_by=(Response.submitted_on.desc(), Answer.id.desc()))
        .label("rn")
    )
    inner = _from_answers(
        select(
            qid.label("questionnaire_id"),
            Question.code.label("code"),
            Answer.value_text.label("text"),
            TrainingSession.date.label("session_date"),
            Training.title.label("training_title"),
            rn,
        )
    ).where(
        *conditions,
        Question.type == QuestionType.OPEN,
        Answer.value_text.is_not(None),
        Answer.value_text != "",
    ).subquery("open_answers")
    return db.execute(
        select(inner.c.questionnaire_id, inner.c.code, inner.c.text, inner.c.session_date, inner.c.training_title)
        .where(inner.c.rn <= per_question)
        .order_by(inner.c.questionnaire_id, inner.c.code, inner.c.rn)
    ).all()


def _add_years(db: Session, conditions: list, rs: ResultSet) -> None:
    """Mean of every scale question per school year (1 August – 31 July): one GROUP BY."""
    qid = QuestionnaireVersion.questionnaire_id
    # The school year is computed in a subquery and grouped by its column: PostgreSQL does not
    # recognise two renderings of the same CASE with bound parameters as one expression.
    inner = _from_answers(
        select(
            school_year(TrainingSession.date).label("year"),
            qid.label("questionnaire_id"),
            Question.code.label("code"),
            Answer.value_int.label("value"),
        )
    ).where(*conditions, Question.type == QuestionType.SCALE).subquery("scale_answers")
    rows = db.execute(
        select(inner.c.year, inner.c.questionnaire_id, inner.c.code, func.count(), func.sum(inner.c.value))
        .group_by(inner.c.year, inner.c.questionnaire_id, inner.c.code)
    ).all()
    by_key = {(r.questionnaire_id, r.code): r for r in rs.results if r.type is QuestionType.SCALE}
    cells: dict[tuple[int, str], dict[int, YearCell]] = {}
    years: set[int] = set()
    for year, questionnaire_id, code, n, total in rows:
        n, year = int(n), int(year)
        years.add(year)
        cells.setdefault((questionnaire_id, code), {})[year] = YearCell(
            n, (int(total) / n) if n >= rs.min_shown else None
        )
    rs.years = sorted(years)
    rs.by_year = [YearRow(r, cells.get(key, {})) for key, r in by_key.items()]


def result_years(db: Session, scope: Scope) -> list[int]:
    """School years (starting year) that have sessions within scope, newest first."""
    inner = (
        select(school_year(TrainingSession.date).label("year"))
        .join(Training, Training.id == TrainingSession.training_id)
        .where(scope.condition(Training.partnership_id))
        .subquery("session_years")
    )
    return sorted({int(y) for y in db.scalars(select(inner.c.year).distinct())}, reverse=True)


def trainings_for_filter(db: Session, scope: Scope) -> list[tuple[int, str, str]]:
    """(id, title, partnership name) of the trainings within scope, for a filter menu."""
    return [
        (tid, title, pname)
        for tid, title, pname in db.execute(
            scope.filter(
                select(Training.id, Training.title, Partnership.name).join(
                    Partnership, Partnership.id == Training.partnership_id
                ),
                Training.partnership_id,
            ).order_by(Training.title, Training.id)
        )
    ]


__all__ = [
    "DEFAULT_LOW_DAYS",
    "DEFAULT_LOW_THRESHOLD_PCT",
    "RateFilters",
    "RateRow",
    "ResultFilters",
    "ResultSet",
    "QuestionResult",
    "low_response",
    "response_rates",
    "result_years",
    "results",
    "session_rate",
    "trainings_for_filter",
]
