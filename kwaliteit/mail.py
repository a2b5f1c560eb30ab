"""Outgoing e-mail over SMTP (smtplib), configured with KWALITEIT_SMTP_* (or the older
KWALITEIT_MAIL_* aliases; see kwaliteit.config).

Mail is sent at the edge, after the transaction that made its content has committed, and a
failure never undoes that work: the caller tells the user the mail did not go and what to do.
Invitation links are never queued in the database, because only their hash may be stored.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kwaliteit.config import MAIL_SECURITY

log = logging.getLogger(__name__)


class MailError(Exception):
    """The mail could not be handed to the SMTP server."""


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    sender: str
    security: str = "none"
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> MailSettings | None:
        """The settings, or None when no mail server is configured (mail is then not sent)."""
        if not config.get("MAIL_SERVER"):
            return None
        security = config.get("MAIL_SECURITY") or "none"
        if security not in MAIL_SECURITY:
            raise MailError(f"KWALITEIT_SMTP_SECURITY moet een van {', '.join(MAIL_SECURITY)} zijn.")
        if not config.get("MAIL_FROM"):
            raise MailError("KWALITEIT_SMTP_FROM (het afzenderadres) ontbreekt.")
        return cls(
            server=config["MAIL_SERVER"],
            port=int(config.get("MAIL_PORT") or 25),
            sender=config["MAIL_FROM"],
            security=security,
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            timeout=float(config.get("MAIL_TIMEOUT") or 10),
        )


def build_message(
    settings: MailSettings,
    to: str,
    subject: str,
    body: str,
    html: str | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """A plain-text message, with an HTML alternative when `html` is given. `message_id` (the part
    before the @) makes the Message-ID stable, so a message sent twice can be recognised."""
    domain = settings.sender.rpartition("@")[2] or None
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    if message_id:
        message["Message-ID"] = f"<{message_id}@{domain or 'kwaliteit'}>"
    else:
        message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def connect(settings: MailSettings) -> smtplib.SMTP:
    """An open, logged-in connection to the SMTP server (use it as a context manager); OSError or
    SMTPException when that fails."""
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.server, settings.port, timeout=settings.timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send_mail(settings: MailSettings, to: str, subject: str, body: str) -> None:
    """Hand one plain-text message to the SMTP server; MailError when that fails."""
    message = build_message(settings, to, subject, body)
    try:
        with connect(settings) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("E-mail aan %s niet verstuurd: %s", to, exc)
        raise MailError(str(exc)) from exc
    log.info("E-mail verstuurd aan %s: %s", to, subject)
