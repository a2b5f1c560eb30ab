"""Accounts: the create-user CLI, log-in and log-out, cookies, redirects, secret key, CSRF."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from kwaliteit import create_app
from kwaliteit import db as kdb
from kwaliteit.accounts.models import Role, User
from tests import factories
from tests.conftest import login

PASSWORD = "secret-password-1"
ROOT = Path(__file__).resolve().parent.parent


def _cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["create-user", *args], input=input)


def _user(app, email) -> User | None:
    with kdb.new_session(app) as s:
        user = s.scalar(select(User).where(User.email == email))
        if user is not None:
            _ = [p.name for p in user.partnerships]
        return user


def _user_count(app) -> int:
    with kdb.new_session(app) as s:
        return s.scalar(select(func.count()).select_from(User))


def _post_login(client, email, password, url="/inloggen"):
    return client.post(url, data={"email": email, "password": password})


# ------------------------------------------------------------ create-user


def test_create_user_reads_the_password_from_stdin(app, world):
    result = _cli(app, "Nieuw@Example.org", "--role", "coordinator", "--partnership", "Partnerschap Noord",
                  "--name", "Nina Nieuw", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Account aangemaakt: nieuw@example.org (coordinator)" in result.output
    assert PASSWORD not in result.output and "Wachtwoord:" not in result.output
    user = _user(app, "nieuw@example.org")
    assert user.role is Role.COORDINATOR and user.name == "Nina Nieuw"
    assert [p.name for p in user.partnerships] == ["Partnerschap Noord"]
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert check_password_hash(user.password_hash, PASSWORD)
    client = app.test_client()
    login(client, "nieuw@example.org", PASSWORD)
    assert client.get("/trainingen").status_code == 200


def test_create_user_from_a_real_pipe_with_a_windows_line_ending(app, world):
    """Through `flask create-user` in a process of its own: a real, non-translating stdin
    (the CLI runner turns \\r\\n into \\n and would hide the difference)."""
    env = {**os.environ, "KWALITEIT_DATABASE_URL": app.config["DATABASE_URL"],
           "KWALITEIT_SECRET_KEY": "subprocess-test"}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "create-user", "crlf@example.org", "--role", "admin"],
        input=(PASSWORD + "\r\n").encode(), capture_output=True, cwd=ROOT, env=env, timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert "Account aangemaakt: crlf@example.org" in done.stdout.decode()
    login(app.test_client(), "crlf@example.org", PASSWORD)


def test_create_user_generates_a_password_when_stdin_is_empty(app, world):
    result = _cli(app, "gen@example.org", "--role", "steering", "--partnership", "Partnerschap Noord",
                  "--partnership", "Partnerschap Zuid", input="")
    assert result.exit_code == 0, result.output
    match = re.search(r"Wachtwoord: (\S+)", result.output)
    assert match, result.output
    generated = match.group(1)
    assert len(generated) >= 10
    user = _user(app, "gen@example.org")
    assert user.password_hash.startswith("scrypt:")
    assert sorted(p.name for p in user.partnerships) == ["Partnerschap Noord", "Partnerschap Zuid"]
    login(app.test_client(), "gen@example.org", generated)


def test_create_trainer_links_the_person_with_the_same_email(app, world):
    email = world.trainer_person2.email
    result = _cli(app, email, "--role", "trainer", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = _user(app, email)
    assert user.person_id == world.trainer_person2.id
    assert [p.name for p in user.partnerships] == ["Partnerschap Noord"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["x@example.org", "--role", "coordinator", "--partnership", "Bestaat Niet"], "Partnerschap 'Bestaat Niet' bestaat niet"),
        (["COORDINATOR@example.org", "--role", "admin"], "bestaat al een account"),
        (["x@example.org", "--role", "coordinator"], "minstens één partnerschap"),
        (["x@example.org", "--role", "steering"], "minstens één partnerschap"),
        (["geen-adres", "--role", "admin"], "geen geldig e-mailadres"),
        (["onbekend@example.org", "--role", "trainer"], "persoon in het register"),
    ],
    ids=["unknown-partnership", "duplicate-email", "coordinator-without-partnership",
         "steering-without-partnership", "invalid-email", "trainer-without-person"],
)
def test_create_user_errors(app, world, args, message):
    before = _user_count(app)
    result = _cli(app, *args, input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert message in result.output, result.output
    assert _user_count(app) == before


def test_create_user_refuses_a_short_password(app, world):
    result = _cli(app, "kort@example.org", "--role", "admin", input="kort\n")
    assert result.exit_code != 0
    assert "minstens 12 tekens" in result.output
    assert _user(app, "kort@example.org") is None


def test_create_user_refuses_an_unknown_role(app, world):
    result = _cli(app, "rol@example.org", "--role", "participant", input=PASSWORD + "\n")
    assert result.exit_code == 2
    assert _user(app, "rol@example.org") is None


# ---------------------------------------------------------- log-in / out


def test_login_and_logout(app, world):
    client = app.test_client()
    assert client.get("/trainingen").status_code == 302
    response = _post_login(client, "Coordinator@Example.org ", factories.PASSWORD)  # case and space
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert client.get("/trainingen").status_code == 200
    response = client.post("/uitloggen")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/inloggen"
    assert "Je bent uitgelogd." in client.get("/inloggen").get_data(as_text=True)
    assert client.get("/trainingen").status_code == 302


def test_logout_needs_post(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    assert client.get("/uitloggen").status_code == 405
    assert client.get("/trainingen").status_code == 200


@pytest.mark.parametrize("email, password", [
    ("coordinator@example.org", "niet-het-wachtwoord"),
    ("onbekend@example.org", factories.PASSWORD),
])
def test_wrong_password_or_unknown_email(app, world, email, password):
    client = app.test_client()
    response = _post_login(client, email, password)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Onbekend e-mailadres of onjuist wachtwoord." in body
    assert f'value="{email}"' in body  # the e-mail address is kept
    assert password not in body  # the password is not sent back
    assert client.get("/trainingen").status_code == 302


@pytest.mark.parametrize("data, message", [
    ({}, "Vul je e-mailadres in."),
    ({"email": "coordinator@example.org"}, "Vul je wachtwoord in."),
    ({"email": "geen-adres", "password": "x"}, "Dit is geen geldig e-mailadres."),
])
def test_incomplete_login_form(app, world, data, message):
    response = app.test_client().post("/inloggen", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def _set_enabled(app, user, enabled: bool):
    with kdb.new_session(app) as s:
        s.get(User, user.id).is_enabled = enabled
        s.commit()


def test_disabled_user_cannot_log_in(app, world):
    _set_enabled(app, world.coordinator, False)
    response = _post_login(app.test_client(), world.coordinator.email, factories.PASSWORD)
    assert response.status_code == 400
    assert "Onbekend e-mailadres of onjuist wachtwoord." in response.get_data(as_text=True)


def test_disabling_a_user_ends_their_session(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    assert client.get("/trainingen").status_code == 200
    _set_enabled(app, world.coordinator, False)
    response = client.get("/trainingen")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/inloggen"


def test_session_cookie_flags(app, world):
    client = app.test_client()
    response = _post_login(client, world.coordinator.email, factories.PASSWORD)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    assert "HttpOnly" in cookies[0]
    assert "SameSite=Lax" in cookies[0]


def test_remember_cookie_flags(app, world):
    client = app.test_client()
    response = client.post("/inloggen", data={"email": world.coordinator.email,
                                               "password": factories.PASSWORD, "remember": "y"})
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert cookies
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/pad",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    "trainingen",
])
def test_next_never_leaves_the_site(app, world, target):
    client = app.test_client()
    response = client.post("/inloggen", query_string={"next": target},
                           data={"email": world.coordinator.email, "password": factories.PASSWORD})
    if "\t" in target or "\n" in target:
        # A control character in a query string is refused before any view runs (issue 6).
        assert response.status_code == 400
        assert "De zoekopdracht bevat ongeldige tekens." in response.get_data(as_text=True)
        assert "Location" not in response.headers
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/" or urlsplit(location).path == "/", location


def test_next_within_the_site_is_followed(app, world):
    client = app.test_client()
    response = client.get("/overzicht")
    assert response.status_code == 302
    next_url = urlsplit(response.headers["Location"])
    assert next_url.path == "/inloggen" and "next=" in next_url.query
    response = client.post(f"/inloggen?{next_url.query}",
                           data={"email": world.coordinator.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/overzicht"


# ------------------------------------------------------------- configuration


def test_secret_key_is_generated_once_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("KWALITEIT_SECRET_KEY", raising=False)
    monkeypatch.setenv("KWALITEIT_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    instance = tmp_path / "instance"
    first = create_app(instance_path=instance)
    key_file = instance / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) >= 32
    second = create_app(instance_path=instance)
    assert second.secret_key == first.secret_key
    other = create_app(instance_path=tmp_path / "elders")
    assert other.secret_key != first.secret_key


def test_secret_key_waits_for_a_worker_that_is_still_writing_it(monkeypatch, tmp_path):
    monkeypatch.delenv("KWALITEIT_SECRET_KEY", raising=False)
    monkeypatch.setenv("KWALITEIT_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    instance = tmp_path / "instance"
    instance.mkdir()
    key_file = instance / "secret_key"
    key_file.touch()  # created by another worker, not yet written

    def write_later():
        time.sleep(0.2)
        key_file.write_text("a" * 64)

    writer = threading.Thread(target=write_later)
    writer.start()
    app = create_app(instance_path=instance)
    writer.join()
    assert app.secret_key == "a" * 64


def test_secret_key_from_the_environment_writes_no_file(monkeypatch, tmp_path):
    monkeypatch.setenv("KWALITEIT_SECRET_KEY", "uit-de-omgeving")
    monkeypatch.setenv("KWALITEIT_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app(instance_path=tmp_path / "instance")
    assert app.secret_key == "uit-de-omgeving"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'uit-de-omgeving.db'}"
    monkeypatch.setenv("KWALITEIT_DATABASE_URL", url)
    monkeypatch.setenv("KWALITEIT_SECRET_KEY", "x" * 32)
    app = create_app(instance_path=tmp_path / "instance")
    assert app.config["DATABASE_URL"] == url
    assert str(kdb.engine_of(app).url) == url
    monkeypatch.delenv("KWALITEIT_DATABASE_URL")
    app = create_app(instance_path=tmp_path / "instance")
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'kwaliteit.db'}"


# ------------------------------------------------------------------- CSRF


@pytest.fixture
def csrf_app(app, tmp_path):
    """The same database, with CSRF protection on as in production."""
    csrf = create_app(
        {"DATABASE_URL": app.config["DATABASE_URL"], "TESTING": True, "SECRET_KEY": "csrf-test",
         "WTF_CSRF_ENABLED": True},
        instance_path=tmp_path / "instance",
    )
    yield csrf
    kdb.engine_of(csrf).dispose()


def _token(body: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', body)
    assert match, body[:1000]
    return match.group(1)


def test_csrf_is_enforced_when_enabled(csrf_app, world):
    client = csrf_app.test_client()
    response = _post_login(client, world.coordinator.email, factories.PASSWORD)
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert client.get("/trainingen").status_code == 302  # not logged in

    token = _token(client.get("/inloggen").get_data(as_text=True))
    response = client.post("/inloggen", data={"email": world.coordinator.email,
                                              "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/trainingen").status_code == 200

    # Logged in, a state-changing POST without the token is refused and changes nothing.
    response = client.post(f"/trainingen/{world.training1.id}/actief", data={"actief": "0"})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    response = client.post("/uitloggen")
    assert response.status_code == 400
    assert client.get("/trainingen").status_code == 200
    from kwaliteit.trainings.models import Training

    with kdb.new_session(csrf_app) as s:
        assert s.get(Training, world.training1.id).active is True
