"""Security headers on every kind of response, links from KWALITEIT_BASE_URL whatever the Host
header, the reverse-proxy setting, and the backup and restore commands (issue 11, items 5 and 7)."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kwaliteit import create_app
from kwaliteit import db as kdb
from kwaliteit.trainings.models import Training, TrainingSession
from tests import factories
from tests.conftest import TODAY, login
from tests.test_authz import PLOTLY_VERSION

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def assert_secure_headers(response, cacheable: bool = False):
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    if cacheable:
        assert "no-store" not in response.headers.get("Cache-Control", "")
    else:
        assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_headers_on_a_page_an_export_error_pages_and_static_files(app, world, client):
    login(client, world.coordinator)
    assert_secure_headers(client.get("/trainingen"))
    export = client.get("/dashboard/export/te-laat.csv")
    assert export.status_code == 200
    assert_secure_headers(export)
    missing = client.get("/bestaat-niet")
    assert missing.status_code == 404
    assert_secure_headers(missing)
    forbidden = client.get(f"/trainingen/{world.training2.id}")
    assert forbidden.status_code == 403
    assert_secure_headers(forbidden)
    static = client.get("/static/page.js")
    assert static.status_code == 200
    assert_secure_headers(static, cacheable=True)
    plotly_js = client.get(f"/js/plotly-{PLOTLY_VERSION}.min.js")
    assert_secure_headers(plotly_js, cacheable=True)
    assert "max-age" in plotly_js.headers["Cache-Control"]
    # Anonymous pages too: the log-in page and a participant's link page.
    anonymous = app.test_client()
    assert_secure_headers(anonymous.get("/inloggen"))
    assert_secure_headers(anonymous.get(f"/e/{world.session1.id}/onbekend"))


def test_headers_on_the_500_page(app, tmp_path):
    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "x", "TESTING": True,
                        "PROPAGATE_EXCEPTIONS": False}, instance_path=tmp_path)

    @other.route("/test-fout-500")
    def _boom():
        raise RuntimeError("kapot")

    try:
        response = other.test_client().get("/test-fout-500")
    finally:
        kdb.engine_of(other).dispose()
    assert response.status_code == 500 and "Foutcode" in response.get_data(as_text=True)
    assert_secure_headers(response)


def test_hsts_only_over_https_and_behind_a_configured_proxy(app, world, tmp_path):
    secure = app.test_client().get("/inloggen", base_url="https://kwaliteit.example.org")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # A proxy's X-Forwarded-Proto counts only when KWALITEIT_PROXY_FIX says a proxy is there.
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" not in app.test_client().get("/inloggen", headers=forwarded).headers
    proxied = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "x", "TESTING": True,
                          "PROXY_FIX": 1}, instance_path=tmp_path)
    try:
        response = proxied.test_client().get("/inloggen", headers=forwarded)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    finally:
        kdb.engine_of(proxied).dispose()


def test_a_malformed_base_url_stops_the_app(app, tmp_path):
    with pytest.raises(ValueError, match="KWALITEIT_BASE_URL"):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "BASE_URL": "kwaliteit.example.org"},
                   instance_path=tmp_path)


EVIL = "evil.example"


def _open_session_with_links(app, world) -> int:
    """A session of today (its participant evaluation open) with three personal links."""
    from evaluaties.answers import links
    from kwaliteit.scope import Scope
    from kwaliteit.trainings.models import Training

    with kdb.new_session(app) as s:
        ts = factories.session(s, s.get(Training, world.training1.id), on=TODAY)
        s.flush()
        links.create_single_links(s, Scope.everything(), ts.id, 3)
        s.commit()
        return ts.id


def _client_on_evil_host(app, user):
    """A client whose every request, the log-in too, says Host: evil.example."""
    client = app.test_client()
    response = client.post("/inloggen", data={"email": user.email, "password": factories.PASSWORD},
                           base_url=f"http://{EVIL}")
    assert response.status_code == 302
    return client


@pytest.fixture
def base_url(app):
    saved = app.config["BASE_URL"]
    app.config["BASE_URL"] = "https://kwaliteit.example.org"
    yield "https://kwaliteit.example.org"
    app.config["BASE_URL"] = saved


def test_a_crafted_host_never_reaches_printed_links_qr_codes_or_lists(app, world, base_url):
    w = world
    session_id = _open_session_with_links(app, w)
    client = _client_on_evil_host(app, w.coordinator)
    evil = {"base_url": f"http://{EVIL}", "headers": {"X-Forwarded-Host": EVIL}}
    pages = [
        client.get(f"/bijeenkomsten/{session_id}/evaluatie", **evil),
        client.get(f"/bijeenkomsten/{session_id}/links/afdrukken", **evil),
        client.get(f"/bijeenkomsten/{session_id}/links.txt", **evil),
        client.get(f"/bijeenkomsten/{session_id}/links.csv", **evil),
    ]
    for response in pages:
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert EVIL not in body
    listed = pages[2].get_data(as_text=True).split()
    assert listed and all(link.startswith(f"{base_url}/e/{session_id}/") for link in listed)
    # The QR code encodes the same address (segno draws the text into the SVG's title).
    assert f"QR-code van {base_url}/e/" in pages[1].get_data(as_text=True)


def test_invitation_link_and_mail_use_the_base_url(app, world, base_url):
    client = _client_on_evil_host(app, world.admin)
    response = client.post(
        "/beheer/gebruikers/nieuw",
        data={"email": "nieuw@example.org", "name": "Nieuw Iemand", "role": "coordinator",
              "partnership_ids": str(world.p1.id)},
        base_url=f"http://{EVIL}",
        follow_redirects=True,
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f"{base_url}/uitnodiging/" in body and EVIL not in body


def test_without_base_url_a_foreign_host_gets_only_a_path(app, world):
    w = world
    session_id = _open_session_with_links(app, w)
    assert app.config["BASE_URL"] is None
    client = _client_on_evil_host(app, w.coordinator)
    url = f"/bijeenkomsten/{session_id}/links.txt"
    listed = client.get(url, base_url=f"http://{EVIL}").get_data(as_text=True)
    assert EVIL not in listed and listed.split()[0].startswith(f"/e/{session_id}/")
    # On localhost (development) the local address is used.
    local_client = app.test_client()
    login(local_client, w.coordinator)
    local = local_client.get(url).get_data(as_text=True)
    assert local.split()[0].startswith(f"http://localhost/e/{session_id}/")


# ---------------------------------------------------------------- backup and restore


def _sqlite_app(tmp_path: Path):
    from alembic import command

    from kwaliteit.cli import alembic_config

    url = f"sqlite:///{tmp_path / 'live.db'}"
    command.upgrade(alembic_config(url), "head")
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True}, instance_path=tmp_path)


def _sessions(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM training_session").fetchone()[0]
    finally:
        conn.close()


def test_backup_during_writes_and_restore(app, tmp_path):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the SQLite backup; PostgreSQL: test_backup_on_postgresql_points_to_pg_dump")
    live = _sqlite_app(tmp_path)
    try:
        with kdb.new_session(live) as s:
            p = factories.partnership(s, "Partnerschap Noord")
            t = factories.training(s, p, "Basistraining")
            s.commit()
            training_id = t.id
        stop = threading.Event()
        written: list[int] = []

        def write():
            with kdb.new_session(live) as s:
                training = s.get(Training, training_id)
                while not stop.is_set() and len(written) < 400:
                    factories.session(s, training)
                    s.commit()
                    written.append(1)

        writer = threading.Thread(target=write)
        writer.start()
        runner = live.test_cli_runner()
        try:
            while len(written) < 20:
                stop.wait(0.01)
            result = runner.invoke(args=["backup", str(tmp_path / "kopie.db")])
        finally:
            stop.set()
            writer.join(30)
        assert result.exit_code == 0, result.output
        backup = tmp_path / "kopie.db"
        conn = sqlite3.connect(backup)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        finally:
            conn.close()
        in_backup = _sessions(backup)
        assert 20 <= in_backup <= len(written)
        assert not list(tmp_path.glob(".kopie.db.*"))  # no temporary file left behind

        # Never over an existing file without --force.
        again = runner.invoke(args=["backup", str(backup)])
        assert again.exit_code != 0 and "--force" in again.output
        assert runner.invoke(args=["backup", str(backup), "--force"]).exit_code == 0
        in_backup = _sessions(backup)

        # More rows after the backup; the restore brings back the backup's counts.
        with kdb.new_session(live) as s:
            factories.session(s, s.get(Training, training_id))
            s.commit()
        assert runner.invoke(args=["restore", str(backup)], input="n\n").exit_code != 0  # not confirmed
        restored = runner.invoke(args=["restore", str(backup), "--yes"])
        assert restored.exit_code == 0, restored.output
        with kdb.new_session(live) as s:  # the running app sees the restored data
            assert s.scalar(select(func.count()).select_from(TrainingSession)) == in_backup
    finally:
        kdb.engine_of(live).dispose()


def test_restore_refuses_a_damaged_or_foreign_file(app, tmp_path):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite only")
    live = _sqlite_app(tmp_path)
    try:
        runner = live.test_cli_runner()
        junk = tmp_path / "junk.db"
        junk.write_bytes(b"dit is geen database" * 100)
        assert runner.invoke(args=["restore", str(junk), "--yes"]).exit_code != 0
        other = tmp_path / "other.db"
        sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.close()
        result = runner.invoke(args=["restore", str(other), "--yes"])
        assert result.exit_code != 0 and "alembic_version" in result.output
        assert _sessions(tmp_path / "live.db") == 0  # untouched
    finally:
        kdb.engine_of(live).dispose()


def test_backup_on_postgresql_points_to_pg_dump(app, tmp_path):
    url = app.config["DATABASE_URL"]
    if not url.startswith("postgresql"):
        url = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never connected to: the message comes first
    pg = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True}, instance_path=tmp_path)
    runner = pg.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 2 and "pg_dump -Fc" in result.output
    result = runner.invoke(args=["restore", str(tmp_path / "x.dump"), "--yes"])
    assert result.exit_code == 2 and "pg_restore" in result.output
    assert not (tmp_path / "x.dump").exists()
