"""What sessions owe and what people answered: evaluation requests, responses, answers, links.

Anonymity: a participant's answers (Response, Answer) carry no reference to the link (token) that
admitted them, nor to a person, and no moment of submission (the session's date says the school
year); the link only counts how often it was used. So an answer cannot be traced to a token or a
participant. What may be shown of them: evaluaties.results.anonymity.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evaluaties.questionnaires.models import MAX_ANSWER_VALUE, Audience, Question, QuestionnaireVersion
from kwaliteit import limits
from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp, max_length_check, str_enum, utcnow
from kwaliteit.registry.models import Person
from kwaliteit.trainings.models import TrainingSession


class EvaluationRequest(Base):
    """What a session owes: one trainer evaluation and one participant evaluation.

    Due dates and status are not stored: they follow from the session date, the training's
    settings and `today` (see evaluaties.answers.status). This row holds only what people did.
    """

    __tablename__ = "evaluation_request"
    __table_args__ = (
        UniqueConstraint("session_id", "audience"),
        CheckConstraint("waived_at IS NULL OR length(trim(waived_reason)) > 0", name="waived_reason"),
        max_length_check("waived_reason", limits.REASON),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, "audience"))
    waived_at: Mapped[datetime | None] = mapped_column(Timestamp)
    waived_reason: Mapped[str | None] = mapped_column(Text)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Trainer evaluation only: the response and who submitted it.
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id"), unique=True)
    submitted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Locked by a coordinator (or, later, the review cycle's Check): no more edits.
    locked_at: Mapped[datetime | None] = mapped_column(Timestamp)

    session: Mapped[TrainingSession] = relationship()
    response: Mapped[Response | None] = relationship()
    submitted_by: Mapped[Person | None] = relationship()


class ResponseSource(enum.Enum):
    LINK = "link"
    IMPORT = "import"
    TRAINER = "trainer"


class Response(Base):
    """One filled-in questionnaire. For participants: anonymous (see module docstring).

    No submission time, on purpose: a time (even a day) lets a coordinator who saw a link being
    used point at its answer. A trainer's evaluation is named; its EvaluationRequest keeps
    submitted_at."""

    __tablename__ = "response"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, "audience"))
    # Kept for the release rule only (link and import answers reach the threshold separately);
    # never shown or exported.
    source: Mapped[ResponseSource] = mapped_column(str_enum(ResponseSource, "response_source"))

    session: Mapped[TrainingSession] = relationship()
    version: Mapped[QuestionnaireVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        CheckConstraint(
            f"value_int IS NULL OR (value_int >= 0 AND value_int <= {MAX_ANSWER_VALUE})", name="value_int"
        ),
        max_length_check("value_text", limits.OPEN_ANSWER),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (response_id, question_id) serves lookups by response.
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    # scale: 1..5; yes/no: 1 = ja, 0 = nee; choice: index into the options;
    # grade: the grade in tenths, 10..100 (GRADE_FACTOR: 7,5 -> 75);
    # multi: bitmask of the chosen options' indexes (bit i = option i, below 2**MAX_MULTI_OPTIONS),
    # one row per answer, so results count answers with one GROUP BY value_int as for the others.
    value_int: Mapped[int | None] = mapped_column(Integer)
    value_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class LinkKind(enum.Enum):
    SINGLE = "single"  # one per participant, one answer
    SHARED = "shared"  # one for the group, up to max_uses answers


class ParticipantLink(Base):
    """An unguessable token that admits anonymous answers for one session."""

    __tablename__ = "participant_link"
    __table_args__ = (
        CheckConstraint("used_count >= 0 AND used_count <= max_uses", name="used_count"),
        CheckConstraint("max_uses >= 1", name="max_uses"),
        # A session's links, and its single-use ones: the two counts of a response rate read
        # this index alone (evaluaties.results.rates).
        Index("ix_participant_link_session_id_kind", "session_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[LinkKind] = mapped_column(str_enum(LinkKind, "link_kind"))
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    used_count: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    session: Mapped[TrainingSession] = relationship()

    # One definition of "this link still admits an answer", in Python (pages, checks) and in SQL
    # (the conditional UPDATE that claims a use): not closed and uses left. The session's answer
    # window comes on top of it: evaluaties.answers.links.link_state.
    @hybrid_property
    def is_used_up(self) -> bool:
        return self.used_count >= self.max_uses

    @hybrid_property
    def is_open(self) -> bool:
        return self.closed_at is None and self.used_count < self.max_uses

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return and_(cls.closed_at.is_(None), cls.used_count < cls.max_uses)
