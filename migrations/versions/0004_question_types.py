"""Question types grade and multiple choice (issue 6).

- question.type may be 'grade' (cijfer 1-10, stored in tenths) and 'multi' (several options);
- answer.value_int may hold a multi answer's bitmask: up to 2**30 - 1 (MAX_MULTI_OPTIONS = 30)
  instead of 100.

Both are CHECK constraints; SQLite's batch mode recreates the tables and copies their rows.
The values are written out here: a migration stays as it was, whatever the constants become.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD_TYPES = ("scale", "yes_no", "choice", "open")
NEW_TYPES = ("scale", "grade", "yes_no", "choice", "multi", "open")
OLD_MAX_VALUE = 100
NEW_MAX_VALUE = (1 << 30) - 1


def _type_check(types) -> str:
    return "type IN (" + ", ".join(f"'{t}'" for t in types) + ")"


def _value_check(maximum: int) -> str:
    return f"value_int IS NULL OR (value_int >= 0 AND value_int <= {maximum})"


def _replace_checks(types, maximum: int) -> None:
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_question_question_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_question_question_type'), _type_check(types))
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_answer_value_int'), type_='check')
        batch_op.create_check_constraint(op.f('ck_answer_value_int'), _value_check(maximum))


def upgrade() -> None:
    _replace_checks(NEW_TYPES, NEW_MAX_VALUE)


def downgrade() -> None:
    # The old constraints cannot hold grade and multi questions or a multi answer's mask; dropping
    # those answers would lose data, so the downgrade stops and says what to remove first.
    bind = op.get_bind()
    questions = bind.execute(
        sa.text("SELECT count(*) FROM question WHERE type IN ('grade', 'multi')")
    ).scalar()
    if questions:
        raise RuntimeError(
            f"Downgrade 0004 refused: {questions} question(s) of type grade or multi exist. "
            "Remove them (and their answers) first; the old schema cannot hold them."
        )
    _replace_checks(OLD_TYPES, OLD_MAX_VALUE)
