"""A real SMTP server on loopback (aiosmtpd) for the mail tests: it keeps what it receives, and
can refuse chosen messages."""

from __future__ import annotations

import email
import email.policy
import socket

from kwaliteit.mail import MailSettings


class Inbox:
    """Keeps what it receives; `refuse` holds 1-based numbers of DATA commands to refuse (451)."""

    def __init__(self):
        self.messages = []
        self.refuse: set[int] = set()
        self.seen = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.seen += 1
        if self.seen in self.refuse:
            return "451 Probeer het later nog eens"
        self.messages.append(envelope)
        return "250 OK"

    def parsed(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.messages]

    def subjects(self) -> list[str]:
        return [str(m["Subject"]).strip() for m in self.parsed()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def settings(self) -> MailSettings:
        return MailSettings(server="127.0.0.1", port=self.port, sender="kwaliteit@example.org", timeout=5)
