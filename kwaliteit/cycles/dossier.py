"""The peer-review dossier of a partnership: per safeguard of the current framework, the evidence
of a period of school years (by default the six up to the reference date, the rhythm of the peer
review): the trainings that serve it with their rationales, evaluation results and trends, the
partnership's summaries, the cycles' goals, analyses and improvement actions, and the gaps.

Every figure comes from the dashboard's own services (coverage matrix, trends, register section)
with the dashboard's filters for the partnership and reference date, so the dossier and the
dashboard never disagree. A fixed number of statements, whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from evaluaties.transfer import exporting
from kwaliteit.cycles import calendar as cal
from kwaliteit.cycles.models import ImprovementAction, ReviewCycle
from kwaliteit.cycles.partnership import (
    PeerReview,
    current_links,
    get_partnership,
    summaries_by_year,
)
from kwaliteit.cycles.status import ActionState, Phase, PhaseStatus, action_state, phase_status
from kwaliteit.dashboard import services as dash
from kwaliteit.framework.models import Safeguard
from kwaliteit.framework.services import current_safeguards
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import Scope
from kwaliteit.sqldates import school_year_label, school_year_of
from kwaliteit.trainings.models import Training, TrainingKind
from kwaliteit.validation import ValidationError

# The peer review comes every six years: the dossier's default period.
PERIOD_YEARS = 6
MAX_PERIOD_YEARS = 12

ANALYSIS_QUESTIONS = (
    ("analysis_right_things", "Doen we de goede dingen?"),
    ("analysis_things_right", "Doen we ze goed?"),
    ("analysis_how_we_know", "Hoe weten we dat?"),
    ("analysis_others_agree", "Vinden anderen dat ook?"),
)
PHASES = (Phase.PLAN, Phase.DO, Phase.CHECK, Phase.ACT)


@dataclass
class TrainingEvidence:
    training_id: int
    title: str
    kind: TrainingKind
    rationale: str
    evaluated: int  # sessions with released participant results in the reference school year
    ratings: list[tuple[dash.RatingSeries, dict[int, dash.Mean]]] = field(default_factory=list)


@dataclass
class CycleEvidence:
    cycle: ReviewCycle
    title: str
    goal: str | None  # the year's goal for this safeguard
    statuses: list[tuple[Phase, PhaseStatus]]

    @property
    def year_label(self) -> str:
        return school_year_label(self.cycle.school_year)

    @property
    def analyses(self) -> list[tuple[str, str]]:
        return [(q, getattr(self.cycle, name)) for name, q in ANALYSIS_QUESTIONS if getattr(self.cycle, name)]


@dataclass
class ActionEvidence:
    action: ImprovementAction
    title: str  # of the training
    school_year: int
    state: ActionState

    @property
    def year_label(self) -> str:
        return school_year_label(self.school_year)


@dataclass
class Section:
    safeguard: Safeguard
    column: dash.MatrixColumn
    trainings: list[TrainingEvidence]
    trend: dash.SafeguardTrend | None
    summaries: list[tuple[int, str]]  # (school year, the partnership's summary)
    cycles: list[CycleEvidence]
    actions: list[ActionEvidence]
    gaps: list[str]


@dataclass
class Dossier:
    partnership: Partnership
    reference: date
    first_year: int
    last_year: int
    min_shown: int
    matrix: dash.Matrix
    trends: dash.Trends
    register: dash.RegisterSection
    peer_review: PeerReview
    sections: list[Section]
    gaps: list[str]  # of the partnership as a whole

    @property
    def period_label(self) -> str:
        return f"{school_year_label(self.first_year)} tot en met {school_year_label(self.last_year)}"

    @property
    def years(self) -> list[int]:
        """The period's school years with figures (the trends leave out empty early years)."""
        return [y for y in self.trends.years if y >= self.first_year]

    @property
    def year_labels(self) -> list[tuple[int, str]]:
        return [(y, school_year_label(y)) for y in self.years]


def period(reference: date, first_year: int | None) -> tuple[int, int]:
    """The school years of the dossier: up to the reference date's, from `first_year` (default:
    six school years in all). ValidationError for a first year after the last or too far back."""
    last = school_year_of(reference)
    if first_year is None:
        return last - PERIOD_YEARS + 1, last
    if first_year > last:
        raise ValidationError({"vanaf": "Het eerste schooljaar ligt na het schooljaar van de peildatum."})
    if last - first_year + 1 > MAX_PERIOD_YEARS:
        raise ValidationError({"vanaf": f"Kies een periode van hoogstens {MAX_PERIOD_YEARS} schooljaren."})
    return first_year, last


def dashboard_filters(partnership_id: int, reference: date) -> dash.Filters:
    """The dashboard's filters that give the dossier's figures: the partnership, the reference
    date, every kind of training, every board."""
    return dash.Filters(reference=reference, partnership_id=partnership_id)


def dossier(
    db: Session,
    scope: Scope,
    partnership_id: int,
    reference: date,
    min_shown: int,
    first_year: int | None = None,
) -> Dossier:
    partnership = get_partnership(db, scope, partnership_id)
    first, last = period(reference, first_year)
    f = dashboard_filters(partnership_id, reference)
    dash.check_filters(db, scope, f)
    sel = dash.selection(scope, f)
    safeguards = current_safeguards(db)
    matrix = dash.coverage_matrix(db, scope, f, sel, safeguards, min_shown)
    trends, _by_partnership = dash.trends(
        db, scope, f, sel, safeguards, min_shown, year_count=last - first + 1
    )
    register = dash.register_section(db, scope, f)
    calendar = cal.calendar_for(db, partnership_id)
    peer = PeerReview(
        partnership_id, partnership.name, calendar.peer_review_years, calendar.last_peer_review, reference
    )

    cycles = list(
        db.scalars(
            select(ReviewCycle)
            .join(Training, Training.id == ReviewCycle.training_id)
            .where(Training.partnership_id == partnership_id, ReviewCycle.school_year.between(first, last))
            .options(
                joinedload(ReviewCycle.training),
                selectinload(ReviewCycle.goals),
                selectinload(ReviewCycle.actions).joinedload(ImprovementAction.owner),
            )
            .order_by(ReviewCycle.school_year, Training.title, ReviewCycle.id)
        )
    )
    links = current_links()
    served: dict[int, set[int]] = {}
    for tid, sid in db.execute(
        select(links.c.training_id, links.c.safeguard_id)
        .join(Training, Training.id == links.c.training_id)
        .where(Training.partnership_id == partnership_id)
    ):
        served.setdefault(tid, set()).add(sid)
    summaries = summaries_by_year(db, partnership_id, first, last)

    columns = {c.safeguard.id: c for c in matrix.columns}
    trend_by_code = {t.code: t for t in trends.safeguards}
    sections = []
    for sg in safeguards:
        trainings = [
            TrainingEvidence(
                r.training_id,
                r.title,
                r.kind,
                r.rationales[sg.id],
                r.evaluated,
                [
                    (
                        s,
                        {
                            y: s.cells[(r.training_id, y)]
                            for y in trends.years
                            if (r.training_id, y) in s.cells
                        },
                    )
                    for s in trends.ratings
                    if any((r.training_id, y) in s.cells for y in trends.years)
                ],
            )
            for r in matrix.rows
            if sg.id in r.rationales
        ]
        mine = [c for c in cycles if sg.id in served.get(c.training_id, set())]
        cycle_evidence = [
            CycleEvidence(
                c,
                c.training.title,
                next((g.text for g in c.goals if g.safeguard_id == sg.id), None),
                [(p, phase_status(c, p, reference)) for p in PHASES],
            )
            for c in mine
        ]
        actions = [
            ActionEvidence(a, c.training.title, c.school_year, action_state(a, reference))
            for c in cycles
            for a in c.actions
            if a.safeguard_id == sg.id
            or (a.safeguard_id is None and sg.id in served.get(c.training_id, set()))
        ]
        column = columns[sg.id]
        gaps = []
        if column.uncovered:
            gaps.append("Geen actieve training dient deze waarborg.")
        elif column.no_evidence:
            gaps.append(f"Geen evaluatiebewijs (vrijgegeven deelnemersresultaten) in {matrix.year_label}.")
        for ce in cycle_evidence:
            late = [p.label for p, status in ce.statuses if status is PhaseStatus.OVERDUE]
            if late:
                gaps.append(f"{ce.title} ({ce.year_label}): {', '.join(late)} te laat.")
        for ae in actions:
            if ae.state is ActionState.OVERDUE:
                due, text = ae.action.due_on, ae.action.description[:120]
                gaps.append(f"Verbeteractie te laat (uiterlijk {due:%d-%m-%Y}): {text}")
        sections.append(
            Section(
                safeguard=sg,
                column=column,
                trainings=trainings,
                trend=trend_by_code.get(sg.code),
                summaries=[
                    (y, summaries[(y, sg.id)]) for y in range(first, last + 1) if (y, sg.id) in summaries
                ],
                cycles=cycle_evidence,
                actions=actions,
                gaps=gaps,
            )
        )
    general = []
    for r in matrix.unlinked:
        general.append(f"De actieve training {r.title} dient geen waarborg.")
    if peer.next is None:
        general.append("De datum van de laatste peer review is niet ingevuld: de volgende is onbekend.")
    elif peer.overdue:
        general.append(f"De peer review was uiterlijk {peer.next:%d-%m-%Y} gepland.")
    return Dossier(
        partnership=partnership,
        reference=reference,
        first_year=first,
        last_year=last,
        min_shown=min_shown,
        matrix=matrix,
        trends=trends,
        register=register,
        peer_review=peer,
        sections=sections,
        gaps=general,
    )


# ================================================================ the workbook

HEADER = ["Onderdeel", "Onderwerp", "Schooljaar", "Waarde", "Toelichting"]


def _mean_row(part: str, subject: str, year: int, mean: dash.Mean, note: str) -> list:
    value = round(mean.value, 2) if mean.value is not None else None
    shown = f"{note}; {mean.count} antwoorden" if mean.shown else f"{note}; te weinig antwoorden om te tonen"
    return [part, subject, school_year_label(year), value, shown]


def section_rows(d: Dossier, s: Section) -> list[list]:
    rows: list[list] = [
        ["Waarborg", s.safeguard.name, "", s.safeguard.code, s.safeguard.description or ""],
        [
            "Dekking",
            "Actieve trainingen die de waarborg dienen",
            d.matrix.year_label,
            s.column.trainings,
            f"{s.column.evaluated} geëvalueerde bijeenkomsten in {d.matrix.year_label}",
        ],
    ]
    for t in s.trainings:
        rows.append(
            [
                "Training",
                t.title,
                d.matrix.year_label,
                t.evaluated,
                f"{t.kind.label}. Onderbouwing: {t.rationale}",
            ]
        )
        for series, cells in t.ratings:
            for year in d.years:
                if year in cells:
                    rows.append(_mean_row("Totaaloordeel", t.title, year, cells[year], series.label))
    if s.trend is not None:
        for year in d.years:
            if year in s.trend.cells:
                rows.append(
                    _mean_row(
                        "Gemiddelde waarborgvragen", s.safeguard.name, year, s.trend.cells[year], "schaal 1–5"
                    )
                )
    for year, text in s.summaries:
        rows.append(["Samenvatting partnerschap", s.safeguard.name, school_year_label(year), None, text])
    for c in s.cycles:
        state = ", ".join(f"{p.label}: {st.label.lower()}" for p, st in c.statuses)
        rows.append(["Kwaliteitscyclus", c.title, c.year_label, state, c.goal or ""])
        for question, text in c.analyses:
            rows.append(["Analyse", c.title, c.year_label, question, text])
    for a in s.actions:
        owner = a.action.owner.name if a.action.owner else ""
        rows.append(
            [
                "Verbeteractie",
                a.action.description,
                a.year_label,
                f"{a.action.status.label} ({a.state.label.lower()})",
                f"{a.title}; eigenaar {owner}; uiterlijk {a.action.due_on:%d-%m-%Y}"
                + (f"; bevinding: {a.action.finding}" if a.action.finding else "")
                + ("; openbaar" if a.action.public else ""),
            ]
        )
    for gap in s.gaps:
        rows.append(["Hiaat", s.safeguard.name, "", None, gap])
    return rows


def overview_rows(d: Dossier) -> list[list]:
    p = d.peer_review
    rows: list[list] = [
        ["Partnerschap", d.partnership.name, "", None, ""],
        ["Peildatum", f"{d.reference:%d-%m-%Y}", "", None, ""],
        ["Periode", d.period_label, "", None, ""],
        [
            "Volgende peer review",
            f"{p.next:%d-%m-%Y}" if p.next else "onbekend",
            "",
            p.days_left,
            p.countdown,
        ],
    ]
    for r in d.trends.response:
        if r.year >= d.first_year:
            rows.append(
                [
                    "Respons deelnemers",
                    "gesloten evaluaties",
                    r.label,
                    round(r.pct, 1) if r.pct is not None else None,
                    f"{r.answers} van {r.invited} uitgenodigden, {r.sessions} bijeenkomsten",
                ]
            )
    c = d.register.counts
    rows.append(["Register", "Mentoren", "", c.mentors, f"op {d.reference:%d-%m-%Y}"])
    rows.append(["Register", "Trainers", "", c.trainers, ""])
    rows.append(
        [
            "Register",
            "Actieve trainers met geldige registratie",
            "",
            c.active_trainers_qualified,
            f"van {c.active_trainers} actieve trainers",
        ]
    )
    for flag, n in d.register.flags:
        rows.append(["Register: signaal", flag.label, "", n, ""])
    for stage, n in d.register.stages:
        rows.append(["Register: leerlijn", stage.label, "", n, ""])
    for b in d.register.certified.boards:
        rows.append(
            ["Register: gecertificeerde mentoren", b.name, "", b.certified, f"van {b.mentors} mentoren"]
        )
    for gap in d.gaps:
        rows.append(["Hiaat", d.partnership.name, "", None, gap])
    return rows


def to_xlsx(d: Dossier) -> bytes:
    """The dossier as a workbook: an overview sheet, then one sheet per safeguard."""
    sheets = [("Overzicht", HEADER, overview_rows(d))]
    for s in d.sections:
        sheets.append((f"{s.safeguard.code} {s.safeguard.name}", HEADER, section_rows(d, s)))
    return exporting.to_xlsx(sheets)
