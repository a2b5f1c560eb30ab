"""Configuration from environment variables with the prefix KWALITEIT_."""
from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

PREFIX = "KWALITEIT_"


def _read_secret(path: Path) -> str:
    # Another worker may have created the file and not yet written it: wait for the key
    # rather than run with an empty one (Flask would then refuse every session).
    for _ in range(100):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty; remove it and a new secret key will be generated.")


def _instance_secret(instance_path: Path) -> str:
    """Generate the secret key once and keep it in instance/, never in the repository."""
    path = instance_path / "secret_key"
    if path.exists():
        return _read_secret(path)
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when two workers start at once, the second reads the first one's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


MAIL_SECURITY = ("none", "starttls", "ssl")


# Outgoing mail: the documented names are KWALITEIT_SMTP_*; the older KWALITEIT_MAIL_* names still
# work as aliases (the SMTP_ name wins when both are set). Config key: (documented, alias).
MAIL_SETTINGS = {
    "MAIL_SERVER": ("SMTP_HOST", "MAIL_SERVER"),
    "MAIL_PORT": ("SMTP_PORT", "MAIL_PORT"),
    "MAIL_SECURITY": ("SMTP_SECURITY", "MAIL_SECURITY"),
    "MAIL_USERNAME": ("SMTP_USERNAME", "MAIL_USERNAME"),
    "MAIL_PASSWORD": ("SMTP_PASSWORD", "MAIL_PASSWORD"),
    "MAIL_FROM": ("SMTP_FROM", "MAIL_FROM"),
    "MAIL_TIMEOUT": ("SMTP_TIMEOUT", "MAIL_TIMEOUT"),
}


def _mail_env(env, key: str) -> str | None:
    for name in MAIL_SETTINGS[key]:
        if env.get(PREFIX + name):
            return env[PREFIX + name]
    return None


def _mail_config(env) -> dict:
    """Outgoing mail (invitations, reminders). Without KWALITEIT_SMTP_HOST nothing is e-mailed:
    the inviter passes the link on, and reminders wait in the outbox. BASE_URL is the address of
    the app in e-mailed links (and in links the CLI prints), so that a link never depends on the
    Host header of a request."""
    return {
        "MAIL_SERVER": _mail_env(env, "MAIL_SERVER"),
        "MAIL_PORT": int(_mail_env(env, "MAIL_PORT") or "25"),
        # none, starttls (usually port 587) or ssl (usually port 465)
        "MAIL_SECURITY": _mail_env(env, "MAIL_SECURITY") or "none",
        "MAIL_USERNAME": _mail_env(env, "MAIL_USERNAME"),
        "MAIL_PASSWORD": _mail_env(env, "MAIL_PASSWORD"),
        "MAIL_FROM": _mail_env(env, "MAIL_FROM"),
        "MAIL_TIMEOUT": float(_mail_env(env, "MAIL_TIMEOUT") or "10"),
        "BASE_URL": env.get(PREFIX + "BASE_URL") or None,
    }


def _whole_number(env, name: str, default: int) -> int:
    value = env.get(PREFIX + name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 6):
        raise ValueError(f"{PREFIX}{name} moet een geheel getal zijn (0 tot en met 999999), niet {value!r}")
    return int(value)


def _answer_link_limit(env) -> int:
    from kwaliteit.security.guard import ANSWER_LINK

    limit = _whole_number(env, "ANSWER_LINK_PER_MINUTE", ANSWER_LINK.limit)
    if limit < 1:
        raise ValueError(f"{PREFIX}ANSWER_LINK_PER_MINUTE moet minstens 1 zijn")
    return limit


# The longest a remember-me cookie lives; a configured duration above it is cut to it.
REMEMBER_DURATION = timedelta(days=30)


def _secure_cookies(env) -> bool:
    """Cookies only over HTTPS: set explicitly (KWALITEIT_SECURE_COOKIES=1), or implied by a public
    address with https. (Over an HTTPS request they are Secure anyway, see kwaliteit/__init__.py.)"""
    explicit = env.get(PREFIX + "SECURE_COOKIES")
    if explicit is not None and explicit != "":
        return explicit == "1"
    return (env.get(PREFIX + "BASE_URL") or "").lower().startswith("https://")


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    env = os.environ
    overrides = dict(overrides or {})
    config: dict = {
        "DATABASE_URL": env.get(
            PREFIX + "DATABASE_URL", f"sqlite:///{instance_path / 'kwaliteit.db'}"
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _secure_cookies(env),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _secure_cookies(env),
        # "Ingelogd blijven" lasts at most this long (Flask-Login's default is a year).
        "REMEMBER_COOKIE_DURATION": REMEMBER_DURATION,
        "PAGE_SIZE": int(env.get(PREFIX + "PAGE_SIZE", "25")),
        # Results with fewer answers than this show only the count (small-group privacy).
        "MIN_ANSWERS_SHOWN": int(env.get(PREFIX + "MIN_ANSWERS_SHOWN", "5")),
        "MAX_UPLOAD_BYTES": int(env.get(PREFIX + "MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))),
        "WTF_CSRF_TIME_LIMIT": None,
        "FIXED_TODAY": env.get(PREFIX + "FIXED_TODAY") or None,
        "FIXED_NOW": env.get(PREFIX + "FIXED_NOW") or None,
        "LOG_LEVEL": env.get(PREFIX + "LOG_LEVEL", "INFO"),
        # WTForms' own Dutch messages (BaseForm.Meta.locales) instead of Flask-Babel.
        "WTF_I18N_ENABLED": False,
        # Behind a reverse proxy (nginx, Caddy) that sets X-Forwarded-For and X-Forwarded-Proto:
        # how many proxies to trust (0: none, the headers are ignored). Only then does a request
        # that reached the proxy over HTTPS count as secure (HSTS, secure cookies).
        "PROXY_FIX": _whole_number(env, "PROXY_FIX", 0),
        # How many days the audit log keeps an entry (the `purge_audit` job removes older ones).
        "AUDIT_RETENTION_DAYS": _whole_number(env, "AUDIT_RETENTION_DAYS", 730),
        # Requests a minute one client address may make to the anonymous answer links
        # (kwaliteit.security.guard.ANSWER_LINK); raised for a load test from one address.
        "ANSWER_LINK_PER_MINUTE": _answer_link_limit(env),
    }
    config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_BYTES"] + 64 * 1024
    config.update(_mail_config(env))
    config.update(overrides)
    duration = config.get("REMEMBER_COOKIE_DURATION")
    if not isinstance(duration, timedelta) or duration > REMEMBER_DURATION:
        config["REMEMBER_COOKIE_DURATION"] = REMEMBER_DURATION
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = env.get(PREFIX + "SECRET_KEY") or _instance_secret(instance_path)
    return config
