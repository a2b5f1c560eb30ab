"""Logging: one logger per module (logging.getLogger(__name__)), configured once here.

The application's own packages log at KWALITEIT_LOG_LEVEL (default INFO); libraries keep
Python's default (WARNING), so SQL and request lines do not flood the log. Records go to standard
error, where gunicorn or the process manager collects them. An error id (see kwaliteit.errors)
is part of the message: "Fout 1a2b3c4d bij GET /trainingen (gebruiker 3)".
"""
from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The packages whose loggers take the configured level.
PACKAGES = ("kwaliteit", "evaluaties", "scheduler")


def parse_level(value: str) -> int:
    """A level name (DEBUG, INFO, WARNING, ERROR, CRITICAL) in any case; anything else is refused
    at start-up, rather than silently logging too much or nothing."""
    name = value.strip().upper()
    if name not in LEVELS:
        raise ValueError(f"KWALITEIT_LOG_LEVEL={value!r} is geen logniveau; kies uit {', '.join(LEVELS)}.")
    return getattr(logging, name)


def configure(level: int) -> None:
    """Idempotent: a second app (tests, CLI) changes the level but adds no second handler.
    A handler on the root logger only when nobody configured one (gunicorn --log-config, a
    test runner's capture): then records of every library reach the same place."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    for name in PACKAGES:
        logging.getLogger(name).setLevel(level)
