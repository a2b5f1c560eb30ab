"""Property-based: hostile input on every route gives no 5xx and saves nothing half (issue 6).

The routes come from app.url_map, so a route added later is covered without editing this file:
- URL arguments are built from the authorization matrix's world (tests/test_authz.py), by the
  argument's name (URL_VALUES); a new argument name fails test_every_url_argument_is_known.
- The fields of every form are found by reading every page of the app as the role and parsing its
  <form method="post"> elements (names and current values), so the generated data is the real form
  with some fields replaced by hostile values: NUL and other control characters, megabyte strings,
  odd Unicode (astral characters, RTL marks, combining characters; no lone surrogates, which no
  browser can send), huge and negative numbers, empty values, and random files for file fields.
- Every GET route is requested with generated query arguments.

Asserted: never a 5xx; a 400 (form refused) leaves the row count of every table unchanged.
Bounded: few examples per route (see EXAMPLES), no deadline, no example database on disk.
"""
from __future__ import annotations

import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

import plotly
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from kwaliteit import db as kdb
from kwaliteit.models import Base
from tests.conftest import login

# The matrix's world (questionnaires, links, register, cycles), built once for this module too.
from tests.test_authz import _shared, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.shared_world

EXAMPLES = 4  # per route and role; the whole file stays well under a minute per database

# How each URL argument is filled from the world.
URL_VALUES = {
    "training_id": lambda w: w.training1.id,
    "session_id": lambda w: w.session1.id,
    "safeguard_id": lambda w: w.safeguards[0].id,
    "questionnaire_id": lambda w: w.questionnaire1.id,
    "version_id": lambda w: w.draft1.id,
    "question_id": lambda w: w.draft_question1.id,
    "link_id": lambda w: w.link1.id,
    "token": lambda w: w.link1.token,
    "fmt": lambda w: "csv",
    "flag": lambda w: "opfrissen-nodig",
    "partnership_id": lambda w: w.p1.id,
    "organisation_id": lambda w: w.school1.id,
    "person_id": lambda w: w.trainer_person.id,
    "user_id": lambda w: w.trainer.id,
    "invitation_token": lambda w: w.invitation_token,
    "reset_token": lambda w: w.reset_token,
    "qualification_id": lambda w: w.qualification1.id,
    "registration_id": lambda w: w.registration1.id,
    "draft_id": lambda w: w.import_draft1.id,  # the coordinator's; for the admin it does not exist
    "naam": lambda w: "te-laat",  # a list of the dashboard
    "tabel": lambda w: "dekking",  # an export of the dashboard
    "version": lambda w: plotly.__version__,  # plotly.js and its style sheet
    "certificate_id": lambda w: w.certificate1.id,
    "mentorship_id": lambda w: w.mentorship1.id,
    "calendar_token": lambda w: w.calendar_token,
    "cycle_id": lambda w: w.cycle1.id,
    "action_id": lambda w: w.action1.id,
    "fase": lambda w: "check",  # a phase of a review cycle
    "practice_id": lambda w: w.practice1.id,
    "token_id": lambda w: w.api_token_id,  # an API token of the coordinator
}
# Log-in and log-out act on the client's own session: they get a fresh anonymous client each time
# (setting a password through an invitation logs the invited person in).
# "Overal uitloggen" ends the session too.
OWN_CLIENT = {"accounts.login", "accounts.logout", "users.accept", "account.logout_everywhere"}
# Query argument names the views read (others are generated too).
QUERY_NAMES = ["pagina", "q", "status", "soort", "partnerschap", "training", "bijeenkomst", "schooljaar",
               "doelgroep", "waarborg", "dagen", "drempel", "versie", "next",
               "peildatum", "bestuur", "respons", "trainer", "sorteer", "richting", "fase", "school", "cyclus",
               "vanaf", "eigen", "van", "tot", "gebruiker", "actie"]

MB = 1024 * 1024
HOSTILE = [
    "", " ", "\x00", "a\x00b", "\x1b[31mrood", "\x07", "\x7f", "\x85", "\t", "regel\r\nregel", "\u202eRTL\u202c",
    "\u200f\u200e", "e\u0301\u0301\u0301\u0301", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀", "\ufeff", "\uffff", "x" * MB, "ä" * 5001,
    "9" * 30, "-1", "-99999999999999999999", "1e309", "NaN", "-Infinity", "sNaN", "0", "²", "٣", "7,5", "1.5e3",
    "<script>alert(1)</script>", "' OR 1=1 --", "%", "_", "../../etc/passwd", "null", "[]", "{}",
]
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
files = st.tuples(st.binary(max_size=2048), st.sampled_from(["a.csv", "a.xlsx", "\x00.csv", "x" * 300, ""]))


class _Forms(HTMLParser):
    """The <form method="post"> elements of a page: action and fields with their current values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                          "fields": {}, "files": set()}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._form["files"].add(name)
            elif kind in ("checkbox", "radio"):
                fields.setdefault(name, [])
                if "checked" in a:
                    fields[name].append(a.get("value") or "y")
            elif kind not in ("submit", "button"):
                fields.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields.setdefault(name, [""])
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select].append(a.get("value") or "")
        elif tag == "button" and name:
            fields.setdefault(name, []).append(a.get("value") or "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] = [self._form["fields"][self._textarea][0] + data]

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def _url(app, rule, w) -> str:
    values = {name: URL_VALUES[name](w) for name in rule.arguments}
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def _rules(app, method):
    return sorted(
        (r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint != "static"),
        key=lambda r: r.rule,
    )


def _forms_by_action(app, client, w) -> dict[str, list[dict]]:
    """Every post form on every page the client can read, by the path it posts to."""
    found: dict[str, list[dict]] = {}
    for rule in _rules(app, "GET"):
        url = _url(app, rule, w)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if form["method"] == "post":
                path = urlsplit(form["action"]).path or urlsplit(url).path
                found.setdefault(path, []).append(form)
    return found


def _row_counts(app) -> tuple[int, ...]:
    tables = [t.name for t in Base.metadata.sorted_tables]
    sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in tables)
    with kdb.engine_of(app).connect() as conn:
        return tuple(conn.execute(text(sql)).one())


def _form_data(form: dict | None, all_names: list[str]):
    """The form as the page has it, with some fields hostile (and sometimes an extra field)."""
    base = {k: list(v) for k, v in (form or {"fields": {}})["fields"].items()}
    names = sorted(base) or all_names
    file_names = sorted((form or {}).get("files", set()))

    @st.composite
    def build(draw):
        data = {k: (v if len(v) != 1 else v[0]) for k, v in base.items()}
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True)):
            data[name] = draw(st.one_of(values, st.lists(values, max_size=3)))
        if draw(st.booleans()):
            data[draw(values)] = draw(values)
        for name in file_names:
            if draw(st.booleans()):
                content, filename = draw(files)
                data[name] = (io.BytesIO(content), filename)
        return data

    return build()


def _fixed_payloads(form: dict | None, all_names: list[str]) -> list[dict]:
    """Every field NUL-laden; every field over any text limit (about 1 MB in all); every field a
    number no column holds; every field empty."""
    names = sorted((form or {"fields": {}})["fields"]) or all_names
    base = {k: (v if len(v) != 1 else v[0]) for k, v in (form or {"fields": {}})["fields"].items()}
    long = "x" * max(6000, MB // max(1, len(names)))
    return [
        base | dict.fromkeys(names, "1\x00"),
        base | dict.fromkeys(names, long),
        base | dict.fromkeys(names, "9" * 30),
        base | dict.fromkeys(names, ""),
    ]


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def test_every_url_argument_is_known(app):
    unknown = {a for r in app.url_map.iter_rules() if r.endpoint != "static" for a in r.arguments} - set(URL_VALUES)
    assert not unknown, f"Add these URL arguments to URL_VALUES: {sorted(unknown)}"


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_hostile_posts_to_every_form_route(app, world, role):  # noqa: F811 - the imported fixture
    client = app.test_client()
    login(client, getattr(world, role))
    forms = _forms_by_action(app, client, world)
    all_names = sorted({name for fs in forms.values() for f in fs for name in f["fields"]})
    post_rules = _rules(app, "POST")
    assert len(post_rules) >= 20 and forms  # the discovery found the app's forms

    for rule in post_rules:
        url = _url(app, rule, world)
        candidates = forms.get(urlsplit(url).path) or [None]

        def attempt(payload):
            own = app.test_client() if rule.endpoint in OWN_CLIENT else client  # noqa: B023 - used at once
            before = _row_counts(app)
            response = own.post(url, data=payload)  # noqa: B023
            assert response.status_code < 500, f"POST {url}: {response.status_code}"  # noqa: B023
            if response.status_code == 400:
                assert _row_counts(app) == before, f"POST {url} refused (400) but saved something"  # noqa: B023
            assert client.get("/trainingen").status_code == 200  # the client is still logged in

        # First the same hostile value in every field of every form of the route (deterministic:
        # these always run), then generated mixes of the real form and hostile values.
        for form in candidates:
            for payload in _fixed_payloads(form, all_names):
                attempt(payload)

        @SETTINGS
        @given(form_index=st.integers(0, len(candidates) - 1), data=st.data())
        def check(form_index, data):  # run at once below, so the loop's variables are this route's
            attempt(data.draw(_form_data(candidates[form_index], all_names)))  # noqa: B023

        check()


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_hostile_query_arguments_on_every_get_route(app, world, role):  # noqa: F811 - the imported fixture
    client = app.test_client()
    login(client, getattr(world, role))
    get_rules = [r for r in _rules(app, "GET") if r.endpoint not in OWN_CLIENT]
    assert len(get_rules) >= 20

    for rule in get_rules:
        url = _url(app, rule, world)

        @SETTINGS
        @given(query=st.dictionaries(st.one_of(st.sampled_from(QUERY_NAMES), values), values, max_size=4))
        def check(query):  # run at once below, so `url` is this route's
            response = client.get(url, query_string=query)  # noqa: B023
            assert response.status_code < 500, f"GET {url} {query!r}: {response.status_code}"  # noqa: B023

        check()
