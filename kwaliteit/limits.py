"""Length limits of every free text, in characters: one definition for form, service and database.

Short texts are String(N) columns; long texts are Text columns with a CHECK constraint
`length(col) <= N` (see kwaliteit.models_base.max_length_check). SQLite does not enforce a
VARCHAR length, so the services check every limit too (CLI, API and import callers included).
"""
from __future__ import annotations

# Names and titles: a line on a page.
TITLE = 200  # training, questionnaire
NAME = 200  # partnership, organisation, person, user, framework, safeguard
LOCATION = 200  # of a session
EMAIL = 254  # the longest address RFC 5321 allows
CODE = 20  # safeguard and criterion codes of the framework file
VERSION = 50  # framework version
PASSWORD = 200  # bounds the work of hashing what a log-in form sends

# Texts of a few paragraphs.
REASON = 2000  # cancelling a session, waiving an evaluation
RATIONALE = 2000  # how a training serves a safeguard
DESCRIPTION = 5000  # of a training, of a safeguard (framework file)
CRITERION = 2000  # a criterion of the framework file

# Evaluations.
INTRO = 5000  # questionnaire introduction
QUESTION = 2000  # the text of a question
QUESTION_CODE = 50  # a question's stable code (v1, or a code from a shipped or imported file)
QUESTION_OPTIONS = 5000  # the options of a question as typed, one per line
OPTION = 200  # one label or choice option
OPEN_ANSWER = 5000  # an answer to an open question
IMPORT_FILENAME = 255  # an uploaded file's name, shown in the import preview
MAPPING_NAME = 100  # a saved import mapping
ANALYSIS = 10000  # a cycle's plan, analysis, goal or summary text
ACTION = 2000  # an improvement action and the finding it answers
OUTBOX_KEY = 200  # what an outbox message is about and for whom
CERTIFICATE_NUMBER = 50  # of a mentor certificate, a trainer qualification or registration

# Query-string texts (search boxes, filter values).
SEARCH = 100

# A value quoted back in a message (a refused answer, a cell of an imported file) is cut to this.
QUOTED = 80


def too_long(limit: int) -> str:
    """The one message for a text over its limit."""
    return f"Hoogstens {limit} tekens."


def cut(text, limit: int = QUOTED) -> str:
    """A value as a message or page quotes it: spacing folded, at most `limit` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(value, limit: int = QUOTED) -> str:
    """A value as a message quotes it: cut, between ‘ ’ (the one quoting of every message)."""
    return f"‘{cut(value, limit)}’"
