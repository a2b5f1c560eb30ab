"""Results: the aggregated answers of a selection (session, training, school year, safeguard).

Everything here is set-based and reads the tally (evaluaties.results.models), never the answer
rows: the results of any selection are one GROUP BY over the tally plus one query for the
questions' wording, whatever the number of answers. Open answers are the exception: their texts
are read from the answers, for one session or training at a time and a page per question.

Results add up over the versions of a questionnaire: answers are grouped by questionnaire and
question `code` (stable across versions), and shown with the wording of the latest published
version.

Privacy: only released responses are read (evaluaties.results.anonymity: a session's participant
answers per source, from the threshold app.config MIN_ANSWERS_SHOWN on, passed in as `min_shown`);
what is left out is only counted (`ResultSet.withheld`). On top of that, a question with fewer
answers than the threshold shows only its count.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    exists,
    false,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from evaluaties.answers.models import (
    Answer,
    Response,
)
from evaluaties.questionnaires.models import (
    GRADE_FACTOR,
    GRADE_MAX,
    GRADE_MIN,
    GRADE_SUFFICIENT,
    Audience,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    multi_indexes,
)
from evaluaties.results import anonymity
from evaluaties.results.anonymity import DEFAULT_MIN_SHOWN
from evaluaties.results.models import ALL_RESPONSES, NO_VALUE, AnswerRollup, AnswerTally, ResponseTally
from kwaliteit.accounts.models import Role
from kwaliteit.registry.models import Partnership, PartnershipSettings
from kwaliteit.registry.services import threshold_of
from kwaliteit.scope import Forbidden, NotFound, Scope, check_id
from kwaliteit.sqldates import school_year_bounds, school_year_label, school_year_of
from kwaliteit.trainings.models import Training, TrainingSession
from kwaliteit.trainings.services import get_session, get_training
from kwaliteit.validation import EARLIEST_DATE, MAX_YEARS_AHEAD

# Open answers shown per question (the first in the order of their text).
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
    pct: float  # 0..100 of the question's answers (multi: of the respondents who chose this option)


def whole_grade(tenths: int) -> int:
    """A grade in tenths rounded to a whole grade, half up: 54 -> 5, 55 -> 6."""
    return (tenths + GRADE_FACTOR // 2) // GRADE_FACTOR


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
        """Scale: on 1-5; grade: the grade on 1-10 (not in tenths)."""
        if not self.shown or not self.type.has_mean or not self.count:
            return None
        mean = sum(v * n for v, n in self.counts.items() if v is not None) / self.count
        return mean / GRADE_FACTOR if self.type is QuestionType.GRADE else mean

    @property
    def sufficient_pct(self) -> float | None:
        """Grade: the share of answers of 5,5 or more."""
        if not self.shown or self.type is not QuestionType.GRADE or not self.count:
            return None
        return 100.0 * sum(n for v, n in self.counts.items() if v is not None and v >= GRADE_SUFFICIENT) / self.count

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
        elif self.type is QuestionType.GRADE:
            # Per whole grade, from the counts per grade in tenths.
            per_grade: dict[int, int] = {}
            for v, n in self.counts.items():
                if v is not None:
                    per_grade[whole_grade(v)] = per_grade.get(whole_grade(v), 0) + n
            return [Bar(str(g), per_grade.get(g, 0), 100.0 * per_grade.get(g, 0) / self.count)
                    for g in range(GRADE_MIN, GRADE_MAX + 1)]
        elif self.type is QuestionType.MULTI:
            # Per option, from the counts per mask: a respondent who chose it counts once, so the
            # shares are of the respondents and add up to more than 100 %.
            per_option: dict[int, int] = {}
            for mask, n in self.counts.items():
                for i in multi_indexes(mask):
                    per_option[i] = per_option.get(i, 0) + n
            labels = [str(o) for o in self.options or []]
            labels += [f"keuze {i + 1}" for i in range(len(labels), max(per_option, default=-1) + 1)]
            return [Bar(label, per_option.get(i, 0), 100.0 * per_option.get(i, 0) / self.count)
                    for i, label in enumerate(labels)]
        else:
            return []
        return [Bar(label, self.counts.get(v, 0), 100.0 * self.counts.get(v, 0) / self.count) for v, label in values]


@dataclass
class YearCell:
    count: int
    mean: float | None  # None when fewer answers than the threshold


@dataclass
class YearRow:
    """Mean of one scale question (on 1-5) or grade question (on 1-10) per school year."""

    result: QuestionResult
    cells: dict[int, YearCell]


@dataclass
class SafeguardSummary:
    code: str
    scale_count: int
    scale_mean: float | None
    yes_no_count: int
    yes_pct: float | None
    # Grades apart from the scale: a mean on 1-10 does not mix with one on 1-5.
    grade_count: int = 0
    grade_mean: float | None = None


@dataclass
class ResultSet:
    filters: ResultFilters
    min_shown: int
    responses: int
    sessions: int
    results: list[QuestionResult]
    years: list[int] = field(default_factory=list)
    by_year: list[YearRow] = field(default_factory=list)
    # Participant responses of the selection left out by the release rule (evaluaties.results.anonymity).
    withheld: int = 0
    # Open answers are read for one session or training at a time, a page per question.
    open_answers_read: bool = False
    open_page: int = 1
    open_per_page: int = OPEN_ANSWERS_PER_QUESTION

    @property
    def withheld_message(self) -> str | None:
        return anonymity.withheld_message(self.withheld, self.min_shown)

    @property
    def questionnaires(self) -> list[tuple[str, Audience, list[QuestionResult]]]:
        """The results grouped per questionnaire, in order."""
        groups: dict[int, tuple[str, Audience, list[QuestionResult]]] = {}
        for r in self.results:
            groups.setdefault(r.questionnaire_id, (r.questionnaire_title, r.audience, []))[2].append(r)
        return list(groups.values())

    @property
    def has_grades(self) -> bool:
        return any(r.type is QuestionType.GRADE for r in self.results)

    @property
    def year_labels(self) -> list[tuple[int, str]]:
        return [(y, school_year_label(y)) for y in self.years]

    def safeguard_summaries(self, order=()) -> list[SafeguardSummary]:
        """Per safeguard code: all scale answers, all grade answers and all yes/no answers of its
        tagged questions, added up from the per-question aggregates (no extra query). Choice,
        multi and open answers are not summarised. `order`: the codes in the order to show them
        (the framework's); other codes follow alphabetically."""
        rank = {code: i for i, code in enumerate(order)}
        acc: dict[str, dict] = {}
        for r in self.results:
            if not r.safeguard_code:
                continue
            a = acc.setdefault(
                r.safeguard_code, {"sn": 0, "ss": 0, "yn": 0, "yy": 0, "gn": 0, "gs": 0, "min": 1}
            )
            # A figure that holds any participant answer keeps the participants' threshold.
            a["min"] = max(a["min"], anonymity.question_threshold(r.audience, self.min_shown))
            if r.type is QuestionType.SCALE:
                a["sn"] += r.count
                a["ss"] += sum(v * n for v, n in r.counts.items() if v is not None)
            elif r.type is QuestionType.GRADE:
                a["gn"] += r.count
                a["gs"] += sum(v * n for v, n in r.counts.items() if v is not None)
            elif r.type is QuestionType.YES_NO:
                a["yn"] += r.count
                a["yy"] += r.counts.get(1, 0)
        return [
            SafeguardSummary(
                code,
                a["sn"],
                a["ss"] / a["sn"] if a["sn"] >= a["min"] and a["sn"] else None,
                a["yn"],
                100.0 * a["yy"] / a["yn"] if a["yn"] >= a["min"] and a["yn"] else None,
                a["gn"],
                a["gs"] / a["gn"] / GRADE_FACTOR if a["gn"] >= a["min"] and a["gn"] else None,
            )
            for code, a in sorted(acc.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))
        ]


def _response_conditions(scope: Scope, f: ResultFilters, on=Response) -> list:
    """The selection on responses or tally rows (`on`; needs TrainingSession and Training joined)."""
    conditions = [scope.condition(Training.partnership_id)]
    if f.session_id is not None:
        conditions.append(on.session_id == f.session_id)
    if f.training_id is not None:
        conditions.append(TrainingSession.training_id == f.training_id)
    if f.partnership_id is not None:
        conditions.append(Training.partnership_id == f.partnership_id)
    if f.school_year is not None:
        first, last = school_year_bounds(f.school_year)
        conditions.append(TrainingSession.date.between(first, last))
    if f.audience is not None:
        conditions.append(on.audience == f.audience)
    return conditions


def _sessions_of_scope(scope: Scope, on) -> list:
    """For a reader of some partnerships: `on`'s session among theirs, as a list of ids the tally
    is read by (its key leads with the session). SQLite otherwise read every partnership's rows
    of the index on (safeguard, audience) and filtered afterwards (a coordinator's results for a
    safeguard at region size 119 -> 55 ms); PostgreSQL hashes the sessions and is slower with it."""
    if scope.partnership_ids is None:
        return []
    ts, t = aliased(TrainingSession, name="scope_session"), aliased(Training, name="scope_training")
    return [on.session_id.in_(select(ts.id).join(t, t.id == ts.training_id).where(scope.condition(t.partnership_id)))]


def _question_conditions(f: ResultFilters) -> list:
    """The selection on questions (needs Question joined)."""
    return [Question.safeguard_code == f.safeguard_code] if f.safeguard_code else []


# The release rule over tally rows: each row's group count, joined (anonymity.GroupJoin).
_ANSWER_GROUP = anonymity.group_join(AnswerTally)
_RESPONSE_GROUP = anonymity.group_join(ResponseTally)


def _from_tally(stmt):
    return _ANSWER_GROUP.join(
        stmt.select_from(AnswerTally)
        .join(Question, Question.id == AnswerTally.question_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Question.version_id)
        .join(TrainingSession, TrainingSession.id == AnswerTally.session_id)
        .join(Training, Training.id == TrainingSession.training_id),
        Training.partnership_id,
    )


def _from_answers(stmt):
    return (
        stmt.select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Question.version_id)
        .join(TrainingSession, TrainingSession.id == Response.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
    )


def session_reader(db: Session, scope: Scope, session_id: int) -> tuple[TrainingSession, Scope]:
    """A session whose results the user may read, and the scope to read them with. Readers
    (admin, coordinator, steering) within their partnerships; a trainer only the sessions he
    taught (or teaches), read as if he belonged to that session's partnership and nothing more.
    The release rule is the same for everyone."""
    from evaluaties.answers.requests import is_trainer_of

    if scope.role is Role.TRAINER:
        ts = db.get(TrainingSession, check_id(session_id))
        if ts is None:
            raise NotFound()
        if not is_trainer_of(db, ts.id, scope.person_id):
            raise Forbidden()
        return ts, replace(scope, partnership_ids=frozenset({ts.training.partnership_id}))
    return get_session(db, scope, session_id), scope


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
    open_page: int = 1,
) -> ResultSet:
    """Aggregated answers of a selection: count, distribution, mean, yes/no shares, open answers.

    Read from the tally (evaluaties.results.models), never from the answer rows, except the open
    answers: those only for one session or training, a page of `open_per_question` per question.
    Only released responses count (evaluaties.results.anonymity); the others are only counted as withheld.
    Statements: one count of responses, one GROUP BY over the tally, one for the questions'
    wording, (one session or training) one for a page of open answers, and (with_years, no school
    year chosen, not for a single session) one GROUP BY per school year: never more, whatever the
    data size.
    """
    check_filters(db, scope, f)

    # A safeguard counts the released responses that answered one of its questions (their own
    # tally row), never the withheld ones: their number would then tell whether the people of a
    # small session answered that safeguard's questions.
    rt = ResponseTally
    shown = case((_RESPONSE_GROUP.condition(min_shown), 1), else_=0).label("shown")
    counted = (
        _RESPONSE_GROUP.join(
            select(rt.session_id, rt.safeguard, rt.responses, shown)
            .select_from(rt)
            .join(TrainingSession, TrainingSession.id == rt.session_id)
            .join(Training, Training.id == TrainingSession.training_id),
            Training.partnership_id,
        )
        .where(
            *_response_conditions(scope, f, rt),
            *(_sessions_of_scope(scope, rt) if db.get_bind().dialect.name == "sqlite" else []),
            rt.safeguard.in_({ALL_RESPONSES, f.safeguard_code or ALL_RESPONSES}),
            # Above a session, as the rollup: without cancelled sessions.
            TrainingSession.cancelled_at.is_(None) if f.session_id is None else true(),
        )
        .subquery("counted")
    )
    released_selected = and_(counted.c.shown == 1, counted.c.safeguard == (f.safeguard_code or ALL_RESPONSES))
    responses, sessions, withheld = db.execute(
        select(
            func.sum(case((released_selected, counted.c.responses), else_=0)),
            func.count(distinct(case((and_(released_selected, counted.c.responses > 0), counted.c.session_id)))),
            func.sum(case((and_(counted.c.shown == 0, counted.c.safeguard == ALL_RESPONSES), counted.c.responses), else_=0)),
        )
    ).one()

    qid = QuestionnaireVersion.questionnaire_id
    if f.session_id is not None:
        # One session: its own tally rows.
        conditions = (
            _response_conditions(scope, f, AnswerTally)
            + [_ANSWER_GROUP.condition(min_shown)]
            + _question_conditions(f)
        )
        aggregate = db.execute(
            _from_tally(select(literal(None).label("year"), qid, Question.code, Question.type, AnswerTally.value,
                               func.sum(AnswerTally.answers)))
            .where(*conditions)
            .group_by(qid, Question.code, Question.type, AnswerTally.value)
        ).all()
    else:
        # Above a session: the rollup per school year, less what the release rule withholds.
        answers = _rollup_answers(scope, f, min_shown)
        aggregate = db.execute(
            select(answers.c.year, qid, Question.code, Question.type, answers.c.value, func.sum(answers.c.n))
            .select_from(answers)
            .join(Question, Question.id == answers.c.question_id)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == Question.version_id)
            .where(*_question_conditions(f))
            .group_by(answers.c.year, qid, Question.code, Question.type, answers.c.value)
        ).all()
    counts: dict[Key, dict] = {}
    per_year: dict[tuple[Key, int], tuple[int, int]] = {}  # (key, year) -> (answers, sum of values)
    for year, questionnaire_id, code, qtype, value, n in aggregate:
        if not n:
            continue
        key, value = (questionnaire_id, code, qtype), None if value == NO_VALUE else value
        counts.setdefault(key, {})[value] = counts.get(key, {}).get(value, 0) + int(n)
        if year is not None and value is not None and qtype.has_mean:
            total, summed = per_year.get((key, year), (0, 0))
            per_year[(key, year)] = (total + int(n), summed + int(n) * value)

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
                shown=total >= anonymity.question_threshold(audience, min_shown),
            )
        )
    # Participants' questionnaires first, then by title and the question's place in the list.
    result_list.sort(
        key=lambda r: (
            r.audience is not Audience.PARTICIPANT, r.questionnaire_title, r.questionnaire_id, r.position, r.code
        )
    )

    rs = ResultSet(
        f, min_shown, int(responses or 0), int(sessions or 0), result_list, withheld=int(withheld or 0),
        open_answers_read=f.session_id is not None or f.training_id is not None,
        open_page=max(1, open_page), open_per_page=open_per_question,
    )
    by_key = {(r.questionnaire_id, r.code): r for r in result_list if r.type is QuestionType.OPEN and r.shown}
    if by_key and rs.open_answers_read:
        # The raw answers, of one session or training only, one page per question.
        raw_conditions = (
            _response_conditions(scope, f, Response)
            + [_OPEN_GROUP.condition(min_shown)]
            + _question_conditions(f)
            # Above a session, as the counts: without cancelled sessions.
            + ([TrainingSession.cancelled_at.is_(None)] if f.session_id is None else [])
        )
        first = (rs.open_page - 1) * open_per_question
        for questionnaire_id, code, text, session_date, training_title in _open_answers(
            db, raw_conditions, first, open_per_question
        ):
            r = by_key.get((questionnaire_id, code))
            if r is not None:
                r.open_answers.append(OpenAnswer(text, session_date, training_title))
        for r in by_key.values():
            # The same order on both databases (SQL lower() differs in what it folds).
            r.open_answers.sort(key=lambda a: anonymity.open_answer_key(a.text, a.session_date, a.training_title))

    if with_years and f.school_year is None and f.session_id is None:
        _add_years(rs, per_year)
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


# The group row of a response, for the release rule of the open answers (anonymity.GroupJoin).
_OPEN_GROUP = anonymity.group_join(Response)


def _open_answers(db: Session, conditions: list, first: int, per_question: int):
    """Open answers `first` + 1 .. `first` + `per_question` per question in the order of their
    text: an order that says nothing about when an answer was given (never newest first, never by id)."""
    qid = QuestionnaireVersion.questionnaire_id
    order = (func.lower(Answer.value_text), Answer.value_text, TrainingSession.date, Training.title)
    rn = func.row_number().over(partition_by=(qid, Question.code), order_by=order).label("rn")
    # The release rule as a join on each response's group row (anonymity.GroupJoin).
    inner = _OPEN_GROUP.join(_from_answers(
        select(
            qid.label("questionnaire_id"),
            Question.code.label("code"),
            Answer.value_text.label("text"),
            TrainingSession.date.label("session_date"),
            Training.title.label("training_title"),
            rn,
        )
    ), Training.partnership_id).where(
        *conditions,
        Question.type == QuestionType.OPEN,
        Answer.value_text.is_not(None),
        Answer.value_text != "",
    ).subquery("open_answers")
    return db.execute(
        select(inner.c.questionnaire_id, inner.c.code, inner.c.text, inner.c.session_date, inner.c.training_title)
        .where(inner.c.rn > first, inner.c.rn <= first + per_question)
        .order_by(inner.c.questionnaire_id, inner.c.code, inner.c.rn)
    ).all()


def _rollup_answers(scope: Scope, f: ResultFilters, min_shown: int):
    years = (f.school_year, f.school_year) if f.school_year is not None else None
    return rollup_answers(
        scope, min_shown, training_id=f.training_id, partnership_id=f.partnership_id, years=years,
        audience=f.audience,
    )


def rollup_answers(
    scope: Scope,
    min_shown: int,
    *,
    training_id: int | None = None,
    partnership_id: int | None = None,
    years: tuple[int, int] | None = None,
    audience: Audience | None = None,
    training_conditions: Sequence[ColumnElement[bool]] = (),
    questions=None,
    until: date | None = None,
):
    """Released answers of whole school years, per year, training, question and value (columns
    year, training_id, question_id, value, n): the rollup's rows and, negated, the tally rows of
    every participant group the release rule withholds from this reader (the few below the
    threshold). Sessions that were cancelled are in neither (see AnswerRollup). `years`: the first
    and last school year; `training_conditions`: on Training (joined for them); `questions`: a
    SELECT of the question ids wanted; `until`: sessions dated after it are left out (a school
    year cut by a reference date), by subtracting their released tally rows too: few, since
    answers come on and after a session's day."""
    r = AnswerRollup
    kept = [scope.condition(r.partnership_id)]
    in_view = [scope.condition(Training.partnership_id)]  # the trainings whose sessions count
    if training_id is not None:
        kept.append(r.training_id == training_id)
        in_view.append(Training.id == training_id)
    if partnership_id is not None:
        kept.append(r.partnership_id == partnership_id)
        in_view.append(Training.partnership_id == partnership_id)
    session_side = [*in_view, *training_conditions, TrainingSession.cancelled_at.is_(None)]
    if years is not None:
        kept.append(r.school_year.between(*years))
        session_side.append(TrainingSession.school_year.between(*years))
    if audience is not None:
        kept.append(r.audience == audience)
    if questions is not None:
        kept.append(r.question_id.in_(questions))
        session_side.append(AnswerTally.question_id.in_(questions))
    rolled = select(
        r.school_year.label("year"), r.training_id.label("training_id"), r.question_id.label("question_id"),
        r.value.label("value"), r.answers.label("n"),
    ).where(*kept)
    if training_conditions:
        rolled = rolled.join(Training, Training.id == r.training_id).where(*training_conditions)
    # From the small groups to their answers, not the other way round: the groups below the
    # highest threshold there is (an index range) of the trainings in view, kept when below their
    # own partnership's, then a lookup of each one's answers. (With the partnership's threshold
    # tested after the answers' lookup instead, PostgreSQL misjudged the rows and joined every
    # training to every group: 1.2 s for a school year's results at country size.)
    group, a, settings = _WITHHELD_GROUP, AnswerTally, _WITHHELD_SETTINGS
    # The highest threshold of the partnerships in view: another partnership's raised threshold
    # must not widen this reader's range.
    own = [scope.condition(PartnershipSettings.partnership_id)]
    if partnership_id is not None:
        own.append(PartnershipSettings.partnership_id == partnership_id)
    highest = select(func.max(PartnershipSettings.min_answers_shown)).where(*own).scalar_subquery()
    small = (
        select(group.session_id, group.version_id, group.source)
        .join(TrainingSession, TrainingSession.id == group.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .outerjoin(settings, settings.partnership_id == Training.partnership_id)
        .where(
            group.safeguard == ALL_RESPONSES,
            group.responses < threshold_of(highest, min_shown),
            group.responses < threshold_of(settings.min_answers_shown, min_shown),
            group.audience == Audience.PARTICIPANT,
            group.source.in_(anonymity.PARTICIPANT_SOURCES),
            *in_view,
        )
        .cte("small_groups")
        .prefix_with("MATERIALIZED")
    )
    withheld = (
        select(TrainingSession.school_year, TrainingSession.training_id, a.question_id, a.value, (-a.answers).label("n"))
        .select_from(small)
        .join(a, and_(a.session_id == small.c.session_id, a.version_id == small.c.version_id, a.source == small.c.source))
        .join(TrainingSession, TrainingSession.id == small.c.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(*session_side)
    )
    if audience is Audience.TRAINER:  # trainer evaluations are never withheld
        withheld = withheld.where(false())
    parts = [rolled, withheld]
    if until is not None:
        later = _LATER_GROUP.join(
            select(TrainingSession.school_year, TrainingSession.training_id, a.question_id, a.value, (-a.answers).label("n"))
            .select_from(TrainingSession)
            .join(Training, Training.id == TrainingSession.training_id)
            .join(a, a.session_id == TrainingSession.id),
            Training.partnership_id,
        ).where(*session_side, TrainingSession.date > until, _LATER_GROUP.condition(min_shown))
        if audience is not None:
            later = later.where(a.audience == audience)
        parts.append(later)
    return union_all(*parts).subquery("answers")


_WITHHELD_GROUP = aliased(ResponseTally, name="withheld_group")
_WITHHELD_SETTINGS = aliased(PartnershipSettings, name="withheld_settings")
# The group rows of the released tally rows of sessions after `until` (rollup_answers).
_LATER_GROUP = anonymity.group_join(AnswerTally)


def _add_years(rs: ResultSet, per_year: dict[tuple[Key, int], tuple[int, int]]) -> None:
    """Mean of every scale and grade question per school year (1 August – 31 July), from the
    aggregate's rows per year (no statement of its own)."""
    by_key = {(r.questionnaire_id, r.code, r.type): r for r in rs.results if r.type.has_mean}
    minimum = {key: anonymity.question_threshold(r.audience, rs.min_shown) for key, r in by_key.items()}
    cells: dict[Key, dict[int, YearCell]] = {}
    years: set[int] = set()
    for (key, year), (n, total) in per_year.items():
        if key not in by_key or not n:
            continue
        years.add(year)
        factor = GRADE_FACTOR if key[2] is QuestionType.GRADE else 1
        cells.setdefault(key, {})[year] = YearCell(n, (total / n / factor) if n >= minimum[key] else None)
    rs.years = sorted(years)
    rs.by_year = [YearRow(r, cells.get(key, {})) for key, r in by_key.items()]


def result_years(db: Session, scope: Scope, today: date) -> list[int]:
    """School years (starting year) that have sessions within scope, newest first. Per school year
    a session may have (validation dates them from EARLIEST_DATE to MAX_YEARS_AHEAD years ahead):
    whether one of its sessions is within scope, a range of the date index that stops at the first.
    (A DISTINCT over the school years read every session of every partnership for an admin.)"""
    years = range(school_year_of(EARLIEST_DATE), school_year_of(today) + MAX_YEARS_AHEAD + 1)
    held = [
        select(literal(year).label("year")).where(
            exists(
                select(TrainingSession.id)
                .join(Training, Training.id == TrainingSession.training_id)
                .where(
                    TrainingSession.date.between(*school_year_bounds(year)),
                    scope.condition(Training.partnership_id),
                )
            )
        )
        for year in years
    ]
    return sorted((int(y) for y in db.scalars(union_all(*held))), reverse=True)


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
    "QuestionResult",
    "ResultFilters",
    "ResultSet",
    "result_years",
    "results",
    "trainings_for_filter",
]
