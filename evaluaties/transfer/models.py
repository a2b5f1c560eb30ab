"""What the import wizard keeps: imported files (by content hash), drafts between upload and
confirmation, and saved column/value mappings per partnership and questionnaire.

Privacy: the uploaded bytes are never stored. A draft holds the file as the preview needs it,
without the identifying columns (their name and the reason only) and is deleted on confirmation,
on cancellation, or 24 hours after it was made (DRAFT_LIFETIME). A batch keeps only the hash.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwaliteit import limits
from kwaliteit.accounts.models import User
from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp, utcnow
from kwaliteit.trainings.models import TrainingSession

# A draft older than this is deleted whenever a new one is made.
DRAFT_LIFETIME = timedelta(hours=24)
# Drafts one user keeps at a time; a new upload deletes the oldest beyond this. A draft can hold
# up to reading.Limits.max_text_chars of text: without a bound, uploading the same file again and
# again would fill the database.
MAX_DRAFTS_PER_USER = 5
# sha256, hexadecimal.
HASH_LENGTH = 64
MAX_TOOL_LENGTH = 50


class ImportBatch(Base):
    """One file imported into one session. The unique content hash refuses the same file twice,
    also when two confirmations race (the database decides, not a check before the insert)."""

    __tablename__ = "import_batch"
    __table_args__ = (
        UniqueConstraint("session_id", "content_hash"),
        CheckConstraint("row_count > 0", name="row_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    row_count: Mapped[int] = mapped_column(Integer)
    tool: Mapped[str] = mapped_column(String(MAX_TOOL_LENGTH))
    # A day, not a moment: the batch says which file came in, never when a participant answered.
    imported_on: Mapped[date] = mapped_column(Date)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    session: Mapped[TrainingSession] = relationship()
    imported_by: Mapped[User | None] = relationship()


class ImportDraft(Base):
    """An uploaded file between upload and confirmation, private to the user who uploaded it.

    `survey` is the non-identifying part of the read file as JSON (see importing.StoredFile):
    the identifying columns are kept as name and reason only, never their cells.
    """

    __tablename__ = "import_draft"
    # Never reuse the id of a deleted draft: a preview left open in a browser tab must not
    # confirm a newer file that happens to get its number.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(limits.IMPORT_FILENAME))
    content_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    survey: Mapped[dict] = mapped_column(JSON)
    # Only for the clean-up of abandoned drafts.
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)


class ImportMapping(Base):
    """A saved mapping: which column holds which question and how values translate, for the next
    file of the same survey. `signature` identifies the file's non-identifying headings, so a
    file with the same headings gets this mapping automatically."""

    __tablename__ = "import_mapping"
    __table_args__ = (
        UniqueConstraint("partnership_id", "questionnaire_id", "name"),
        Index("ix_import_mapping_lookup", "partnership_id", "questionnaire_id", "signature"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(limits.MAPPING_NAME))
    signature: Mapped[str] = mapped_column(String(HASH_LENGTH))
    # question code -> {"name": column heading, "position": column position} (no key: no column)
    columns: Mapped[dict] = mapped_column(JSON)
    # question code -> {value as found in the file: the value it maps to}
    values: Mapped[dict] = mapped_column(JSON)
    updated_on: Mapped[date] = mapped_column(Date)
