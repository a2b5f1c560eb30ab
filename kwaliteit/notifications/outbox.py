"""The outbox: every reminder is queued here under a unique key and delivered from here.

Exactly once:
- `queue` inserts with ON CONFLICT (key) DO NOTHING, so queueing the same reminder again, also
  from two processes at once, adds nothing.
- `deliver` CLAIMS each message with a conditional UPDATE (still unsent, still due, attempts
  unchanged) and commits the claim before talking to the SMTP server; the claim moves
  next_attempt_at a lease ahead, so another deliverer (or a re-run after a crash) skips it. The
  message is committed as sent right after the server accepted it. A crash after the claim and
  before the send delays the message by the lease; only a crash between the server's acceptance
  and that commit (milliseconds) can send a message twice, and its Message-ID is then the same.
- An SMTP failure counts the attempt, keeps the error and retries after a back-off; nothing is lost.

Without SMTP settings, mail stays in the outbox, is written to the log once and is listed in the
app (Mijn herinneringen, and the outbox page for admins).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import render_template
from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.orm import Session

from kwaliteit.accounts.models import User
from kwaliteit.clock import TIMEZONE
from kwaliteit.db import conflict_insert, rowcount
from kwaliteit.mail import MailSettings, build_message, connect
from kwaliteit.notifications.models import OutboxMessage, UserPreferences

log = logging.getLogger(__name__)

# A claimed message is left alone this long; after it, a message whose deliverer died is due again.
CLAIM_LEASE = timedelta(minutes=15)
# Back-off after the n-th failed attempt: 5 minutes × 2^(n-1), at most a day.
FIRST_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(days=1)
# The weekly digest is made from this ISO weekday on (1 = Monday): a run later in the week (after
# downtime) still makes that week's digest, once.
DIGEST_WEEKDAY = 1
DIGEST_KIND = "digest"
NO_SMTP = "Geen mailserver ingesteld (KWALITEIT_SMTP_HOST): het bericht wacht in de outbox."
ERROR_LENGTH = 500


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1, 2, ...)."""
    return min(FIRST_BACKOFF * 2 ** min(max(attempts - 1, 0), 20), MAX_BACKOFF)


# ---------------------------------------------------------------------------------------- queue


@dataclass(frozen=True)
class Mail:
    """One message to queue. `key` says what it is about, at which stage, and for whom."""

    key: str
    kind: str
    user_id: int | None
    recipient: str
    subject: str
    text: str
    html: str
    # False for a message that must not wait for a weekly digest (a security notice).
    digestible: bool = True


def _insert(db: Session):
    return conflict_insert(db, OutboxMessage)


def queue_many(db: Session, mails: list[Mail]) -> int:
    """Queue the messages whose key is new; return how many were added. Two statements whatever
    the number: the digest preferences of the recipients, and one INSERT ... ON CONFLICT DO
    NOTHING. A user who chose the weekly digest gets the message in it (in_digest)."""
    if not mails:
        return 0
    user_ids = sorted({m.user_id for m in mails if m.user_id is not None})
    digest = (
        set(
            db.scalars(
                select(UserPreferences.user_id).where(
                    UserPreferences.user_id.in_(user_ids), UserPreferences.weekly_digest
                )
            )
        )
        if user_ids
        else set()
    )
    rows = [
        {
            "key": m.key,
            "kind": m.kind,
            "user_id": m.user_id,
            "recipient": m.recipient,
            "subject": m.subject,
            "body_text": m.text,
            "body_html": m.html,
            "in_digest": m.digestible and m.user_id in digest,
            "attempts": 0,
        }
        for m in mails
    ]
    stmt = _insert(db).on_conflict_do_nothing(index_elements=["key"]).returning(OutboxMessage.id)
    return len(db.execute(stmt, rows).all())


def queue(
    db: Session,
    key: str,
    kind: str,
    user: User,
    subject: str,
    text: str,
    html: str,
    *,
    recipient: str | None = None,
    digestible: bool = True,
) -> bool:
    """Queue one message to `user` (at `recipient`, default their address); False when a message
    with this key exists already."""
    mail = Mail(key, kind, user.id, recipient or user.email, subject, text, html, digestible)
    return queue_many(db, [mail]) == 1


# ---------------------------------------------------------------------------------------- deliver


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    held: int = 0  # no SMTP settings: kept in the outbox and logged
    skipped: int = 0  # claimed by another deliverer first
    digests: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: bool = False  # the server could not be reached: the rest waits for the next run


def _due(now: datetime):
    return and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.in_digest.is_(false()),
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
    )


def _iso_week(now: datetime) -> tuple[int, int, int]:
    local = now.astimezone(TIMEZONE)
    year, week, weekday = local.isocalendar()
    return year, week, weekday


def make_digests(db: Session, now: datetime, weekday: int = DIGEST_WEEKDAY) -> int:
    """From `weekday` on in a week: one digest message per user with waiting digest messages,
    keyed by user and ISO week, and those messages marked as delivered in it. Three statements;
    committed. A second run in the same week adds no second digest (the key); what came in after
    this week's digest waits for next week's."""
    now = now.astimezone(UTC)
    year, week, today_weekday = _iso_week(now)
    if today_weekday < weekday:
        return 0
    pending = db.execute(
        select(OutboxMessage, User)
        .join(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.in_digest, OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.user_id, OutboxMessage.created_at, OutboxMessage.id)
    ).all()
    per_user: dict[int, tuple[User, list[OutboxMessage]]] = {}
    for message, user in pending:
        per_user.setdefault(user.id, (user, []))[1].append(message)
    if not per_user:
        return 0
    mails, ids_by_key = [], {}
    for user, messages in per_user.values():
        key = f"{DIGEST_KIND}:user {user.id}:{year}-W{week:02d}"
        context = {"user": user, "messages": messages, "week": week, "year": year}
        n = len(messages)
        subject = f"Weekoverzicht herinneringen, week {week}: {n} bericht{'en' if n != 1 else ''}"
        mails.append(
            {
                "key": key,
                "kind": DIGEST_KIND,
                "user_id": user.id,
                "recipient": messages[-1].recipient,
                "subject": subject,
                "body_text": render_template("mail/digest.txt", **context),
                "body_html": render_template("mail/digest.html", **context),
                "in_digest": False,
                "attempts": 0,
                "created_at": now,
            }
        )
        ids_by_key[key] = [m.id for m in messages]
    stmt = _insert(db).on_conflict_do_nothing(index_elements=["key"]).returning(OutboxMessage.key)
    made = [key for (key,) in db.execute(stmt, mails).all()]
    included = [i for key in made for i in ids_by_key[key]]
    if included:
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(included), OutboxMessage.sent_at.is_(None))
            .values(sent_at=now)
        )
    db.commit()
    return len(made)


def _hold(db: Session, now: datetime) -> int:
    """No SMTP settings: log each due message once (its last_error then says why it waits)."""
    waiting = db.execute(
        select(OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text)
        .where(_due(now), or_(OutboxMessage.last_error.is_(None), OutboxMessage.last_error != NO_SMTP))
        .order_by(OutboxMessage.id)
    ).all()
    for _id, recipient, subject, text in waiting:
        log.info("Geen mailserver: bericht aan %s blijft in de outbox: %s\n%s", recipient, subject, text)
    if waiting:
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([w.id for w in waiting]))
            .values(last_error=NO_SMTP)
        )
    db.commit()
    return len(waiting)


def _claim(db: Session, message_id: int, attempts: int, now: datetime) -> bool:
    claimed = rowcount(db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.attempts == attempts, _due(now))
        .values(attempts=attempts + 1, next_attempt_at=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    ))
    db.commit()
    return claimed == 1


def _finish(db: Session, message_id: int, **values) -> None:
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.commit()


# Errors of one message (the server refused it): the others are still tried.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def deliver(
    db: Session,
    now: datetime,
    settings: MailSettings | None,
    limit: int | None = None,
    keys: list[str] | None = None,
) -> DeliveryReport:
    """Send the due messages (unsent, not waiting for a digest, next attempt reached), oldest
    first, each claimed and committed on its own (see the module docstring). Makes the week's
    digests first. Without `settings` nothing is sent: see _hold. Commits as it goes.
    With `keys`, only those messages (a request sending its own message at once; no digests)."""
    now = now.astimezone(UTC)  # stored moments are UTC (SQLite compares them as text)
    report = DeliveryReport()
    if keys is None:
        report.digests = make_digests(db, now)
    if settings is None:
        if keys is None:
            report.held = _hold(db, now)
        return report
    stmt = (
        select(
            OutboxMessage.id,
            OutboxMessage.key,
            OutboxMessage.attempts,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.body_text,
            OutboxMessage.body_html,
        )
        .where(_due(now))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    if keys is not None:
        stmt = stmt.where(OutboxMessage.key.in_(keys))
    if limit is not None:
        stmt = stmt.limit(limit)
    due = db.execute(stmt).all()
    db.commit()  # no transaction stays open while we talk to the server
    smtp = None
    try:
        for row in due:
            if not _claim(db, row.id, row.attempts, now):
                report.skipped += 1
                continue
            attempts = row.attempts + 1
            try:
                # Inside the handling: a stored message that cannot become an e-mail (a header the
                # mail library refuses) fails on its own and never holds up the ones after it.
                message = build_message(
                    settings,
                    row.recipient,
                    row.subject,
                    row.body_text,
                    row.body_html,
                    message_id=f"kwaliteit-outbox-{row.id}",
                )
            except ValueError as exc:
                _fail(db, row.id, attempts, now, exc, report)
                continue
            try:
                if smtp is None:
                    smtp = connect(settings)
                smtp.send_message(message)
            except MESSAGE_ERRORS as exc:
                _fail(db, row.id, attempts, now, exc, report)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # The server is unreachable or the connection broke: this message waits for its
                # back-off, the others stay due for the next run.
                _fail(db, row.id, attempts, now, exc, report)
                report.stopped = True
                break
            _finish(db, row.id, sent_at=now, next_attempt_at=None)
            report.sent += 1
            log.info("Herinnering verstuurd aan %s: %s (%s)", row.recipient, row.subject, row.key)
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return report


def _fail(
    db: Session, message_id: int, attempts: int, now: datetime, exc: Exception, report: DeliveryReport
) -> None:
    error = (f"{type(exc).__name__}: {exc}")[:ERROR_LENGTH]
    _finish(db, message_id, next_attempt_at=now + backoff(attempts), last_error=error)
    report.failed += 1
    report.errors.append(error)
    log.warning("Herinnering %s niet verstuurd (poging %s): %s", message_id, attempts, error)


# ---------------------------------------------------------------------------------------- counts


def outbox_counts(db: Session) -> dict[str, int]:
    """Waiting, failed (waiting with an error) and sent messages: one statement."""
    unsent = OutboxMessage.sent_at.is_(None)
    row = db.execute(
        select(
            func.count().filter(unsent),
            func.count().filter(and_(unsent, OutboxMessage.last_error.is_not(None))),
            func.count().filter(~unsent),
        )
    ).one()
    return {"waiting": int(row[0]), "failed": int(row[1]), "sent": int(row[2])}


__all__ = [
    "CLAIM_LEASE",
    "DeliveryReport",
    "Mail",
    "backoff",
    "deliver",
    "make_digests",
    "queue",
    "queue_many",
]
