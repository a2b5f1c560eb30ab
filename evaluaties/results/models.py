"""The tally: answers counted ahead, so that results never read the answer rows.

Answers never change once given (a trainer's edit replaces them), so the counts per session,
question and value are kept in the same transaction as every write of answers
(evaluaties.results.tally) and every figure (results, trends, the dashboard, the dossier) is a
sum over these rows: a few per session instead of hundreds of answers. A sum for a mean is the
value times its count, so no separate sums are kept. `flask results verify` recomputes both
tables from the raw answers and reports (and with --repair mends) any difference.

Anonymity: the tally holds no more than the answer rows do (no link, person or moment); the
release rule reads its groups from `response_tally` (evaluaties.results.anonymity).
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from evaluaties.answers.models import ResponseSource
from evaluaties.questionnaires.models import Audience
from kwaliteit.db import Base
from kwaliteit.models_base import str_enum

# The value of an answer without a number (an open answer): a key column cannot hold NULL.
NO_VALUE = -1
# The `safeguard` of the row that counts every response of a group.
ALL_RESPONSES = ""


class ResponseTally(Base):
    """Responses per (session, questionnaire version, source): the groups of the release rule.

    Besides the row for all responses (safeguard ''), one row per safeguard code counts the
    responses that answered at least one question tagged with it: results for a safeguard count
    those, which no sum over answers could tell."""

    __tablename__ = "response_tally"
    __table_args__ = (
        CheckConstraint("responses >= 0", name="responses"),
        # The groups below a threshold (the few a figure withholds), found without a scan.
        Index("ix_response_tally_safeguard_audience_responses", "safeguard", "audience", "responses"),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), primary_key=True)
    source: Mapped[ResponseSource] = mapped_column(str_enum(ResponseSource, "response_source"), primary_key=True)
    safeguard: Mapped[str] = mapped_column(String(20), primary_key=True, default=ALL_RESPONSES)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, "audience"))
    responses: Mapped[int] = mapped_column(Integer)


class AnswerTally(Base):
    """Answers per (session, version, source, question, value)."""

    __tablename__ = "answer_tally"
    __table_args__ = (CheckConstraint("answers >= 0", name="answers"),)

    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), primary_key=True)
    source: Mapped[ResponseSource] = mapped_column(str_enum(ResponseSource, "response_source"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True, index=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True)  # Answer.value_int, or NO_VALUE
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, "audience"))
    answers: Mapped[int] = mapped_column(Integer)


class AnswerRollup(Base):
    """Answers per (training, school year, question, value), over every session that is not
    cancelled: what results above a single session, and the trends, add up. A few rows per
    training and year instead of a few per session.

    It counts every group, released or not; a figure subtracts the groups its reader may not see
    (the few below the threshold, read from AnswerTally), so the rollup needs no rebuild when a
    threshold changes. A session's rows move when its date changes school year, and leave (or
    return) when it is cancelled (or the cancellation is undone)."""

    __tablename__ = "answer_rollup"
    __table_args__ = (
        CheckConstraint("answers >= 0", name="answers"),
        # One training's rows for a reader of every partnership (an admin): the key leads with
        # the partnership, so without this a results page of one training read the whole rollup.
        Index("ix_answer_rollup_training_id_school_year", "training_id", "school_year"),
    )

    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id", ondelete="CASCADE"), primary_key=True)
    school_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, "audience"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True, index=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)


class LinkTally(Base):
    """Participant links per session: all of them, and the single-use ones (the invited count of
    a session without a known number of participants). Kept by evaluaties.answers.links in the
    transaction that makes the links, so that response rates over thousands of sessions read one
    row per session instead of counting every link; `flask results verify` checks it too. A
    session without links has no row."""

    __tablename__ = "link_tally"
    __table_args__ = (
        CheckConstraint("links >= 0", name="links"),
        CheckConstraint("single >= 0 AND single <= links", name="single"),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    links: Mapped[int] = mapped_column(Integer)
    single: Mapped[int] = mapped_column(Integer)
