"""Hostile input gets a clear Dutch answer and costs little (issue 6, item 3), on SQLite and
PostgreSQL: bounded query arguments, control characters, length limits in form, service and
database, the 500 page, and case-insensitive uniqueness under concurrent saves."""
from __future__ import annotations

import html
import logging
import re
import threading
import time
import unicodedata
from decimal import Decimal

import pytest
from flask import abort
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from evaluaties.answers.models import Response
from kwaliteit import create_app, limits, logs
from kwaliteit import db as kdb
from kwaliteit.accounts.models import Role, User
from kwaliteit.args import MAX_PAGE, choice_arg, choice_args, id_arg, int_arg, page_arg, text_arg
from kwaliteit.registry.models import Organisation, OrganisationKind, Partnership, Person
from kwaliteit.scope import Scope
from kwaliteit.trainings import services
from kwaliteit.trainings.models import Training, TrainingForm, TrainingKind, TrainingSession
from kwaliteit.validation import (
    CONTROL_CHARACTERS,
    SINGLE_LINE,
    ValidationError,
    has_forbidden_characters,
    text_error,
)
from tests import factories
from tests.conftest import login, run_in_threads

NUL = "\x00"
INVALID_QUERY = "De zoekopdracht bevat ongeldige tekens."


@pytest.fixture
def coordinator(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    return client


def _body(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _count(app, model, *where) -> int:
    with kdb.new_session(app) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _form_error(response, message: str) -> str:
    body = _body(response)
    assert response.status_code == 400, body[:2000]
    assert re.search(r"De (training|bijeenkomst) is niet opgeslagen\.", body)
    assert message in body, body[body.find("formulierfouten"):][:2000]
    return body


def training_data(world, **overrides) -> dict:
    sg = world.safeguards
    data = {
        "partnership_id": str(world.p1.id),
        "title": "Verdiepingstraining begeleiden",
        "kind": "verdiepingstraining",
        "form": "blended",
        "contact_hours": "7,5",
        "description": "Voor ervaren mentoren.",
        f"sg_{sg[1].id}": "y",
        f"rationale_{sg[1].id}": "Mentoren leren de leeromgeving inrichten.",
    }
    data.update(overrides)
    return data


def session_data(world, **overrides) -> dict:
    data = {
        "date": "2026-12-01",
        "start_time": "15:30",
        "location": "Pabo Noord, lokaal 2",
        "trainer_ids": [str(world.trainer_person.id)],
        "participant_count": "14",
    }
    data.update(overrides)
    return data


# ================================================================ query arguments


@pytest.mark.parametrize("value, expected", [
    ("7", 7), ("007", 7), ("", None), ("²", None), ("٣", None), ("-1", None), ("+1", None), ("1e3", None),
    (" 7", None), ("7.0", None), ("9" * 18, 10**18 - 1), ("9" * 19, None), ("99999999999999999999", None),
])
def test_int_arg_accepts_only_ascii_digits_of_bounded_length(app, value, expected):
    with app.test_request_context("/", query_string={"n": value}):
        assert int_arg("n") == expected
        assert int_arg("n", 5) == (5 if expected is None else expected)


def test_int_arg_bounds_and_the_other_helpers(app):
    with app.test_request_context("/?n=12&m=0&pagina=0&q=+%20zoek+mij+&s=b&t=a&t=x&t=a&t=b"):
        assert int_arg("n", 1, min=1, max=10) == 1  # above max: invalid, the default
        assert int_arg("n", 1, min=1, max=12) == 12
        assert id_arg("m") is None  # no row has id 0
        assert page_arg() == 1
        assert text_arg("q", 4) == "zoek"
        assert choice_arg("s", ("a", "b")) == "b" and choice_arg("s", ("a",), "a") == "a"
        assert choice_args("t", ("a", "b")) == ["a", "b"]
    with app.test_request_context(f"/?pagina={MAX_PAGE + 1}"):
        assert page_arg() == MAX_PAGE


def _list_routes(app) -> list[str]:
    """Every GET route without URL arguments: the lists and overviews (found in url_map, so a list
    route added later is covered without editing this test)."""
    return sorted(
        rule.rule for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )


PAGE_JUNK = ["²", "99999999999999999999", "0", "-3", "1e3", "", "9" * 18]


def test_every_list_route_clamps_its_page(app, world):
    """Every junk page number gives what the page without one gives (one plain request per route
    and role, then every junk value)."""
    for role in (world.coordinator, world.admin, world.trainer, world.steering):
        client = app.test_client()
        login(client, role)
        for url in _list_routes(app):
            plain = client.get(url).status_code
            assert plain < 500, (role.email, url)
            for junk in PAGE_JUNK:
                response = client.get(url, query_string={"pagina": junk})
                assert response.status_code == plain, (role.email, url, junk, response.status_code)


def test_a_page_past_the_end_shows_the_last_page(app, coordinator, world):
    with kdb.new_session(app) as s:
        p1 = s.merge(world.p1)
        for i in range(30):
            factories.training(s, p1, f"Noord {i:02d}")
        s.commit()
    for page in ("3", "999999999999999999", str(MAX_PAGE)):
        body = _body(coordinator.get("/trainingen", query_string={"pagina": page}))
        assert "Pagina 2 van 2" in body, page


def test_id_arg_refuses_an_id_no_table_can_hold(app):
    """Ids are INTEGER columns: 32 bits on PostgreSQL, which refuses a larger number in a query."""
    with app.test_request_context(f"/?a={2**31 - 1}&b={2**31}"):
        assert id_arg("a") == 2**31 - 1
        assert id_arg("b") is None


@pytest.mark.parametrize("absurd", [str(2**31), str(2**63 - 1)])
def test_an_id_beyond_the_columns_is_not_found_on_every_route(app, world, absurd):
    """Every GET route with an id in its URL, and every id filter of a list, with an id one beyond
    what the INTEGER columns hold: 404 or the page, never a 500 (PostgreSQL's "integer out of range")."""
    routes = sorted((
        rule for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.arguments and all(
            type(rule._converters[a]).__name__ == "IdConverter" for a in rule.arguments)
    ), key=lambda rule: rule.rule)
    for role in (world.admin, world.coordinator):
        client = app.test_client()
        login(client, role)
        for rule in routes:
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<int:{name}>", absurd)
            assert client.get(url).status_code == 404, url
        for url in _list_routes(app):
            for name in ("partnerschap", "bestuur", "trainer", "training", "persoon"):
                response = client.get(url, query_string={name: absurd})
                assert response.status_code < 500, (url, name)


@pytest.mark.parametrize("query", [
    {"q": f"a{NUL}b"}, {"q": "\x1b[31m"}, {"q": "regel\nregel"}, {"q": "tab\t"}, {"pagina": f"1{NUL}"},
    {f"x{NUL}": "1"}, {"soort": "\x85"}, {"q": "\x7f"}, {"q": "\u202eRTL"},
])
def test_control_characters_in_a_query_string_are_refused_in_dutch(app, coordinator, world, query):
    for url in ("/trainingen", "/overzicht", "/inloggen"):
        response = coordinator.get(url, query_string=query)
        assert response.status_code == 400, url
        body = _body(response)
        assert INVALID_QUERY in body and 'lang="nl"' in body


@pytest.mark.parametrize("segment", ["a%00b", "%00", "x%1b%5B31m", "%7f", "tab%09"])
def test_control_characters_in_a_path_are_refused_in_dutch(app, coordinator, world, segment):
    """Also without logging in: the participant's link takes any text as its token (a NUL reached
    PostgreSQL, which refuses it in every text: a 500)."""
    anonymous = app.test_client()
    for client, method, url in (
        (anonymous, "get", f"/e/{world.session1.id}/{segment}"),
        (anonymous, "post", f"/e/{world.session1.id}/{segment}"),
        (coordinator, "get", f"/trainingen/{segment}"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 400, url
        body = _body(response)
        assert "Het adres bevat ongeldige tekens." in body and 'lang="nl"' in body


def test_a_link_token_that_cannot_be_one_is_unknown(app, world):
    from evaluaties.answers import links

    anonymous = app.test_client()
    made = None
    with kdb.new_session(app) as s:
        [made] = links.create_single_links(s, Scope.everything(), world.session1.id, 1)
        s.commit()
        token = made.token
    assert links.TOKEN.fullmatch(token)
    for odd in ("x" * 100_000, "a b", "é" * 10, token + "=", "'; DROP TABLE x; --"):
        response = anonymous.get(f"/e/{world.session1.id}/{odd}")
        assert response.status_code == 404 and "Deze link bestaat niet" in _body(response), odd[:20]
    assert anonymous.get(f"/e/{world.session1.id}/{token}").status_code == 200


def test_a_form_field_far_over_any_limit_is_refused_as_a_form_not_as_a_file(app, world):
    """A form over MAX_CONTENT_LENGTH is refused (413) before the view reads it: the page says so in
    Dutch, about the form (a participant uploads no file), with a way back."""
    from datetime import timedelta

    from evaluaties.answers import links
    from tests.conftest import TODAY

    with kdb.new_session(app) as s:
        s.get(TrainingSession, world.session1.id).date = TODAY - timedelta(days=1)
        [link] = links.create_single_links(s, Scope.everything(), world.session1.id, 1)
        s.commit()
        url = f"/e/{world.session1.id}/{link.token}"
    too_much = app.config["MAX_CONTENT_LENGTH"] + 1
    response = app.test_client().post(url, data={"q_opmerkingen": "x" * too_much})
    assert response.status_code == 413
    body = _body(response)
    assert "Formulier te groot" in body and "bestand" not in body.lower() and f'href="{url}"' in body
    assert _count(app, Response) == 0


def test_odd_but_valid_unicode_in_a_query_string_is_fine(coordinator, world):
    for q in ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u200fRTL", "e\u0301", "\ufeff", "😀" * 50):  # U+200F: a plain RTL mark
        assert coordinator.get("/trainingen", query_string={"q": q}).status_code == 200


# ================================================================ control characters


BIDI_CONTROLS = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
NONCHARACTERS = {0xFFFE, 0xFFFF}


def test_forbidden_characters_are_exactly_category_cc_lone_surrogates_and_bidi_controls():
    for cp in range(0x110000):
        ch = chr(cp)
        category = unicodedata.category(ch)
        forbidden = category in ("Cc", "Cs") or cp in BIDI_CONTROLS | NONCHARACTERS
        assert has_forbidden_characters(ch) == forbidden, hex(cp)
        assert has_forbidden_characters(ch, multiline=True) == (forbidden and ch not in "\t\n\r"), hex(cp)


def test_a_bidi_override_in_a_training_title_is_a_field_error(app, world):
    """U+202E makes 'Training\u202egnirt' read as something else; it is refused like a NUL."""
    client = app.test_client()
    login(client, world.coordinator)
    response = client.post("/trainingen/nieuw", data={"title": "Basis\u202eniart", "partnership_id": world.p1.id})
    assert response.status_code == 400
    assert CONTROL_CHARACTERS in _body(response)


def test_text_error_messages():
    assert text_error("gewoon", 10) is None
    assert text_error("twee\nregels", 20) == SINGLE_LINE
    assert text_error("twee\r\nregels\tmet tab", 30, multiline=True) is None
    assert text_error(f"nul{NUL}", 10, multiline=True) == CONTROL_CHARACTERS
    assert text_error("x" * 11, 10) == "Hoogstens 10 tekens."
    assert text_error(None, 1) is None


def test_nul_in_the_login_form_is_a_field_error(app, world):
    client = app.test_client()
    for data in ({"email": f"coordinator@example.org{NUL}", "password": factories.PASSWORD},
                 {"email": world.coordinator.email, "password": f"{factories.PASSWORD}{NUL}"},
                 {"email": f"{NUL}", "password": NUL}):
        response = client.post("/inloggen", data=data)
        body = _body(response)
        assert response.status_code == 400
        assert CONTROL_CHARACTERS in body or SINGLE_LINE in body
    assert client.get("/trainingen").status_code == 302  # not logged in


@pytest.mark.parametrize("field, value, message", [
    ("title", f"Titel{NUL}", CONTROL_CHARACTERS),
    ("title", "Titel\tmet tab", SINGLE_LINE),
    ("title", "Twee\nregels", SINGLE_LINE),
    ("title", "\x1b[31mrood", CONTROL_CHARACTERS),
    ("description", f"Beschrijving{NUL}", CONTROL_CHARACTERS),
    ("description", "x" * (limits.DESCRIPTION + 1), f"Hoogstens {limits.DESCRIPTION} tekens."),
    ("title", "x" * (limits.TITLE + 1), f"Hoogstens {limits.TITLE} tekens."),
    ("contact_hours", f"7{NUL}", "Ongeldige decimale waarde"),
])
def test_bad_text_in_the_training_form(app, coordinator, world, field, value, message):
    before = _count(app, Training)
    response = coordinator.post("/trainingen/nieuw", data=training_data(world, **{field: value}))
    _form_error(response, message)
    assert _count(app, Training) == before


def test_bad_rationale_in_the_training_form(app, coordinator, world):
    sg = world.safeguards[1]
    for value, message in ((f"Want{NUL}", CONTROL_CHARACTERS), ("x" * 2001, "Hoogstens 2000 tekens.")):
        response = coordinator.post("/trainingen/nieuw", data=training_data(world, **{f"rationale_{sg.id}": value}))
        _form_error(response, message)
    assert _count(app, Training) == 2


def test_line_breaks_and_tabs_are_kept_in_a_multi_line_text(app, coordinator, world):
    response = coordinator.post(
        "/trainingen/nieuw", data=training_data(world, description="Regel 1\r\n\tRegel 2\nRegel 3")
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        training = s.scalar(select(Training).where(Training.title == "Verdiepingstraining begeleiden"))
        assert training.description == "Regel 1\r\n\tRegel 2\nRegel 3"


@pytest.mark.parametrize("value, message", [
    (f"Lokaal{NUL}", CONTROL_CHARACTERS),
    ("Lokaal\n2", SINGLE_LINE),
    ("x" * (limits.LOCATION + 1), f"Hoogstens {limits.LOCATION} tekens."),
])
def test_bad_text_in_the_session_form(app, coordinator, world, value, message):
    before = _count(app, TrainingSession)
    response = coordinator.post(f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw",
                                data=session_data(world, location=value))
    _form_error(response, message)
    response = coordinator.post(f"/bijeenkomsten/{world.session1.id}/bewerken",
                                data=session_data(world, location=value))
    _form_error(response, message)
    assert _count(app, TrainingSession) == before
    with kdb.new_session(app) as s:
        assert s.get(TrainingSession, world.session1.id).location == "Amsterdam"


@pytest.mark.parametrize("reason, message", [
    (f"Ziek{NUL}", CONTROL_CHARACTERS),
    ("x" * (4 * 1024 * 1024), f"Hoogstens {limits.REASON} tekens."),
    ("x" * (limits.REASON + 1), f"Hoogstens {limits.REASON} tekens."),
])
def test_bad_cancellation_reason_is_refused_with_a_message(app, coordinator, world, reason, message):
    url = f"/bijeenkomsten/{world.session1.id}/annuleren"
    response = coordinator.post(url, data={"reden": reason}, follow_redirects=True)
    assert response.status_code == 200
    body = _body(response)
    assert f"Reden van de annulering: {message}" in body
    with kdb.new_session(app) as s:
        ts = s.get(TrainingSession, world.session1.id)
        assert ts.cancelled_at is None and ts.cancel_reason is None


def test_a_long_multi_line_cancellation_reason_within_the_limit_is_kept(app, coordinator, world):
    reason = "Ziek.\r\n" + "x" * (limits.REASON - 7)
    response = coordinator.post(f"/bijeenkomsten/{world.session1.id}/annuleren", data={"reden": reason})
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        assert s.get(TrainingSession, world.session1.id).cancel_reason == reason


def _data(world, **overrides) -> services.TrainingData:
    values = {"partnership_id": world.p1.id, "title": "Via de service", "kind": TrainingKind.BASIC,
              "form": TrainingForm.ONLINE, "contact_hours": Decimal(3), "description": "",
              "safeguards": {world.safeguards[0].id: "Reden."}}
    values.update(overrides)
    return services.TrainingData(**values)


@pytest.mark.parametrize("overrides, field, message", [
    ({"title": "x" * (limits.TITLE + 1)}, "title", f"Hoogstens {limits.TITLE} tekens."),
    ({"title": f"a{NUL}"}, "title", CONTROL_CHARACTERS),
    ({"description": "x" * (limits.DESCRIPTION + 1)}, "description", f"Hoogstens {limits.DESCRIPTION} tekens."),
    ({"description": f"a{NUL}"}, "description", CONTROL_CHARACTERS),
])
def test_services_check_texts_for_every_caller(app, world, overrides, field, message):
    """The CLI, the API and imports call the services without a form: the same limits hold."""
    with kdb.new_session(app) as s:
        with pytest.raises(ValidationError) as caught:
            services.create_training(s, Scope.everything(), _data(world, **overrides))
        assert caught.value.errors[field] == message
        s.rollback()
        with pytest.raises(ValidationError) as caught:
            services.set_session_cancelled(s, Scope.everything(), world.session1.id, "x" * 10**6)
        assert "reden" in caught.value.errors


def test_the_database_holds_the_limits_too(app, world):
    """CHECK constraints on the Text columns, String(N) (PostgreSQL) on the short ones."""
    cases = [
        (TrainingSession, world.session1.id, "cancel_reason", "x" * (limits.REASON + 1)),
        (Training, world.training1.id, "description", "x" * (limits.DESCRIPTION + 1)),
    ]
    for model, row_id, column, value in cases:
        with kdb.new_session(app) as s:
            setattr(s.get(model, row_id), column, value)
            with pytest.raises(IntegrityError):
                s.flush()
    with kdb.new_session(app) as s:
        s.get(TrainingSession, world.session1.id).cancel_reason = "x" * limits.REASON
        s.flush()  # exactly at the limit is fine


# ================================================================ the 500 page


@pytest.fixture
def failing_app(app, database_url, tmp_path):
    """An app of its own (routes cannot be added to the shared one after its first request) on
    the same database, with test-only routes that fail, and exceptions not propagated to the
    test client, as in production."""
    failing = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "PROPAGATE_EXCEPTIONS": False,
         "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False},
        instance_path=tmp_path / "instance",
    )

    @failing.route("/test/fout")
    def plain_failure():
        raise RuntimeError("kapot")

    @failing.route("/test/db-fout")
    def failure_after_a_failed_statement():
        # A failed statement that the view swallows: on PostgreSQL the transaction is now aborted,
        # and any query (loading current_user for the menu) would fail again.
        s = kdb.session()
        try:
            s.execute(text("SELECT no_such_column FROM training"))
        except Exception:  # noqa: BLE001 - swallowed on purpose
            pass
        raise RuntimeError("na een mislukte query")

    @failing.route("/test/nul-in-query")
    def nul_in_a_query():
        # What a NUL that slipped through would do: a DataError on PostgreSQL, 0 rows on SQLite.
        kdb.session().scalar(select(func.count()).select_from(Training).where(Training.title == NUL))
        raise RuntimeError("NUL bereikte de database")

    @failing.route("/test/abort")
    def explicit_abort():
        abort(500)

    yield failing
    kdb.engine_of(failing).dispose()


def _error_id(response) -> str:
    body = _body(response)
    match = re.search(r"Foutcode: <strong>([0-9a-f]{8})</strong>", body)
    assert match, body[:2000]
    return match.group(1)


@pytest.mark.parametrize("url", ["/test/fout", "/test/db-fout", "/test/nul-in-query", "/test/abort"])
def test_500_is_dutch_with_an_error_id_in_the_log(failing_app, world, caplog, url):
    client = failing_app.test_client()
    login(client, world.coordinator)
    with caplog.at_level(logging.ERROR, logger="kwaliteit"):
        response = client.get(url)
    assert response.status_code == 500
    body = _body(response)
    assert "Er ging iets mis" in body and 'lang="nl"' in body
    assert "Internal Server Error" not in body
    error_id = _error_id(response)
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged, [r.getMessage() for r in caplog.records]
    if url != "/test/abort":
        assert logged[0].exc_info is not None  # with the traceback
    # The real page (not the last-resort fallback): the template rendered without the database.
    assert "Naar de inhoud" in body and "style.css" in body
    assert not any("ook de foutpagina" in r.getMessage() for r in caplog.records)
    # The same client (and the same pooled connection) carries on.
    assert client.get("/trainingen").status_code == 200
    assert client.get(f"/trainingen/{world.training1.id}").status_code == 200


def test_the_500_page_survives_its_own_template_failing(failing_app, world, caplog, monkeypatch):
    from kwaliteit import errors

    def broken(*args, **kwargs):
        raise RuntimeError("template kapot")

    monkeypatch.setattr(errors, "render_template", broken)
    client = failing_app.test_client()
    with caplog.at_level(logging.ERROR, logger="kwaliteit"):
        response = client.get("/test/fout")
    assert response.status_code == 500
    error_id = _error_id(response)
    assert "Er ging iets mis" in _body(response)
    assert sum(error_id in r.getMessage() for r in caplog.records) == 2  # the error, and the page's


def test_log_level_comes_from_the_environment(app, tmp_path, monkeypatch):
    monkeypatch.setenv("KWALITEIT_LOG_LEVEL", "warning")
    other = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}, instance_path=tmp_path)
    try:
        assert logging.getLogger("kwaliteit").level == logging.WARNING
        assert logging.getLogger("evaluaties").level == logging.WARNING
    finally:
        kdb.engine_of(other).dispose()
        logs.configure(logging.INFO)
    monkeypatch.setenv("KWALITEIT_LOG_LEVEL", "luid")
    with pytest.raises(ValueError, match="KWALITEIT_LOG_LEVEL"):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}, instance_path=tmp_path)


def test_refused_logins_are_logged(app, world, caplog):
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="kwaliteit"):
        client.post("/inloggen", data={"email": world.coordinator.email, "password": "fout-wachtwoord"})
    assert any("Inloggen geweigerd" in r.getMessage() and r.name == "kwaliteit.accounts.views"
               for r in caplog.records)
    assert not any("fout-wachtwoord" in r.getMessage() for r in caplog.records)


# ================================================================ case-insensitive uniqueness


def test_race_and_RACE_at_the_same_moment_save_one(app, world):
    """Both checks pass before either commits (the first one waits before committing): the
    database's unique index on the lowered title refuses the second, as a field error."""
    outcomes: dict[str, object] = {}
    flushed = threading.Event()

    def first():
        with kdb.new_session(app) as s:
            services.create_training(s, Scope.everything(), _data(world, title="Race"))
            flushed.set()
            time.sleep(0.5)  # the second one is now checking and inserting
            s.commit()
            outcomes["Race"] = "saved"

    def second():
        assert flushed.wait(10)
        with kdb.new_session(app) as s:
            try:
                services.create_training(s, Scope.everything(), _data(world, title="RACE"))
                s.commit()
                outcomes["RACE"] = "saved"
            except ValidationError as exc:
                s.rollback()
                outcomes["RACE"] = exc.errors

    run_in_threads(first, second)
    assert outcomes == {"Race": "saved", "RACE": {"title": services.TITLE_TAKEN}}
    assert _count(app, Training, func.lower(Training.title) == "race") == 1


@pytest.mark.parametrize("attempt", range(3))
def test_two_threads_with_a_barrier_save_exactly_one(app, world, attempt):
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def save(title):
        def run():
            with kdb.new_session(app) as s:
                barrier.wait(10)
                try:
                    services.create_training(s, Scope.everything(), _data(world, title=title))
                    s.commit()
                    outcomes.append("saved")
                except ValidationError as exc:
                    s.rollback()
                    outcomes.append(exc.errors)
        return run

    run_in_threads(save("Race"), save("RACE"))
    assert sorted(map(str, outcomes)) == sorted(map(str, ["saved", {"title": services.TITLE_TAKEN}]))
    assert _count(app, Training, func.lower(Training.title) == "race") == 1


@pytest.mark.parametrize("make", ["partnership", "organisation", "person", "user"])
def test_names_and_addresses_are_unique_whatever_their_case(app, world, make):
    with kdb.new_session(app) as s:
        if make == "partnership":
            s.add(Partnership(name="PARTNERSCHAP NOORD"))
        elif make == "organisation":
            s.add(Organisation(partnership_id=world.p1.id, kind=OrganisationKind.SCHOOL, name="BASISSCHOOL de linde"))
        elif make == "person":
            s.add(Person(name="Kopie", email=world.trainer_person.email.upper(), organisation_id=world.school1.id))
        else:
            s.add(User(email=world.coordinator.email.upper(), name="", password_hash="x", role=Role.ADMIN))
        with pytest.raises(IntegrityError):
            s.flush()
    # The same name in another partnership is fine.
    with kdb.new_session(app) as s:
        s.add(Organisation(partnership_id=world.p2.id, kind=OrganisationKind.SCHOOL, name="BASISSCHOOL DE LINDE"))
        s.flush()


def test_other_integrity_errors_are_not_reported_as_a_taken_title(app, world):
    """Only the title index becomes the title message; another violation stays an error."""
    with kdb.new_session(app) as s:
        s.get(Training, world.training1.id).contact_hours = Decimal(-1)
        with pytest.raises(IntegrityError):
            services._flush_unique(s)
    with kdb.new_session(app) as s:
        s.get(Training, world.training2.id).partnership_id = world.p1.id
        s.get(Training, world.training2.id).title = world.training1.title.upper()
        with pytest.raises(ValidationError):
            services._flush_unique(s)


# ----------------------------------------------------------------- a file where a text belongs


def test_a_file_sent_in_place_of_a_text_is_no_text(app, world):
    """A crafted multipart request with a file in a text field (the log-in page, a training's
    title): the field is empty and says so, never a 500; a file only counts in a file field."""
    import io

    from tests.test_trainings import training_data

    client = app.test_client()
    response = client.post(
        "/inloggen", data={"email": (io.BytesIO(b"x"), "adres.txt"), "password": "geheim"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "e-mailadres" in response.get_data(as_text=True).lower()
    login(client, world.coordinator)
    with kdb.new_session(app) as s:
        before = s.scalar(select(func.count()).select_from(Training))
    data = {**training_data(world), "title": (io.BytesIO(b"Titel"), "titel.txt")}
    response = client.post("/trainingen/nieuw", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "Vul een titel in." in response.get_data(as_text=True)
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(Training)) == before
