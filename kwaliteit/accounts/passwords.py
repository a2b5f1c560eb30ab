"""The password rules: one definition for the invitation link, the reset link, the user's own
change and the CLI.

At least MIN_PASSWORD_LENGTH characters, at most limits.PASSWORD, no control characters, not only
spaces, and not one of the 20,000 most common passwords (data/common-passwords.txt.gz, from
Django, BSD licence: see data/COMMON-PASSWORDS-LICENSE.txt), compared without case, nor the
account's own e-mail address.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from kwaliteit.limits import PASSWORD
from kwaliteit.validation import characters_error

MIN_PASSWORD_LENGTH = 12


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("kwaliteit.accounts").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(data).decode("utf-8").splitlines() if line.strip())


def password_error(password: str | None, email: str | None = None) -> str | None:
    """Why this password cannot be chosen, in Dutch; None when it can."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens."
    if len(password) > PASSWORD:
        return f"Kies een wachtwoord van hoogstens {PASSWORD} tekens."
    if message := characters_error(password):
        return message
    if not password.strip():
        return "Een wachtwoord van alleen spaties kan niet."
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) == 1:
        return "Dit wachtwoord is te makkelijk te raden: het staat in een lijst van veelgebruikte wachtwoorden. Kies een ander."
    if email and folded == email.strip().lower():
        return "Kies een wachtwoord dat niet je e-mailadres is."
    return None


def password_errors(password: str | None, confirm: str | None, email: str | None = None) -> dict[str, str]:
    """Why this new password cannot be set (field name -> message); empty when it can."""
    if message := password_error(password, email):
        return {"password": message}
    if (password or "") != (confirm or ""):
        return {"confirm": "De twee wachtwoorden zijn niet gelijk. Typ hetzelfde wachtwoord twee keer."}
    return {}
