"""Addresses of the app for links that leave it: printed participant links and their QR codes,
invitation links, e-mails, the calendar feed. One rule for all of them.

They come from KWALITEIT_BASE_URL, never from the request's Host header: a request with a crafted
Host (or X-Forwarded-Host) would otherwise print the attacker's site on the QR cards handed out
at a session, or put it in an invitation. Without BASE_URL:
- in a request to a loopback address (127.0.0.1, localhost, ::1: `make run`, the test client) the
  request's own address is used, with a warning in the log, so development needs no setting;
- anywhere else the link is only the path ("/e/12/abc"), and a warning is logged. A path is
  useless on paper, but it never points anywhere else; the pages and mails say the address is
  not set (see `base_url_missing`).
"""
from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

log = logging.getLogger(__name__)

LOOPBACK_NAMES = frozenset({"localhost"})


def check_base_url(value: str | None) -> str | None:
    """The configured base URL without a trailing slash; ValueError when it is not an http(s)
    address (a typo should stop the app at start-up, not end up on printed cards)."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            "KWALITEIT_BASE_URL moet een http(s)-adres zijn, zoals https://kwaliteit.example.org; "
            f"niet {value!r}"
        )
    return value.rstrip("/")


def base_url() -> str | None:
    return check_base_url(current_app.config.get("BASE_URL"))


def base_url_missing() -> bool:
    return base_url() is None


def public_path(endpoint: str, **values) -> str:
    """The path of a page (without the request's script root: BASE_URL holds any prefix).
    Raises werkzeug.routing.BuildError when the page does not exist."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _is_loopback(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def public_url(endpoint: str, **values) -> str:
    """The address of a page as it leaves the app (see the module docstring)."""
    path = public_path(endpoint, **values)
    base = base_url()
    if base:
        return base + path
    if has_request_context() and _is_loopback(request.host):
        log.warning("KWALITEIT_BASE_URL is niet ingesteld; links gebruiken het lokale adres %s", request.host)
        return request.host_url.rstrip("/") + request.script_root + path
    log.warning("KWALITEIT_BASE_URL is niet ingesteld; een link is alleen het pad %s", path)
    return path


def mail_url(endpoint: str, **values) -> str:
    """For e-mails and calendars: BASE_URL + path, or only the path (the mail then says the
    address is not set). Never a request's address, also not a loopback one: a mail composed in
    a request must read the same as one the scheduler composes."""
    path = public_path(endpoint, **values)
    base = base_url()
    return base + path if base else path
