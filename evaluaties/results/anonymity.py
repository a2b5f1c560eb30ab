"""The release rule for participant answers: the one place that decides what may leave the tally.

Every result, page and export of answers applies it to the responses or tally rows it reads
(`GroupJoin`: each row's group joined, and `condition` on the group's count), so the rule holds
at every level (session, training, school year, safeguard, partnership) and also inside a larger
list: a training-level export or page never holds a row, open answer or figure of a
session whose group is too small.

The rule (README, "Privacy en anonimiteit"):
- The smallest group ever released is a session. The participant responses of a session are
  released per source: the answers given through links form one group, the imported answers
  another, and a group is released only when it alone has at least `min_shown` responses. Imports
  are the coordinator's own data; counted together, three imported dummy rows would unlock two real
  answers.
- Per version of the questionnaire, too: the answers on a later version were given later, and a
  row shows its version (its number, its new questions, a changed type). Counted together, a
  coordinator who publishes a new version just before someone uses their link could point at
  that person's row.
- Trainer evaluations are named, not anonymous: they are never part of a participant group and
  are released as before (audience and source "trainer").
- Within released answers, a participant question with fewer than `min_shown` answers shows only
  its count (results.services, via `question_threshold`); that is an extra layer, not a
  replacement. A trainer question has no such threshold: a session has one, named, evaluation.

A response stores no moment of submission, and rows and open answers are listed in an order that
depends only on the session and on the answers' own values (see `row_order_key`), never on ids or
insertion order.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import aliased

from evaluaties.answers.models import ResponseSource
from evaluaties.questionnaires.models import Audience
from evaluaties.results.models import ALL_RESPONSES, ResponseTally
from kwaliteit.registry.models import PartnershipSettings
from kwaliteit.registry.services import threshold_of

# The threshold when app.config has no MIN_ANSWERS_SHOWN.
DEFAULT_MIN_SHOWN = 5

# How a message says which answers reach the threshold apart (see the module's rule).
SEPARATE_GROUPS = (
    "antwoorden via links en ingelezen antwoorden tellen apart, net als de antwoorden per versie van de "
    "vragenlijst"
)

# The sources whose responses are anonymous; each is counted on its own.
PARTICIPANT_SOURCES = (ResponseSource.LINK, ResponseSource.IMPORT)


def threshold(config) -> int:
    """The configured threshold (app.config MIN_ANSWERS_SHOWN); never below 1."""
    return max(1, int(config.get("MIN_ANSWERS_SHOWN", DEFAULT_MIN_SHOWN)))


def scope_threshold(db, scope, app_minimum: int) -> int:
    """The threshold a page applies for a reader: the strictest of the partnerships in scope (a
    reader of several partnerships gets the highest), never below the application's minimum. The
    release rule itself also holds every partnership to its own (GroupJoin.condition)."""
    stmt = select(func.max(PartnershipSettings.min_answers_shown)).where(
        scope.condition(PartnershipSettings.partnership_id)
    )
    return max(app_minimum, db.scalar(stmt) or 0)


@dataclass(frozen=True)
class GroupJoin:
    """The tally's row of the group a response or tally row belongs to, and its partnership's
    settings, to join onto a statement over those rows (with Training joined): then `condition`
    decides the release rule per row from the joined count. A join, not a list of the released
    groups: PostgreSQL took such a list (inside the OR with trainer evaluations) for half of all
    responses and scanned every one of them."""

    group: Any  # aliased ResponseTally: the group's row for all responses
    settings: Any  # aliased PartnershipSettings
    on: Any

    def join(self, stmt, partnership_id):
        return stmt.join(
            self.group,
            and_(
                self.group.session_id == self.on.session_id,
                self.group.version_id == self.on.version_id,
                self.group.source == self.on.source,
                self.group.safeguard == ALL_RESPONSES,
            ),
        ).outerjoin(self.settings, self.settings.partnership_id == partnership_id)

    def condition(self, min_shown: int) -> ColumnElement[bool]:
        """The release rule, from the joined group count: a trainer evaluation always; a
        participant group from its partnership's threshold (or `min_shown` when higher)."""
        needed = threshold_of(self.settings.min_answers_shown, min_shown)
        return or_(
            and_(self.on.audience == Audience.TRAINER, self.on.source == ResponseSource.TRAINER),
            and_(
                self.on.audience == Audience.PARTICIPANT,
                self.on.source.in_(PARTICIPANT_SOURCES),
                self.group.responses >= needed,
            ),
        )


def group_join(on) -> GroupJoin:
    """A GroupJoin for tally rows of `on` (AnswerTally or ResponseTally)."""
    return GroupJoin(aliased(ResponseTally, name="group_tally"), aliased(PartnershipSettings, name="group_settings"), on)


def question_threshold(audience: Audience, min_shown: int) -> int:
    """The fewest answers a question (or a figure made of its answers) needs before more than its
    count is shown. Participants: `min_shown`, the extra layer inside a released group. A trainer
    evaluation is named, so it has no threshold: one trainer's answers are shown as given."""
    return 1 if audience is Audience.TRAINER else min_shown


def withheld_message(count: int, min_shown: int) -> str | None:
    """What a page says about the responses it leaves out: their number, never where they are."""
    if not count:
        return None
    what = "1 antwoord wordt" if count == 1 else f"{count} antwoorden worden"
    belongs = "het hoort" if count == 1 else "ze horen"
    return (
        f"{what} niet getoond: {belongs} bij een bijeenkomst met minder dan {min_shown} antwoorden "
        f"({SEPARATE_GROUPS})."
    )


def _value_key(v) -> tuple:
    # A total order over any cell values: numbers, then everything else as text (casefolded, so
    # that capitals do not group answers), then empty cells. Never compares a number with a text.
    if v is None:
        return (2, 0, "", "")
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        return (0, v, "", "")
    text = v if isinstance(v, str) else str(v)
    return (1, 0, text.casefold(), text)


def row_order_key(session_date, session_id: int, values, *rest) -> tuple:
    """Sort key for rows of answers: session date, session, then the row's own values.

    Ids and insertion order follow the moment an answer was given; a coordinator who watched a
    link being used could then point at the last row. The row's values say nothing about when it
    was given, and equal rows are indistinguishable anyway.
    """
    return (
        session_date,
        session_id,
        tuple(_value_key(v) for v in values),
        tuple(_value_key(v) for v in rest),
    )


def open_answer_key(text: str, *rest) -> tuple:
    """Sort key for open answers: the text, casefolded (see row_order_key for why not by time)."""
    return (text.casefold(), text, *rest)
