"""Backup and restore of a SQLite database with SQLite's online backup API, while the app runs.

A backup reads one consistent snapshot (in WAL mode the app's writers go on meanwhile) into a
temporary file next to the target, checks it (PRAGMA integrity_check), makes it one
self-contained file (journal mode DELETE: no -wal beside it) and only then renames it to the
target, so a target never holds half a backup. A restore first checks the backup (integrity and
its migration revision), then copies it into the live database with the same API: other
connections wait on the lock meanwhile and see the restored data after it.

PostgreSQL has its own tools (pg_dump -Fc / pg_restore, see README); these functions are SQLite's.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

PG_BACKUP = (
    "Deze database is PostgreSQL: maak een back-up met pg_dump, bijvoorbeeld\n"
    "  pg_dump -Fc -f kwaliteit.dump \"$DATABASE\"\n"
    "en zet hem terug met pg_restore (zie README, Back-up en herstel)."
)
PG_RESTORE = (
    "Deze database is PostgreSQL: zet een back-up terug met pg_restore, bijvoorbeeld\n"
    "  pg_restore --clean --if-exists --no-owner -d \"$DATABASE\" kwaliteit.dump\n"
    "(zie README, Back-up en herstel)."
)
BUSY_TIMEOUT_SECONDS = 30


class BackupError(Exception):
    """A Dutch message for the command line."""


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for another database. An in-memory database has
    no file to back up."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file::memory:"):
        raise BackupError("Een SQLite-database in het geheugen heeft geen bestand om te kopiëren.")
    return Path(parsed.database)


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    else:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    return conn


def integrity(conn: sqlite3.Connection) -> str:
    """'ok', or SQLite's description of what is wrong."""
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(r[0]) for r in rows[:5])


def revision(conn: sqlite3.Connection) -> str | None:
    """The migration revision stored in the database (Alembic), or None."""
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def backup(source: Path, target: Path, force: bool = False) -> str:
    """Copy the database `source` to `target`; returns the backup's migration revision."""
    if not source.is_file():
        raise BackupError(f"De database {source} bestaat niet.")
    if target.exists() and not force:
        raise BackupError(
            f"{target} bestaat al. Kies een andere naam, of gebruik --force om het te overschrijven."
        )
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError("Het doel is de database zelf.")
    if not target.parent.is_dir():
        raise BackupError(f"De map {target.parent} bestaat niet.")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        src = _connect(source)
        try:
            dst = sqlite3.connect(temporary)
            try:
                src.backup(dst)  # all pages in one step: one consistent snapshot of the source
                dst.execute("PRAGMA journal_mode=DELETE")
                if (result := integrity(dst)) != "ok":
                    raise BackupError(f"De kopie is niet in orde ({result}); er is niets opgeslagen.")
                found = revision(dst)
            finally:
                dst.close()
        finally:
            src.close()
        with open(temporary, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(temporary, target)  # atomic: the target is the old file or the whole backup
    finally:
        temporary.unlink(missing_ok=True)
    return found or "onbekend"


@dataclass
class Checked:
    revision: str
    is_head: bool


def check_backup(path: Path, known_revisions: set[str], head: str) -> Checked:
    """Refuse a file that is no sound kwaliteit database of a revision this release knows."""
    if not path.is_file():
        raise BackupError(f"De back-up {path} bestaat niet.")
    try:
        conn = _connect(path, read_only=True)
        try:
            result = integrity(conn)
            found = revision(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is geen SQLite-database ({exc}).") from exc
    if result != "ok":
        raise BackupError(f"De back-up is beschadigd ({result}); er is niets teruggezet.")
    if found is None:
        raise BackupError(
            "De back-up heeft geen migratieversie (alembic_version): het is geen database van kwaliteit."
        )
    if found not in known_revisions:
        raise BackupError(
            f"De back-up heeft migratieversie {found}, die deze versie van kwaliteit niet kent (nieuwer?). "
            "Er is niets teruggezet."
        )
    return Checked(found, found == head)


def restore(backup_file: Path, target: Path) -> None:
    """Copy a checked backup into the database `target` (made when missing)."""
    src = _connect(backup_file, read_only=True)
    try:
        dst = _connect(target)
        try:
            src.backup(dst)
            if (result := integrity(dst)) != "ok":
                raise BackupError(f"De teruggezette database is niet in orde ({result}).")
        finally:
            dst.close()
    finally:
        src.close()
