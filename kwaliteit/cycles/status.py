"""Derived status of a review cycle's phases and of improvement actions: from the dates, the
completion moments and an explicit `today`, in Python for one object and in SQL for lists and
counts. One definition of each rule (see evaluaties/answers/status.py for the same pattern).

The phases:
- Plan runs from the cycle's opening; due `plan_due`.
- Do runs through the school year (1 August – 31 July) and is done when the year has ended; it
  has no due date of its own and is never overdue.
- Check starts when Plan is done; due `check_due`.
- Act starts when Check is done; due `act_due`.
A phase not done after its due date is overdue, whether or not the phase before it is done.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ColumnElement, and_, case, literal

from kwaliteit.cycles.models import OPEN_ACTION_STATUSES, ActionStatus, ImprovementAction, ReviewCycle
from kwaliteit.sqldates import add_days, school_year_bounds

# Reminders and "due soon" start this many days before a due date.
SOON_DAYS = 14


class Phase(enum.Enum):
    PLAN = "plan"
    DO = "do"
    CHECK = "check"
    ACT = "act"

    @property
    def label(self) -> str:
        return {"plan": "Plan", "do": "Do", "check": "Check", "act": "Act"}[self.value]


class PhaseStatus(enum.Enum):
    NOT_STARTED = "niet-begonnen"
    IN_PROGRESS = "bezig"
    DONE = "klaar"
    OVERDUE = "te-laat"

    @property
    def label(self) -> str:
        return {"niet-begonnen": "Niet begonnen", "bezig": "Bezig", "klaar": "Klaar", "te-laat": "Te laat"}[
            self.value
        ]


def due_date(cycle: ReviewCycle, phase: Phase) -> date:
    if phase is Phase.DO:
        return school_year_bounds(cycle.school_year)[1]
    return {Phase.PLAN: cycle.plan_due, Phase.CHECK: cycle.check_due, Phase.ACT: cycle.act_due}[phase]


def phase_status(cycle: ReviewCycle, phase: Phase, today: date) -> PhaseStatus:
    start, end = school_year_bounds(cycle.school_year)
    if phase is Phase.DO:
        if today > end:
            return PhaseStatus.DONE
        return PhaseStatus.IN_PROGRESS if today >= start else PhaseStatus.NOT_STARTED
    done, before_done = {
        Phase.PLAN: (cycle.plan_done_at, True),
        Phase.CHECK: (cycle.check_done_at, cycle.plan_done_at is not None),
        Phase.ACT: (cycle.act_done_at, cycle.check_done_at is not None),
    }[phase]
    if done is not None:
        return PhaseStatus.DONE
    if today > due_date(cycle, phase):
        return PhaseStatus.OVERDUE
    return PhaseStatus.IN_PROGRESS if before_done else PhaseStatus.NOT_STARTED


def phase_overdue_sql(phase: Phase, today: date) -> ColumnElement[bool]:
    """SQL twin of phase_status(...) is OVERDUE, on ReviewCycle (Do is never overdue)."""
    if phase is Phase.DO:
        return literal(False)
    done, due = {
        Phase.PLAN: (ReviewCycle.plan_done_at, ReviewCycle.plan_due),
        Phase.CHECK: (ReviewCycle.check_done_at, ReviewCycle.check_due),
        Phase.ACT: (ReviewCycle.act_done_at, ReviewCycle.act_due),
    }[phase]
    return and_(done.is_(None), due < today)


def phase_due_soon_sql(phase: Phase, today: date) -> ColumnElement[bool]:
    """SQL: not done, due from today up to SOON_DAYS ahead."""
    if phase is Phase.DO:
        return literal(False)
    done, due = {
        Phase.PLAN: (ReviewCycle.plan_done_at, ReviewCycle.plan_due),
        Phase.CHECK: (ReviewCycle.check_done_at, ReviewCycle.check_due),
        Phase.ACT: (ReviewCycle.act_done_at, ReviewCycle.act_due),
    }[phase]
    return and_(done.is_(None), due >= today, due <= add_days(literal(today), SOON_DAYS))


class ActionState(enum.Enum):
    OPEN = "open"
    DUE_SOON = "bijna"
    OVERDUE = "te-laat"
    CLOSED = "gesloten"  # done or dropped

    @property
    def label(self) -> str:
        return {"open": "Open", "bijna": "Binnenkort", "te-laat": "Te laat", "gesloten": "Gesloten"}[self.value]


def action_state(action: ImprovementAction, today: date) -> ActionState:
    if not action.status.is_open:
        return ActionState.CLOSED
    if action.due_on < today:
        return ActionState.OVERDUE
    if (action.due_on - today).days <= SOON_DAYS:
        return ActionState.DUE_SOON
    return ActionState.OPEN


def action_state_sql(today: date) -> ColumnElement[str]:
    """SQL twin of action_state, on ImprovementAction."""
    is_open = ImprovementAction.status.in_(OPEN_ACTION_STATUSES)
    return case(
        (~is_open, literal(ActionState.CLOSED.value)),
        (ImprovementAction.due_on < today, literal(ActionState.OVERDUE.value)),
        (ImprovementAction.due_on <= add_days(literal(today), SOON_DAYS), literal(ActionState.DUE_SOON.value)),
        else_=literal(ActionState.OPEN.value),
    )


def action_overdue_sql(today: date) -> ColumnElement[bool]:
    return and_(ImprovementAction.status.in_(OPEN_ACTION_STATUSES), ImprovementAction.due_on < today)


__all__ = [
    "SOON_DAYS",
    "ActionState",
    "ActionStatus",
    "Phase",
    "PhaseStatus",
    "action_overdue_sql",
    "action_state",
    "action_state_sql",
    "due_date",
    "phase_due_soon_sql",
    "phase_overdue_sql",
    "phase_status",
]
