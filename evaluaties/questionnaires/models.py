"""Questionnaires: versioned lists of questions, and per training which questionnaires apply.

A published version is never edited; answers stay tied to the version they answered.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwaliteit import limits
from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp, max_length_check, str_enum, utcnow
from kwaliteit.registry.models import Partnership
from kwaliteit.trainings.models import Training


class Audience(enum.Enum):
    """Who answers a questionnaire: the trainer(s) of a session, or its participants."""

    TRAINER = "trainer"
    PARTICIPANT = "participant"

    @property
    def label(self) -> str:
        return {"trainer": "Trainersevaluatie", "participant": "Deelnemersevaluatie"}[self.value]


# A grade (Dutch "cijfer", 1 to 10 with at most one decimal) is stored in tenths: 7,5 -> 75.
GRADE_FACTOR = 10
GRADE_MIN = 1
GRADE_MAX = 10
# From this grade on (in tenths) a grade is sufficient ("voldoende"): 5,5 and up.
GRADE_SUFFICIENT = 55
# A multi answer stores its chosen options as a bitmask (bit i = option i). 30 options keep the
# mask below 2**30, inside a signed 32-bit INTEGER on every database.
MAX_MULTI_OPTIONS = 30
# The largest value_int any answer can hold (the full mask); the answer table's CHECK uses it.
MAX_ANSWER_VALUE = (1 << MAX_MULTI_OPTIONS) - 1
# Separates the chosen options of a multi answer in text (imports, exports, the form's round trip).
MULTI_SEPARATOR = ";"


def multi_mask(indexes) -> int:
    """The bitmask of a multi answer from the indexes of its chosen options."""
    mask = 0
    for i in indexes:
        mask |= 1 << i
    return mask


def multi_indexes(mask: int | None) -> list[int]:
    """The indexes of the options chosen in a multi answer's bitmask, in order."""
    bits = max(0, mask or 0)
    return [i for i in range(bits.bit_length()) if bits >> i & 1]


class QuestionType(enum.Enum):
    SCALE = "scale"  # 1-5 with labels
    GRADE = "grade"  # 1-10 with one decimal, stored in tenths (GRADE_FACTOR)
    YES_NO = "yes_no"
    CHOICE = "choice"  # one of a list
    MULTI = "multi"  # several of a list, stored as a bitmask
    OPEN = "open"

    @property
    def label(self) -> str:
        return {
            "scale": "Schaal 1–5",
            "grade": "Cijfer 1–10",
            "yes_no": "Ja/nee",
            "choice": "Eén keuze uit een lijst",
            "multi": "Meerdere keuzes uit een lijst",
            "open": "Open vraag",
        }[self.value]

    @property
    def has_options(self) -> bool:
        """A list of options to choose from (one or several), kept in Question.options."""
        return self in (QuestionType.CHOICE, QuestionType.MULTI)

    @property
    def has_mean(self) -> bool:
        """Answers are numbers on a scale, so results show a mean."""
        return self in (QuestionType.SCALE, QuestionType.GRADE)

    @property
    def hint(self) -> str | None:
        """What to fill in, shown with the field on the answer form."""
        return {
            "grade": "Een cijfer van 1 tot en met 10, bijvoorbeeld 7 of 7,5.",
            "multi": "Je kunt meer dan één mogelijkheid aankruisen.",
        }.get(self.value)


class Questionnaire(Base):
    """Vragenlijst. Shipped defaults have no partnership and serve every partnership."""

    __tablename__ = "questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"), index=True)
    # Stable key of a shipped default, so that loading the defaults again changes nothing.
    default_key: Mapped[str | None] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, "audience"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    partnership: Mapped[Partnership | None] = relationship()
    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )

    def __str__(self) -> str:
        return self.title


# Unique per partnership whatever the case, in the database (see Training's title index).
QUESTIONNAIRE_TITLE_INDEX = "uq_questionnaire_partnership_title_lower"
Index(QUESTIONNAIRE_TITLE_INDEX, Questionnaire.partnership_id, func.lower(Questionnaire.title), unique=True)


class QuestionnaireVersion(Base):
    """A published version is never edited: a change makes a new version."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "number"),
        max_length_check("intro", limits.INTRO),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    intro: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("version_id", "code"),
        max_length_check("text", limits.QUESTION),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    # Stable across versions, so results add up over versions of the same questionnaire.
    code: Mapped[str] = mapped_column(String(limits.QUESTION_CODE))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    type: Mapped[QuestionType] = mapped_column(str_enum(QuestionType, "question_type"))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # scale: five labels for 1..5; choice and multi: the options (multi: at most MAX_MULTI_OPTIONS).
    options: Mapped[list] = mapped_column(JSON, default=list)
    # Tag with a safeguard by its code (LL, LO, OR, KC): stable across framework versions.
    safeguard_code: Mapped[str | None] = mapped_column(String(20))

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="questions")


class EvaluationSettings(Base):
    """Per training: which questionnaires apply and the evaluation periods. No row: defaults."""

    __tablename__ = "evaluation_settings"
    __table_args__ = (
        CheckConstraint("trainer_due_days BETWEEN 0 AND 365", name="trainer_due_days"),
        CheckConstraint("participant_window_days BETWEEN 1 AND 365", name="participant_window_days"),
    )

    training_id: Mapped[int] = mapped_column(ForeignKey("training.id", ondelete="CASCADE"), primary_key=True)
    trainer_questionnaire_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire.id"))
    participant_questionnaire_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire.id"))
    trainer_due_days: Mapped[int] = mapped_column(Integer, default=14)
    participant_window_days: Mapped[int] = mapped_column(Integer, default=21)

    training: Mapped[Training] = relationship()
    trainer_questionnaire: Mapped[Questionnaire | None] = relationship(
        foreign_keys=[trainer_questionnaire_id]
    )
    participant_questionnaire: Mapped[Questionnaire | None] = relationship(
        foreign_keys=[participant_questionnaire_id]
    )
