"""Plotly figures of the dashboard, built in Python and sent as JSON.

A figure is the plain dict of plotly.js's JSON schema ({"data": [traces], "layout": {...}}), not a
plotly.graph_objects.Figure: the graph objects validate every property on assignment, which cost
a quarter of a second per dashboard at region size for figures whose shape is fixed here.

A page embeds each figure as a non-executable `<script type="application/json">` data block (so the
Content-Security-Policy needs no inline script) and kwaliteit/static/charts.js draws them with the
plotly.js of the installed plotly package. Every figure has a table beside it with the same
numbers, and a one-sentence summary for screen readers.

The figures are static pictures with hover labels: no mode bar (its icons are not accessible, and
plotly would add inline style elements for it), no zoom or drag (a phone scrolls past a chart),
colours that keep 3:1 against white, and marker symbols as well as colours to tell series apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from evaluaties.questionnaires.models import QuestionType
from kwaliteit.certification.flags import RegisterCounts, Stage
from kwaliteit.dashboard.services import (
    Composition,
    CompositionRow,
    PartnershipFigures,
    RatingSeries,
    Trends,
)
from kwaliteit.filters import nl_number
from kwaliteit.sqldates import school_year_label

# Colours of the series (>= 3:1 against white) and symbols, so that colour is never the only cue.
COLOURS = ("#0b5394", "#b45309", "#2f6f3e", "#7b2d8b", "#9f1d35", "#4a4a4a")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")
TEXT = "#1b1b1b"
GRID = "#d0d0d0"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
# A tick label longer than this is cut (the full name is in the hover label and the table).
MAX_LABEL = 42
# ... and on a phone (see to_script_json's `narrow`).
NARROW_LABEL = 18

CONFIG = {
    "displayModeBar": False,
    "responsive": True,
    "scrollZoom": False,
    "doubleClick": False,
    "showTips": False,
    "locale": "nl",
    "separators": ",.",  # decimal comma
}


@dataclass
class Chart:
    id: str  # the element the figure is drawn in
    title: str
    summary: str  # text alternative: what the figure shows, in one or two sentences
    spec: str  # JSON of {"figure": ..., "config": ...}, safe inside <script type="application/json">

    @property
    def data(self) -> Markup:
        return Markup(self.spec)


# What plotly's `template="none"` resolves to in a figure's JSON: no template styling at all.
NO_TEMPLATE = {"data": {"scatter": [{"type": "scatter"}]}}

Figure = dict[str, Any]


def _figure(traces: list[dict], layout: dict) -> Figure:
    return {"data": traces, "layout": layout}


def to_script_json(figure: Figure, narrow: dict | None = None) -> str:
    """The figure and its config as JSON that cannot end its <script> element early: every '<',
    '>' and '&' is written as a \\u escape (JSON.parse reads them back unchanged).

    `narrow`: layout changes that charts.js applies to a chart drawn narrower than 480 px (a phone)."""
    spec = '{"figure": ' + json.dumps(figure, allow_nan=False) + ', "config": ' + json.dumps(CONFIG)
    if narrow:
        spec += ', "narrow": ' + json.dumps(narrow)
    spec += "}"
    return spec.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _t(text: str) -> str:
    """A name in a figure's text: plotly reads a few HTML tags in labels, so names are escaped
    (it shows the entities as the characters they stand for)."""
    return str(escape(text))


def _short(text: str, limit: int = 0) -> str:
    """A tick label: cut, then escaped."""
    limit = limit or MAX_LABEL
    return _t(text if len(text) <= limit else text[: limit - 1].rstrip() + "…")


def _unique(labels: list[str]) -> list[str]:
    """Cut labels that came out the same get a number: a category axis would merge them."""
    seen: dict[str, int] = {}
    out = []
    for text in labels:
        seen[text] = seen.get(text, 0) + 1
        out.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return out


def _layout(height: int, **extra) -> dict:
    axis = {
        "gridcolor": GRID,
        "linecolor": TEXT,
        "zerolinecolor": GRID,
        "fixedrange": True,
        "automargin": True,
        "tickfont": {"color": TEXT},
    }
    layout: dict[str, Any] = {
        "template": NO_TEMPLATE,
        "height": height,
        "autosize": True,
        "font": {"family": FONT, "size": 13, "color": TEXT},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 8, "r": 16, "t": 16, "b": 8, "pad": 4},
        "dragmode": False,
        "hovermode": "closest",
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0,
            "font": {"color": TEXT},
        },
        "xaxis": dict(axis),
        "yaxis": dict(axis),
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _chart(id_: str, title: str, summary: str, figure: Figure, narrow: dict | None = None) -> Chart:
    return Chart(id_, title, summary, to_script_json(figure, narrow))


def _narrow_labels(labels: list[str], names: list[str]) -> dict:
    """On a phone, shorter tick labels leave room for the plot (the table has the full names)."""
    return {
        "yaxis.tickmode": "array",
        "yaxis.tickvals": labels,
        "yaxis.ticktext": _unique([_tail(name, NARROW_LABEL) for name in names]),
    }


def _tail(text: str, limit: int) -> str:
    """The last words of a name, escaped: titles tend to start with the kind of training
    ("Verdiepingstraining ...") and end with what sets them apart."""
    if len(text) <= limit:
        return _t(text)
    words, tail = text.split(), ""
    while words and len(words[-1]) + len(tail) + 1 <= limit - 1:
        tail = f"{words.pop()} {tail}".strip()
    return _t("…" + (tail or text[-(limit - 1) :]))


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else nl_number(round(value, digits), digits)


# ---------------------------------------------------------------- trends


def rating_charts(series: RatingSeries, years: list[int], index: int) -> list[Chart]:
    """The overall rating per training and school year: one dot plot per partnership (small
    multiples side by side, rather than one chart of every training in the region)."""
    by_partnership: dict[str, list[tuple[int, str]]] = {}
    for tid, title, pname in series.trainings:
        if any((m := series.cells.get((tid, y))) is not None and m.shown for y in years):
            by_partnership.setdefault(pname, []).append((tid, title))
    several = len(by_partnership) > 1
    return [
        _rating_chart(series, years, rows, f"{index}-{n}", pname if several else None)
        for n, (pname, rows) in enumerate(by_partnership.items())
    ]


def _rating_chart(
    series: RatingSeries, years: list[int], rows: list[tuple[int, str]], key: str, partnership: str | None
) -> Chart:
    """A dot plot: one row per training, one marker per school year (current beside the previous)."""
    labels = _unique([_short(title) for _tid, title in rows])
    label = {tid: text for (tid, _t), text in zip(rows, labels, strict=True)}
    traces: list[dict] = []
    for n, year in enumerate(years):
        y, x, text = [], [], []
        for tid, title in rows:
            mean = series.cells.get((tid, year))
            if mean is None or mean.value is None:  # not shown
                continue
            y.append(label[tid])
            x.append(round(mean.value, 2))
            text.append(
                f"{_t(title)}<br>{school_year_label(year)}: {_fmt(mean.value)} ({mean.count} antwoorden)"
            )
        if not x:
            continue
        current = year == years[-1]
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=y,
                mode="markers",
                name=school_year_label(year),
                text=text,
                hoverinfo="text",
                marker={
                    "size": 13 if current else 10,
                    "symbol": SYMBOLS[n % len(SYMBOLS)],
                    "color": COLOURS[(len(years) - 1 - n) % len(COLOURS)],
                    "line": {"width": 1, "color": TEXT},
                },
            )
        )
    layout = _layout(
        110 + 30 * len(rows),
        xaxis={
            "range": [0.8, series.scale_max + 0.2],
            "dtick": 1,
            "title": {"text": series.label.capitalize()},
        },
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": list(reversed(labels))},
    )
    latest = years[-1]
    with_current = sum(
        1 for tid, _t in rows if (m := series.cells.get((tid, latest))) is not None and m.shown
    )
    where = f" in {partnership}" if partnership else ""
    summary = (
        f"Gemiddeld algemeen oordeel ({series.label}) per training en schooljaar{where}, "
        f"{len(rows)} trainingen. "
        + (
            f"In {school_year_label(latest)} hebben {with_current} trainingen een oordeel. "
            if with_current
            else ""
        )
        + "De tabel eronder geeft dezelfde cijfers."
    )
    title = f"Algemeen oordeel, {series.label}" + (f": {partnership}" if partnership else "")
    return _chart(
        f"grafiek-oordeel-{key}",
        title,
        summary,
        _figure(traces, layout),
        narrow=_narrow_labels(labels, [title for _tid, title in rows]),
    )


def response_chart(t: Trends, low_pct: int) -> Chart | None:
    rows = [r for r in t.response if r.invited]
    if not rows:
        return None
    traces = [
        dict(
            type="bar",
            x=[r.label for r in rows],
            y=[round(r.pct, 1) for r in rows],  # type: ignore[arg-type]  # invited, so a percentage
            text=[f"{_fmt(r.pct, 0)}%" for r in rows],
            textposition="outside",
            hovertext=[
                f"{r.label}: {r.answers} van {r.invited} deelnemers ({r.sessions} bijeenkomsten)"
                for r in rows
            ],
            hoverinfo="text",
            marker={"color": COLOURS[0]},
            name="Respons",
        )
    ]
    # The threshold as a dashed line across the plot, labelled at its right end.
    line = {"color": COLOURS[4], "dash": "dash", "width": 2}
    layout = _layout(
        300,
        showlegend=False,
        yaxis={"range": [0, 105], "ticksuffix": "%", "title": {"text": "Respons"}},
        shapes=[
            {
                "type": "line",
                "xref": "x domain",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": low_pct,
                "y1": low_pct,
                "line": line,
            }
        ],
        annotations=[
            {
                "text": f"grens {low_pct}%",
                "font": {"color": COLOURS[4]},
                "bgcolor": "#ffffff",
                "showarrow": False,
                "xref": "x domain",
                "x": 1,
                "xanchor": "right",
                "yref": "y",
                "y": low_pct,
                "yanchor": "bottom",
            }
        ],
    )
    latest = rows[-1]
    summary = (
        f"Respons van deelnemers per schooljaar (bijeenkomsten met een gesloten invultermijn). "
        f"{latest.label}: {_fmt(latest.pct, 0)}%. De tabel eronder geeft alle jaren."
    )
    return _chart("grafiek-respons", "Respons per schooljaar", summary, _figure(traces, layout))


def safeguard_chart(t: Trends) -> Chart | None:
    if not t.safeguards:
        return None
    traces: list[dict] = []
    labels = [school_year_label(y) for y in t.years]
    for n, sg in enumerate(t.safeguards):
        points = [(label, sg.cells.get(y)) for y, label in zip(t.years, labels, strict=True)]
        x = [label for label, m in points if m is not None and m.value is not None]
        y = [round(m.value, 2) for _l, m in points if m is not None and m.value is not None]
        if not x:
            continue
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=y,
                mode="lines+markers",
                name=_t(sg.name),
                line={"color": COLOURS[n % len(COLOURS)], "width": 2},
                marker={"size": 10, "symbol": SYMBOLS[n % len(SYMBOLS)], "color": COLOURS[n % len(COLOURS)]},
                text=[f"{_t(sg.name)}<br>{label}: {_fmt(v, 2)}" for label, v in zip(x, y, strict=True)],
                hoverinfo="text",
            )
        )
    if not traces:
        return None
    layout = _layout(
        320,
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": labels},
        yaxis={"range": [0.8, 5.2], "dtick": 1, "title": {"text": "Gemiddelde (1–5)"}},
    )
    summary = (
        "Gemiddelde van de deelnemersvragen per waarborg en schooljaar, op een schaal van 1 tot 5. "
        "De tabel eronder geeft dezelfde cijfers."
    )
    return _chart("grafiek-waarborgen", "Gemiddelde per waarborg", summary, _figure(traces, layout))


# ---------------------------------------------------------------- composition


def composition_charts(rows: list[CompositionRow], rating_types: list) -> list[Chart]:
    """Per composition the participants' means, one chart per scale (never two scales on one axis):
    the overall rating as a grade (1-10), and on 1-5 the overall rating of older questionnaires
    with the other statements."""
    charts = []
    if QuestionType.GRADE in rating_types:
        charts.append(
            _composition_chart(
                rows,
                [("Algemeen oordeel (cijfer)", lambda r: r.ratings.get(QuestionType.GRADE))],
                10,
                "grafiek-samenstelling-cijfer",
                "Algemeen oordeel (cijfer 1–10) naar samenstelling van de trainers",
            )
        )
    measures = []
    if QuestionType.SCALE in rating_types:
        measures.append(("Algemeen oordeel (1–5)", lambda r: r.ratings.get(QuestionType.SCALE)))
    measures.append(("Stellingen (1–5)", lambda r: r.statements))
    charts.append(
        _composition_chart(
            rows, measures, 5, "grafiek-samenstelling", "Stellingen (1–5) naar samenstelling van de trainers"
        )
    )
    return [c for c in charts if c is not None]


def _composition_chart(
    rows: list[CompositionRow], measures: list, scale_max: int, id_: str, title: str
) -> Chart | None:
    labels = [r.composition.short for r in rows]
    traces: list[dict] = []
    for n, (name, pick) in enumerate(measures):
        means = [pick(r) for r in rows]
        if not any(m is not None and m.shown for m in means):
            continue
        traces.append(
            dict(
                type="bar",
                y=labels,
                x=[round(m.value, 2) if m is not None and m.shown else None for m in means],
                orientation="h",
                name=name,
                marker={"color": COLOURS[n], "pattern": {"shape": "" if n == 0 else "/"}},
                text=[_fmt(m.value, 2) if m is not None and m.shown else "" for m in means],
                textposition="outside",
                hovertext=[
                    f"{r.composition.label}: "
                    + (_fmt(m.value, 2) if m is not None and m.shown else "te weinig antwoorden")
                    for r, m in zip(rows, means, strict=True)
                ],
                hoverinfo="text",
            )
        )
    if not traces:
        return None
    layout = _layout(
        80 + (30 + 25 * len(traces)) * len(rows),
        barmode="group",
        showlegend=len(traces) > 1,
        xaxis={
            "range": [1, scale_max + 0.4 * scale_max / 5],
            "dtick": 1,
            "title": {"text": f"Gemiddelde (1–{scale_max})"},
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": labels,
            "autorange": "reversed",
        },
    )
    summary = (
        f"{title}: een tandem, alleen schoolopleiders of alleen instituutsopleiders. "
        "De tabel eronder geeft dezelfde cijfers en de aantallen."
    )
    return _chart(id_, title, summary, _figure(traces, layout))


# ---------------------------------------------------------------- region


def region_chart(partnerships: list[PartnershipFigures], year_label: str) -> Chart | None:
    rows = [p for p in partnerships if p.rate_pct is not None]
    if len(partnerships) < 2 or not rows:
        return None
    keys = [str(p.id) for p in rows]
    traces = [
        dict(
            type="bar",
            y=keys,
            x=[round(p.rate_pct, 1) for p in rows],  # type: ignore[arg-type]  # rows with a rate only
            orientation="h",
            text=[f"{_fmt(p.rate_pct, 0)}%" for p in rows],
            textposition="outside",
            hovertext=[f"{_t(p.name)}: {p.year_answers} van {p.year_invited}" for p in rows],
            hoverinfo="text",
            marker={"color": COLOURS[0]},
            name="Respons",
        )
    ]
    layout = _layout(
        90 + 44 * len(rows),
        showlegend=False,
        xaxis={"range": [0, 110], "ticksuffix": "%", "title": {"text": f"Respons {year_label}"}},
        yaxis={
            "type": "category",
            "tickmode": "array",
            "tickvals": keys,
            "ticktext": [_short(p.name) for p in rows],
            "categoryorder": "array",
            "categoryarray": list(reversed(keys)),
        },
    )
    summary = (
        f"Respons van deelnemers per partnerschap in schooljaar {year_label}. "
        "De tabel ernaast geeft alle cijfers."
    )
    return _chart("grafiek-regio", "Respons per partnerschap", summary, _figure(traces, layout))


# ---------------------------------------------------------------- register


def stage_chart(counts: RegisterCounts) -> Chart | None:
    """Mentors per stage of their path, the most urgent first (a horizontal bar per stage)."""
    if not counts.mentors:
        return None
    stages = list(Stage)  # in the order of flags.STAGE_ORDER: the most urgent first
    labels = [s.label for s in stages]
    values = [counts.stages[s] for s in stages]
    traces = [
        dict(
            type="bar",
            y=labels,
            x=values,
            orientation="h",
            text=[str(v) for v in values],
            textposition="outside",
            hovertext=[
                f"{label}: {v} mentor{'' if v == 1 else 'en'}"
                for label, v in zip(labels, values, strict=True)
            ],
            hoverinfo="text",
            marker={"color": [COLOURS[4], COLOURS[1], COLOURS[3], COLOURS[2]]},
            name="Mentoren",
        )
    ]
    layout = _layout(
        90 + 44 * len(stages),
        showlegend=False,
        xaxis={"range": [0, max(values) * 1.15 + 1], "title": {"text": "Mentoren"}},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": list(reversed(labels))},
    )
    summary = (
        f"{counts.mentors} mentoren naar fase van de leerlijn: "
        + ", ".join(f"{s.label.lower()} {counts.stages[s]}" for s in stages)
        + ". De tabel ernaast geeft dezelfde cijfers."
    )
    return _chart("grafiek-leerlijn", "Mentoren per fase van de leerlijn", summary, _figure(traces, layout))


__all__ = [
    "Chart",
    "Composition",
    "composition_charts",
    "rating_charts",
    "region_chart",
    "response_chart",
    "safeguard_chart",
    "stage_chart",
    "to_script_json",
]
