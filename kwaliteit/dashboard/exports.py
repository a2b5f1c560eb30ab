"""Every table of the dashboard as CSV and XLSX, with the reference date and the filters in the file.

CSV: the selection first (one "label;value" line each), an empty line, then the table. XLSX: the
table on the first sheet (header in row 1, ready for a pivot table), the selection on a second.
The files are written by evaluaties.transfer.exporting (texts never become formulas).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from evaluaties.transfer import exporting
from kwaliteit.certification import flags as register_flags
from kwaliteit.dashboard import services
from kwaliteit.dashboard.services import Dashboard, Filters
from kwaliteit.scope import Scope
from kwaliteit.sqldates import school_year_label, school_year_of

# A list exported in full, up to this many rows (far more than any partnership's sessions).
MAX_ROWS = 20_000


@dataclass
class Table:
    title: str
    selection: list[tuple[str, str]]
    header: list[str]
    rows: list[list]


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _mean(mean) -> float | None:
    return None if mean is None else _r(mean.value)


# ---------------------------------------------------------------- tables of the dashboard


def _headline(d: Dashboard) -> tuple[list[str], list[list]]:
    h = d.headline
    return ["Kerncijfer", "Aantal"], [
        ["Trainersevaluaties te laat", h.overdue],
        [f"Trainersevaluaties die binnen {services.DUE_WITHIN_DAYS} dagen moeten", h.due_soon],
        [f"Gesloten deelnemersevaluaties met een respons onder {d.filters.low_pct}%", h.low_response],
        ["Bijeenkomsten zonder deelnemerslinks", h.without_links],
        ["Actieve trainingen zonder waarborg", h.trainings_without_safeguard],
        ["Waarborgen zonder actieve training", h.safeguards_uncovered],
        ["Fasen van kwaliteitscycli te laat", h.overdue_phases],
        ["Verbeteracties te laat", h.overdue_actions],
    ]


def _region(d: Dashboard) -> tuple[list[str], list[list]]:
    year = d.matrix.year_label
    header = [
        "Partnerschap",
        "Te laat",
        f"Binnen {services.DUE_WITHIN_DAYS} dagen",
        "Lage respons",
        "Zonder links",
        "Actieve trainingen",
        "Trainingen zonder waarborg",
        "Waarborgen zonder actieve training",
        f"Geëvalueerde bijeenkomsten {year}",
        f"Respons {year} (%)",
    ]
    header += [f"Algemeen oordeel {year} ({s.label})" for s in d.trends.ratings]
    rows = [
        [
            p.name,
            p.overdue,
            p.due_soon,
            p.low_response,
            p.without_links,
            p.trainings,
            p.trainings_without_safeguard,
            p.uncovered,
            p.evaluated,
            _r(p.rate_pct, 1),
            *[_mean(p.rating.get(s.type)) for s in d.trends.ratings],
        ]
        for p in d.partnerships
    ]
    return header, rows


def _matrix(d: Dashboard) -> tuple[list[str], list[list]]:
    m = d.matrix
    header = ["Partnerschap", "Training", "Soort", f"Geëvalueerde bijeenkomsten {m.year_label}"]
    header += [f"{c.safeguard.name} (toelichting)" for c in m.columns]
    rows = [
        [
            r.partnership_name,
            r.title,
            r.kind.label,
            r.evaluated,
            *[r.rationales.get(c.safeguard.id) for c in m.columns],
        ]
        for r in m.rows
    ]
    rows.append(["", "Actieve trainingen per waarborg", "", None, *[c.trainings for c in m.columns]])
    rows.append(
        ["", f"Geëvalueerde bijeenkomsten {m.year_label}", "", None, *[c.evaluated for c in m.columns]]
    )
    return header, rows


def _ratings(d: Dashboard) -> tuple[list[str], list[list]]:
    t = d.trends
    header = ["Partnerschap", "Training", "Schaal"]
    for _y, label in t.year_labels:
        header += [f"{label} gemiddelde", f"{label} antwoorden"]
    rows = []
    for s in t.ratings:
        for tid, title, pname in s.trainings:
            row: list[str | float | int | None] = [pname, title, s.label]
            for y in t.years:
                mean = s.cells.get((tid, y))
                row += [_mean(mean), mean.count if mean else None]
            rows.append(row)
    return header, rows


def _response(d: Dashboard) -> tuple[list[str], list[list]]:
    header = [
        "Schooljaar",
        "Bijeenkomsten (invultermijn gesloten)",
        "Antwoorden",
        "Deelnemers",
        "Respons (%)",
    ]
    return header, [[r.label, r.sessions, r.answers, r.invited, _r(r.pct, 1)] for r in d.trends.response]


def _safeguards(d: Dashboard) -> tuple[list[str], list[list]]:
    t = d.trends
    header = ["Waarborg"]
    for _y, label in t.year_labels:
        header += [f"{label} gemiddelde (1-5)", f"{label} antwoorden"]
    rows = []
    for sg in t.safeguards:
        row: list[str | float | int | None] = [sg.name]
        for y in t.years:
            mean = sg.cells.get(y)
            row += [_mean(mean), mean.count if mean else None]
        rows.append(row)
    return header, rows


def _composition(d: Dashboard) -> tuple[list[str], list[list]]:
    header = ["Gegeven door", "Bijeenkomsten", "Geëvalueerd", "Antwoorden"]
    header += [f"Algemeen oordeel ({s.label})" for s in d.trends.ratings]
    header += ["Stellingen (1-5)"]
    rows = [
        [
            c.composition.label,
            c.sessions,
            c.evaluated,
            c.answers,
            *[_mean(c.ratings.get(s.type)) for s in d.trends.ratings],
            _mean(c.statements),
        ]
        for c in d.composition
    ]
    return header, rows


def _register(d: Dashboard) -> tuple[list[str], list[list]]:
    c = d.register.counts
    share = c.qualified_share
    year = school_year_label(school_year_of(d.filters.reference))
    return ["Kerncijfer register", "Aantal"], [
        *[[flag.label, c.flags[flag]] for flag in register_flags.Flag],
        ["Trainers", c.trainers],
        [f"Trainers met een bijeenkomst in {year}", c.active_trainers],
        ["Van hen met een geldige registratie train-de-trainer", c.active_trainers_qualified],
        ["Aandeel met een geldige registratie (%)", None if share is None else _r(100 * share, 1)],
        ["Mentoren", c.mentors],
    ]


def _certified(d: Dashboard) -> tuple[list[str], list[list]]:
    header = ["Partnerschap", "Bestuur", "School", "Mentoren", "Gecertificeerd", "Aandeel gecertificeerd (%)"]
    cf = d.register.certified

    def share(x) -> float | None:
        return None if x.share is None else _r(100 * x.share, 1)

    rows = [[b.partnership_name, b.name, "(heel het bestuur)", b.mentors, b.certified, share(b)]
            for b in cf.boards]
    rows += [[x.partnership_name, x.board_name, x.name, x.mentors, x.certified, share(x)] for x in cf.schools]
    return header, rows


def _stages(d: Dashboard) -> tuple[list[str], list[list]]:
    c = d.register.counts
    return ["Fase van de leerlijn", "Mentoren"], [[s.label, c.stages[s]] for s in register_flags.Stage]


DASHBOARD_TABLES: dict[str, tuple[str, Callable[[Dashboard], tuple[list[str], list[list]]]]] = {
    "kerncijfers": ("Kerncijfers", _headline),
    "regio": ("Per partnerschap", _region),
    "dekking": ("Dekking van de waarborgen", _matrix),
    "oordeel": ("Algemeen oordeel per training", _ratings),
    "respons": ("Respons per schooljaar", _response),
    "waarborgen": ("Gemiddelde per waarborg", _safeguards),
    "samenstelling": ("Oordeel naar samenstelling van de trainers", _composition),
    "register": ("Register: signalen en trainers", _register),
    "gecertificeerd": ("Gecertificeerde mentoren per bestuur en school", _certified),
    "leerlijn": ("Mentoren per fase van de leerlijn", _stages),
}


# ---------------------------------------------------------------- the lists


def _trainers(session) -> str:
    return ", ".join(p.name for p in session.trainers)


def _trainer_rows(page, reference) -> tuple[list[str], list[list]]:
    header = [
        "Partnerschap",
        "Training",
        "Datum bijeenkomst",
        "Trainers",
        "Uiterlijk",
        "Dagen te laat",
        "Status",
    ]
    rows = [
        [
            r.partnership_name,
            r.training.title,
            r.session.date,
            _trainers(r.session),
            r.due,
            max(0, (reference - r.due).days),
            r.status.label,
        ]
        for r in page.items
    ]
    return header, rows


def _session_rows(page) -> tuple[list[str], list[list]]:
    header = [
        "Partnerschap",
        "Training",
        "Datum bijeenkomst",
        "Trainers",
        "Links",
        "Deelnemers",
        "Antwoorden",
        "Respons (%)",
        "Invullen tot en met",
        "Status",
    ]
    rows = [
        [
            r.partnership_name,
            r.training.title,
            r.session.date,
            _trainers(r.session),
            r.links,
            r.invited,
            r.answers,
            r.rate_pct,
            r.closes_on,
            r.status.label,
        ]
        for r in page.items
    ]
    return header, rows


TABLES = {**{k: v[0] for k, v in DASHBOARD_TABLES.items()}, **services.LIST_TITLES}


def table(db: Session, scope: Scope, f: Filters, name: str, min_shown: int) -> Table:
    """The named table for the filters. Raises ValidationError / Forbidden as the page does."""
    services.check_filters(db, scope, f)
    if name in DASHBOARD_TABLES:
        title, build = DASHBOARD_TABLES[name]
        f = Filters(f.reference, f.partnership_id, f.board_id, f.school_year, f.kind, f.low_pct)
        header, rows = build(services.dashboard(db, scope, f, min_shown))
    else:
        title = services.LIST_TITLES[name]
        sel = services.selection(scope, f)
        if name in services.TRAINER_LISTS:
            statuses, within = services.TRAINER_LISTS[name]
            page = services.trainer_list(db, scope, f, sel, statuses, within, page_size=MAX_ROWS)
            header, rows = _trainer_rows(page, f.reference)
        elif name in services.SESSION_LISTS:
            which = services.SESSION_LISTS[name]
            header, rows = _session_rows(services.session_list(db, scope, f, sel, which, page_size=MAX_ROWS))
        else:
            gaps = services.training_gaps(db, scope, sel)
            if name == "zonder-waarborg":
                header = ["Partnerschap", "Training", "Soort"]
                rows = [[p, t.title, t.kind.label] for t, p in gaps.unlinked]
            else:
                header = ["Code", "Waarborg"]
                rows = [[sg.code, sg.name] for sg in gaps.uncovered]
    return Table(title, services.describe(db, scope, f), header, rows)


def to_csv(t: Table) -> bytes:
    lines = [
        ["Dashboard kwaliteit", t.title],
        *[[label, value] for label, value in t.selection],
        [],
        t.header,
        *t.rows,
    ]
    return exporting.to_csv(lines[0], lines[1:])


def to_xlsx(t: Table) -> bytes:
    return exporting.to_xlsx(
        [
            (t.title, t.header, t.rows),
            ("Selectie", ["Dashboard kwaliteit", t.title], [[label, value] for label, value in t.selection]),
        ]
    )


__all__ = ["TABLES", "Table", "table", "to_csv", "to_xlsx"]
