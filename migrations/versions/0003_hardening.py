"""Hardening: text length limits and case-insensitive uniqueness (issue 6).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Long texts (Text columns) get a CHECK constraint `length(col) <= N` (the limits of
kwaliteit.limits, copied here as literals: a migration is history and must not change when the
constants do). Names, titles and e-mail addresses get a unique index on their lowered value instead
of the plain unique constraint, so "Race" and "RACE" cannot both be stored, also not by two
requests at the same moment.

Existing data cannot make this migration fail half-way:
- Names and titles that differ only in case (possible before, via two simultaneous saves) are
  renamed before the index is made: every later one (higher id) gets " (2)", " (3)"... appended,
  so all rows and their links stay and a coordinator can rename them afterwards.
- E-mail addresses that differ only in case cannot be renamed (someone logs in with it): the
  migration then stops before changing anything and names the addresses to merge or correct.
  The application has always stored addresses lower-cased, so this only happens after hand edits.
- Texts over their new limit (only possible for the reasons, which had no limit, or by hand edits)
  are shortened to the limit, ending in "…", and the number of shortened rows is logged.
The expression indexes are created outside SQLite's batch mode, after the batch table copies:
SQLAlchemy cannot reflect an index on an expression in SQLite, so a batch copy made after them
would silently drop them (tests/test_migrations.py checks that every such index exists at head).
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# (table, column, limit): Text columns bounded by a CHECK constraint ck_<table>_<column>_length.
TEXT_LIMITS = [
    ("training", "description", 5000),
    ("training_safeguard", "rationale", 2000),
    ("training_session", "cancel_reason", 2000),
    ("safeguard", "description", 5000),
    ("criterion", "text", 2000),
    ("questionnaire_version", "intro", 5000),
    ("question", "text", 2000),
    ("evaluation_request", "waived_reason", 2000),
    ("answer", "value_text", 5000),
]

# (index, table, grouping columns, text column, length limit, old unique constraint, its columns);
# a limit of None marks an e-mail address (refused, never renamed, when duplicated).
LOWER_UNIQUE = [
    ("uq_partnership_name_lower", "partnership", [], "name", 200, "uq_partnership_name", ["name"]),
    ("uq_organisation_partnership_name_lower", "organisation", ["partnership_id"], "name", 200,
     "uq_organisation_partnership_id_name", ["partnership_id", "name"]),
    ("uq_training_partnership_title_lower", "training", ["partnership_id"], "title", 200,
     "uq_training_partnership_id_title", ["partnership_id", "title"]),
    ("uq_questionnaire_partnership_title_lower", "questionnaire", ["partnership_id"], "title", 200,
     "uq_questionnaire_partnership_id_title", ["partnership_id", "title"]),
    ("uq_person_email_lower", "person", [], "email", None, "uq_person_email", ["email"]),
    ("uq_app_user_email_lower", "app_user", [], "email", None, "uq_app_user_email", ["email"]),
]


def _tables() -> list[str]:
    return list(dict.fromkeys([t for t, *_ in TEXT_LIMITS] + [t for _, t, *_ in LOWER_UNIQUE]))


def _refuse_duplicate_emails(conn) -> None:
    found = []
    for _index, table, _group, column, limit, *_ in LOWER_UNIQUE:
        if limit is not None:
            continue
        rows = conn.execute(sa.text(
            f"SELECT lower({column}) FROM {table} WHERE {column} IS NOT NULL "
            f"GROUP BY lower({column}) HAVING count(*) > 1"
        )).scalars().all()
        found += [f"{table}.{column} = {value}" for value in rows]
    if found:
        raise RuntimeError(
            "Migratie 0003 gestopt, er is niets veranderd: deze e-mailadressen komen meer dan eens "
            "voor als je hoofd- en kleine letters gelijk neemt. Voeg de accounts of personen samen "
            "of verbeter de adressen, en migreer opnieuw: " + "; ".join(found)
        )


def _rename_case_duplicates(conn, table: str, group: list[str], column: str, limit: int) -> None:
    """Give every later row whose lowered name repeats an earlier one a free " (n)" suffix."""
    key_cols = ", ".join(group + [f"lower({column})"])
    group_sel = "".join(f"{g}, " for g in group)
    rows = conn.execute(sa.text(
        f"SELECT id, {group_sel}{column}, lower({column}) FROM {table} ORDER BY id"
    )).all()
    taken = {(tuple(r[1:-2]), r[-1]) for r in rows}
    seen: set = set()
    renamed = 0
    for r in rows:
        row_id, groups, name, lowered = r[0], tuple(r[1:-2]), r[-2], r[-1]
        if None in groups:  # NULLs never collide in a unique index (shipped questionnaires)
            continue
        if (groups, lowered) not in seen:
            seen.add((groups, lowered))
            continue
        n = 2
        while True:
            suffix = f" ({n})"
            candidate = name[: limit - len(suffix)] + suffix
            candidate_lower = conn.execute(sa.select(sa.func.lower(sa.literal(candidate)))).scalar()
            if (groups, candidate_lower) not in taken:
                break
            n += 1
        conn.execute(sa.text(f"UPDATE {table} SET {column} = :name WHERE id = :id"),
                     {"name": candidate, "id": row_id})
        taken.add((groups, candidate_lower))
        seen.add((groups, candidate_lower))
        renamed += 1
    if renamed:
        log.warning("0003: %d %s-rij(en) hernoemd: %s verschilde alleen in hoofdletters (%s).",
                    renamed, table, column, key_cols)


def _shorten_long_texts(conn) -> None:
    for table, column, limit in TEXT_LIMITS:
        result = conn.execute(sa.text(
            f"UPDATE {table} SET {column} = substr({column}, 1, {limit - 1}) || '…' "
            f"WHERE length({column}) > {limit}"
        ))
        if result.rowcount:
            log.warning("0003: %d %s.%s ingekort tot %d tekens.", result.rowcount, table, column, limit)


def upgrade() -> None:
    conn = op.get_bind()
    _refuse_duplicate_emails(conn)
    for _index, table, group, column, limit, *_ in LOWER_UNIQUE:
        if limit is not None:
            _rename_case_duplicates(conn, table, group, column, limit)
    _shorten_long_texts(conn)

    for table in _tables():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _index, t, _group, _column, _limit, old, _cols in LOWER_UNIQUE:
                if t == table:
                    batch_op.drop_constraint(op.f(old), type_="unique")
            for t, column, limit in TEXT_LIMITS:
                if t == table:
                    batch_op.create_check_constraint(
                        op.f(f"ck_{t}_{column}_length"), f"length({column}) <= {limit}"
                    )

    for index, table, group, column, *_ in LOWER_UNIQUE:
        op.create_index(op.f(index), table, [*group, sa.text(f"lower({column})")], unique=True)


def downgrade() -> None:
    for index, table, *_ in LOWER_UNIQUE:
        op.drop_index(op.f(index), table_name=table)
    for table in _tables():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for t, column, _limit in TEXT_LIMITS:
                if t == table:
                    batch_op.drop_constraint(op.f(f"ck_{t}_{column}_length"), type_="check")
            for _index, t, _group, _column, _limit, old, cols in LOWER_UNIQUE:
                if t == table:
                    batch_op.create_unique_constraint(op.f(old), cols)
