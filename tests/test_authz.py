"""Authorization matrix: every route of the app × every role.

HOW TO EXTEND: add one entry to ROUTES per endpoint, with
  url      builds the URL from the `world` (objects of partnership 1, "Noord"),
  missing  (routes with an id) builds the same URL with an id that does not exist,
  expect   per HTTP method the status for every role in ROLES,
  data     (optional) the body posted for POST (default: empty).
`test_matrix_covers_every_route` fails when app.url_map has an endpoint or a method that is not
in ROUTES, so a new route cannot slip through without a decision about who may use it.

Roles: anonymous; admin; coordinator of partnership 1 ("own"); coordinator of partnership 2
("other": every object in the URLs belongs to partnership 1, so for him it is another
partnership's object); trainer and steering member of partnership 1.

Status conventions: anonymous → 302 to /inloggen (except public routes); wrong role → 403;
another partnership's object → 403 (and never its data); own object → 200 for GET; an empty POST
to an allowed form → 400 (form errors), to an allowed action → 302; unknown id → 404.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import plotly
import pytest

from kwaliteit import db as kdb
from tests import factories
from tests.conftest import login

ANON, ADMIN, OWN, OTHER, TRAINER, STEERING = (
    "anonymous", "admin", "coordinator", "other_coordinator", "trainer", "steering",
)
ROLES = (ANON, ADMIN, OWN, OTHER, TRAINER, STEERING)
# Attribute of the World that holds the account of each role.
ACCOUNT = {ADMIN: "admin", OWN: "coordinator", OTHER: "other_coordinator", TRAINER: "trainer",
           STEERING: "steering"}
MISSING_ID = 987654321
PLOTLY_VERSION = plotly.__version__


def row(anonymous, admin, coordinator, other_coordinator, trainer, steering) -> dict[str, int]:
    """Expected statuses in the order of ROLES (keeps the table readable)."""
    return dict(zip(ROLES, (anonymous, admin, coordinator, other_coordinator, trainer, steering), strict=True))


@dataclass
class Route:
    url: Callable
    expect: dict[str, dict[str, int]]
    missing: Callable | None = None
    data: Callable | None = None
    public: bool = False  # no log-in needed: anonymous is not sent to /inloggen
    api: bool = False  # the JSON API: a bearer token, never the log-in cookie (401 without a token)


API_401 = row(401, 401, 401, 401, 401, 401)

ROUTES: dict[str, Route] = {
    # ------------------------------------------------------------------ main
    "main.home": Route(
        url=lambda w: "/",
        expect={"GET": row(302, 302, 302, 302, 302, 302)},  # redirects to the role's start page
    ),
    # The glossary holds no partnership data: every account may read it.
    "main.glossary": Route(
        url=lambda w: "/begrippen",
        expect={"GET": row(302, 200, 200, 200, 200, 200)},
    ),
    "main.health": Route(
        url=lambda w: "/gezond",
        public=True,
        expect={"GET": row(200, 200, 200, 200, 200, 200)},
    ),
    # ------------------------------------------------------------- dashboard
    # Readers see the dashboard, its lists and exports of their own partnerships (a coordinator of
    # partnership 2 sees partnership 2's); a trainer has no dashboard.
    "dashboard.index": Route(
        url=lambda w: "/dashboard",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "dashboard.list_view": Route(
        url=lambda w: "/dashboard/lijst/te-laat",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "dashboard.export": Route(
        url=lambda w: "/dashboard/export/te-laat.csv",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    # plotly.js and its style sheet are public files, like the static ones.
    "dashboard.plotly_js": Route(
        url=lambda w: f"/js/plotly-{PLOTLY_VERSION}.min.js",
        public=True,
        expect={"GET": row(200, 200, 200, 200, 200, 200)},
    ),
    "dashboard.plotly_css": Route(
        url=lambda w: f"/css/plotly-{PLOTLY_VERSION}.css",
        public=True,
        expect={"GET": row(200, 200, 200, 200, 200, 200)},
    ),
    # -------------------------------------------------------------- accounts
    "accounts.login": Route(
        url=lambda w: "/inloggen",
        public=True,
        expect={
            "GET": row(200, 302, 302, 302, 302, 302),  # already logged in: to the start page
            "POST": row(400, 302, 302, 302, 302, 302),  # empty form: errors
        },
    ),
    "accounts.logout": Route(
        url=lambda w: "/uitloggen",
        public=True,
        expect={"POST": row(302, 302, 302, 302, 302, 302)},
    ),
    # The second step of a log-in: without a pending log-in back to /inloggen; logged in: home.
    "accounts.login_code": Route(
        url=lambda w: "/inloggen/code",
        public=True,
        expect={"GET": row(302, 302, 302, 302, 302, 302), "POST": row(302, 302, 302, 302, 302, 302)},
    ),
    # Mijn account: every account changes its own password and ends its own sessions; two-step
    # log-in is for admins and coordinators. Empty forms: errors.
    "account.index": Route(
        url=lambda w: "/mijn-account",
        expect={"GET": row(302, 200, 200, 200, 200, 200)},
    ),
    "account.change_password": Route(
        url=lambda w: "/mijn-account/wachtwoord",
        expect={"POST": row(302, 400, 400, 400, 400, 400)},
    ),
    "account.logout_everywhere": Route(
        url=lambda w: "/mijn-account/overal-uitloggen",
        expect={"POST": row(302, 302, 302, 302, 302, 302)},  # to /inloggen: this session ends too
    ),
    "account.two_step": Route(
        url=lambda w: "/mijn-account/tweestaps",
        expect={"GET": row(302, 200, 200, 200, 403, 403), "POST": row(302, 400, 400, 400, 403, 403)},
    ),
    "account.disable_two_step": Route(
        url=lambda w: "/mijn-account/tweestaps/uitzetten",
        expect={"POST": row(302, 400, 400, 400, 400, 400)},
    ),
    # ------------------------------------------------------------- trainings
    "trainings.index": Route(
        url=lambda w: "/trainingen",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "trainings.create": Route(
        url=lambda w: "/trainingen/nieuw",
        expect={
            "GET": row(302, 200, 200, 200, 403, 403),
            "POST": row(302, 400, 400, 400, 403, 403),
        },
    ),
    "trainings.detail": Route(
        url=lambda w: f"/trainingen/{w.training1.id}",
        missing=lambda w: f"/trainingen/{MISSING_ID}",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    "trainings.edit": Route(
        url=lambda w: f"/trainingen/{w.training1.id}/bewerken",
        missing=lambda w: f"/trainingen/{MISSING_ID}/bewerken",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    "trainings.set_active": Route(
        url=lambda w: f"/trainingen/{w.training1.id}/actief",
        missing=lambda w: f"/trainingen/{MISSING_ID}/actief",
        data=lambda w: {"actief": "0"},
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "trainings.create_session": Route(
        url=lambda w: f"/trainingen/{w.training1.id}/bijeenkomsten/nieuw",
        missing=lambda w: f"/trainingen/{MISSING_ID}/bijeenkomsten/nieuw",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    "trainings.edit_session": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/bewerken",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/bewerken",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    "trainings.cancel_session": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/annuleren",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/annuleren",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},  # no reason: back to the form
    ),
    # A copy of a training: the action redirects to the copy's form.
    "trainings.duplicate": Route(
        url=lambda w: f"/trainingen/{w.training1.id}/kopie",
        missing=lambda w: f"/trainingen/{MISSING_ID}/kopie",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # A copy of a session: GET the form (a date to choose), an empty POST gives form errors.
    "trainings.duplicate_session": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/kopie",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/kopie",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    # ------------------------------------------------------------- framework
    "framework.overview": Route(
        url=lambda w: "/overzicht",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    # Safeguards belong to the framework, not to a partnership: every reader may open them,
    # but the trainings listed on the page are only those in the reader's scope.
    "framework.safeguard": Route(
        url=lambda w: f"/waarborgen/{w.safeguards[0].id}",
        missing=lambda w: f"/waarborgen/{MISSING_ID}",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    # ------------------------------------------------------------ evaluaties
    # session1 (partnership 1) was taught by the trainer; its trainer evaluation is overdue
    # (world dates lie before the clock) and its participant window has closed.
    "evaluaties.mine": Route(
        url=lambda w: "/mijn-evaluaties",
        expect={"GET": row(302, 403, 403, 403, 200, 403)},
    ),
    "evaluaties.trainer_evaluation": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/trainersevaluatie",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/trainersevaluatie",
        expect={
            "GET": row(302, 200, 200, 403, 200, 403),
            "POST": row(302, 400, 400, 403, 400, 403),  # empty: required answers missing
        },
    ),
    "evaluaties.overview": Route(
        url=lambda w: "/evaluaties",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "evaluaties.session_page": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/evaluatie",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/evaluatie",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    "evaluaties.waive": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/evaluatie/vrijstellen",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/evaluatie/vrijstellen",
        data=lambda w: {"audience": "trainer"},  # no reason: back with a message
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "evaluaties.unwaive": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/evaluatie/vrijstelling-intrekken",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/evaluatie/vrijstelling-intrekken",
        data=lambda w: {"audience": "participant"},
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "evaluaties.lock": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/evaluatie/vergrendelen",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/evaluatie/vergrendelen",
        data=lambda w: {"vergrendeld": "1"},
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "evaluaties.create_links": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/links",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/links",
        data=lambda w: {"soort": "persoonlijk", "count": "2"},
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "evaluaties.close_link": Route(
        url=lambda w: f"/links/{w.link1.id}/sluiten",
        missing=lambda w: f"/links/{MISSING_ID}/sluiten",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # Reopening a link that is open changes nothing and returns to the session page.
    "evaluaties.reopen_link": Route(
        url=lambda w: f"/links/{w.link1.id}/heropenen",
        missing=lambda w: f"/links/{MISSING_ID}/heropenen",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # The links themselves are for managers only (whoever has one can answer).
    "evaluaties.download_links": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/links.csv",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/links.txt",
        expect={"GET": row(302, 200, 200, 403, 403, 403)},
    ),
    "evaluaties.print_links": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/links/afdrukken",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/links/afdrukken",
        expect={"GET": row(302, 200, 200, 403, 403, 403)},
    ),
    # The participant's form needs no account: the token is the credential. The window of
    # session1 has closed, so everyone gets the page that says so (not an error).
    "evaluaties.answer": Route(
        url=lambda w: f"/e/{w.session1.id}/{w.link1.token}",
        missing=lambda w: f"/e/{w.session1.id}/onbekend-token",
        public=True,
        expect={"GET": row(200, 200, 200, 200, 200, 200), "POST": row(200, 200, 200, 200, 200, 200)},
    ),
    "evaluaties.thanks": Route(
        url=lambda w: "/e/bedankt",
        public=True,
        expect={"GET": row(200, 200, 200, 200, 200, 200)},
    ),
    # --------------------------------------------------------------- results
    # Readers see results, rates and exports of their own partnerships; import is for managers.
    "results.index": Route(
        url=lambda w: f"/resultaten?training={w.training1.id}",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    "transfer.export_results": Route(
        url=lambda w: f"/resultaten/export.csv?training={w.training1.id}",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    # Trainers read the results of the sessions they taught (session1 is the trainer's own;
    # see test_trainer_reads_only_the_results_of_own_sessions for another session).
    "results.session_results": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/resultaten",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/resultaten",
        expect={"GET": row(302, 200, 200, 403, 200, 200)},
    ),
    "results.rates": Route(
        url=lambda w: f"/respons?training={w.training1.id}",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    "results.low_rates": Route(
        url=lambda w: "/respons/laag",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    # No answers in the world yet: an answers export sends the reader back with a message.
    "transfer.session_answers": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/antwoorden.xlsx",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/antwoorden.xlsx",
        expect={"GET": row(302, 302, 302, 403, 403, 302)},
    ),
    "transfer.training_answers": Route(
        url=lambda w: f"/trainingen/{w.training1.id}/antwoorden.csv",
        missing=lambda w: f"/trainingen/{MISSING_ID}/antwoorden.csv",
        expect={"GET": row(302, 302, 302, 403, 403, 302)},
    ),
    "transfer.import_answers": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/antwoorden/importeren",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/antwoorden/importeren",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    # An import draft is private to the user who uploaded it (w.import_draft1: the own coordinator's):
    # for anyone else, an admin too, it does not exist (404). The session's scope comes first,
    # so another partnership's coordinator gets 403. An empty POST presses no button: 400.
    "transfer.import_preview": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/antwoorden/importeren/{w.import_draft1.id}",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/antwoorden/importeren/{MISSING_ID}",
        expect={
            "GET": row(302, 404, 200, 403, 403, 403),
            "POST": row(302, 404, 400, 403, 403, 403),
        },
    ),
    "transfer.cancel_import": Route(
        url=lambda w: f"/bijeenkomsten/{w.session1.id}/antwoorden/importeren/{w.import_draft1.id}/annuleren",
        missing=lambda w: f"/bijeenkomsten/{MISSING_ID}/antwoorden/importeren/{MISSING_ID}/annuleren",
        expect={"POST": row(302, 404, 302, 403, 403, 403)},
    ),
    # -------------------------------------------------------- questionnaires
    # Readers see the shipped defaults and their partnership's own questionnaires; managers edit
    # their partnership's own (only an admin edits the defaults). w.questionnaire1 has a published
    # version 1 and a draft version 2 (w.draft1, with w.draft_question1); see _add_questionnaires.
    "questionnaires.index": Route(
        url=lambda w: "/vragenlijsten",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "questionnaires.create": Route(
        url=lambda w: "/vragenlijsten/nieuw",
        expect={
            "GET": row(302, 200, 200, 200, 403, 403),
            "POST": row(302, 400, 400, 400, 403, 403),
        },
    ),
    "questionnaires.detail": Route(
        url=lambda w: f"/vragenlijsten/{w.questionnaire1.id}",
        missing=lambda w: f"/vragenlijsten/{MISSING_ID}",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    # A draft exists already: the action returns to it.
    "questionnaires.new_version": Route(
        url=lambda w: f"/vragenlijsten/{w.questionnaire1.id}/nieuwe-versie",
        missing=lambda w: f"/vragenlijsten/{MISSING_ID}/nieuwe-versie",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # An empty introduction is allowed: an empty POST saves it.
    "questionnaires.edit_intro": Route(
        url=lambda w: f"/vragenlijsten/versies/{w.draft1.id}/inleiding",
        missing=lambda w: f"/vragenlijsten/versies/{MISSING_ID}/inleiding",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 302, 302, 403, 403, 403),
        },
    ),
    "questionnaires.add_question": Route(
        url=lambda w: f"/vragenlijsten/versies/{w.draft1.id}/vragen/nieuw",
        missing=lambda w: f"/vragenlijsten/versies/{MISSING_ID}/vragen/nieuw",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    "questionnaires.edit_question": Route(
        url=lambda w: f"/vragenlijsten/vragen/{w.draft_question1.id}/bewerken",
        missing=lambda w: f"/vragenlijsten/vragen/{MISSING_ID}/bewerken",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    "questionnaires.delete_question": Route(
        url=lambda w: f"/vragenlijsten/vragen/{w.draft_question1.id}/verwijderen",
        missing=lambda w: f"/vragenlijsten/vragen/{MISSING_ID}/verwijderen",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "questionnaires.move_question": Route(
        url=lambda w: f"/vragenlijsten/vragen/{w.draft_question1.id}/verplaatsen",
        missing=lambda w: f"/vragenlijsten/vragen/{MISSING_ID}/verplaatsen",
        data=lambda w: {"richting": "omlaag"},
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # A copy as the partnership's own draft; an empty POST (no partnership chosen) returns to the
    # questionnaire with the message. The other coordinator cannot see partnership 1's questionnaire.
    "questionnaires.duplicate": Route(
        url=lambda w: f"/vragenlijsten/{w.questionnaire1.id}/kopie",
        missing=lambda w: f"/vragenlijsten/{MISSING_ID}/kopie",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # GET: the confirmation page; POST publishes the draft.
    "questionnaires.publish": Route(
        url=lambda w: f"/vragenlijsten/versies/{w.draft1.id}/publiceren",
        missing=lambda w: f"/vragenlijsten/versies/{MISSING_ID}/publiceren",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 302, 302, 403, 403, 403),
        },
    ),
    "questionnaires.training_settings": Route(
        url=lambda w: f"/trainingen/{w.training1.id}/evaluatie-instellingen",
        missing=lambda w: f"/trainingen/{MISSING_ID}/evaluatie-instellingen",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    # ---------------------------------------------------------------- beheer
    # Admins manage everything; coordinators the organisations, persons and (trainer and
    # coordinator) accounts of their own partnerships, and read their partnerships' settings.
    # ------------------------------------------------------------- register
    # Readers (admin, coordinators, steering) see the register of their own partnerships.
    "register.index": Route(
        url=lambda w: "/register",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "register.flag_list": Route(
        url=lambda w: "/register/signalen/opfrissen-nodig",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    # Trainers and their qualifications: readers read, admins and own coordinators manage.
    "register.trainers": Route(
        url=lambda w: "/register/trainers",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "register.trainer": Route(
        url=lambda w: f"/register/trainers/{w.trainer_person.id}",
        missing=lambda w: f"/register/trainers/{MISSING_ID}",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    "register.add_qualification": Route(
        url=lambda w: f"/register/trainers/{w.trainer_person.id}/registraties/nieuw",
        missing=lambda w: f"/register/trainers/{MISSING_ID}/registraties/nieuw",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "register.edit_qualification": Route(
        url=lambda w: f"/register/registraties/{w.qualification1.id}/bewerken",
        missing=lambda w: f"/register/registraties/{MISSING_ID}/bewerken",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "register.delete_qualification": Route(
        url=lambda w: f"/register/registraties/{w.qualification1.id}/verwijderen",
        missing=lambda w: f"/register/registraties/{MISSING_ID}/verwijderen",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "register.add_registration": Route(
        url=lambda w: f"/register/trainers/{w.trainer_person.id}/beroepsregistraties/nieuw",
        missing=lambda w: f"/register/trainers/{MISSING_ID}/beroepsregistraties/nieuw",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "register.edit_registration": Route(
        url=lambda w: f"/register/beroepsregistraties/{w.registration1.id}/bewerken",
        missing=lambda w: f"/register/beroepsregistraties/{MISSING_ID}/bewerken",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "register.delete_registration": Route(
        url=lambda w: f"/register/beroepsregistraties/{w.registration1.id}/verwijderen",
        missing=lambda w: f"/register/beroepsregistraties/{MISSING_ID}/verwijderen",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "register.unqualified": Route(
        url=lambda w: "/register/onbevoegd",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    # The download names trainers: managers only.
    "register.unqualified_export": Route(
        url=lambda w: "/register/onbevoegd.csv",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    # Every field may be empty (the defaults): an empty POST saves.
    "register.policy": Route(
        url=lambda w: f"/register/beleid/{w.p1.id}",
        missing=lambda w: f"/register/beleid/{MISSING_ID}",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # Mentors (register/views/mentors.py): readers read the lists and mentor pages; managers
    # record certificates, mentorships and attendance, print certificates and export the HR list.
    "register.mentors": Route(
        url=lambda w: "/register/mentoren",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "register.mentor": Route(
        url=lambda w: f"/register/mentoren/{w.mentor.id}",
        missing=lambda w: f"/register/mentoren/{MISSING_ID}",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    "register.add_certificate": Route(
        url=lambda w: f"/register/mentoren/{w.mentor.id}/certificaten",
        missing=lambda w: f"/register/mentoren/{MISSING_ID}/certificaten",
        expect={"POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "register.edit_certificate": Route(
        url=lambda w: f"/register/certificaten/{w.certificate1.id}/bewerken",
        missing=lambda w: f"/register/certificaten/{MISSING_ID}/bewerken",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "register.delete_certificate": Route(
        url=lambda w: f"/register/certificaten/{w.certificate1.id}/verwijderen",
        missing=lambda w: f"/register/certificaten/{MISSING_ID}/verwijderen",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "register.print_certificate": Route(
        url=lambda w: f"/register/certificaten/{w.certificate1.id}/afdrukken",
        missing=lambda w: f"/register/certificaten/{MISSING_ID}/afdrukken",
        expect={"GET": row(302, 200, 200, 403, 403, 403)},
    ),
    "register.add_mentorship": Route(
        url=lambda w: f"/register/mentoren/{w.mentor.id}/begeleiding",
        missing=lambda w: f"/register/mentoren/{MISSING_ID}/begeleiding",
        expect={"POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "register.delete_mentorship": Route(
        url=lambda w: f"/register/begeleiding/{w.mentorship1.id}/verwijderen",
        missing=lambda w: f"/register/begeleiding/{MISSING_ID}/verwijderen",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # An empty attendance form says nobody attended: saved, back to the page.
    "register.attendance": Route(
        url=lambda w: f"/register/bijeenkomsten/{w.session1.id}/aanwezigheid",
        missing=lambda w: f"/register/bijeenkomsten/{MISSING_ID}/aanwezigheid",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # Nobody attended session1 yet: back to the attendance page with a message.
    "register.issue_certificates": Route(
        url=lambda w: f"/register/bijeenkomsten/{w.session1.id}/certificaten",
        missing=lambda w: f"/register/bijeenkomsten/{MISSING_ID}/certificaten",
        data=lambda w: {"issued_by": "gezamenlijk"},
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "register.hr_list": Route(
        url=lambda w: "/register/gesprekkencyclus",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    # The HR export holds names: managers only.
    "register.hr_export": Route(
        url=lambda w: "/register/gesprekkencyclus.csv",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    # Import and export of the register (personal data): admins and coordinators only. An empty
    # POST to the preview has no sealed file: 400.
    "register.import_upload": Route(
        url=lambda w: "/register/importeren",
        expect={"GET": row(302, 200, 200, 200, 403, 403), "POST": row(302, 400, 400, 400, 403, 403)},
    ),
    "register.import_preview": Route(
        url=lambda w: "/register/importeren/controleren",
        expect={"POST": row(302, 400, 400, 400, 403, 403)},
    ),
    "register.export": Route(
        url=lambda w: "/register/export.csv",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    "registry.overview": Route(
        url=lambda w: "/beheer",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    "registry.partnerships": Route(
        url=lambda w: "/beheer/partnerschappen",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    "registry.create_partnership": Route(
        url=lambda w: "/beheer/partnerschappen/nieuw",
        expect={
            "GET": row(302, 200, 403, 403, 403, 403),
            "POST": row(302, 400, 403, 403, 403, 403),
        },
    ),
    "registry.edit_partnership": Route(
        url=lambda w: f"/beheer/partnerschappen/{w.p1.id}/bewerken",
        missing=lambda w: f"/beheer/partnerschappen/{MISSING_ID}/bewerken",
        expect={
            "GET": row(302, 200, 403, 403, 403, 403),
            "POST": row(302, 400, 403, 403, 403, 403),
        },
    ),
    "registry.organisations": Route(
        url=lambda w: "/beheer/organisaties",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    "registry.create_organisation": Route(
        url=lambda w: "/beheer/organisaties/nieuw",
        expect={
            "GET": row(302, 200, 200, 200, 403, 403),
            "POST": row(302, 400, 400, 400, 403, 403),
        },
    ),
    "registry.edit_organisation": Route(
        url=lambda w: f"/beheer/organisaties/{w.school1.id}/bewerken",
        missing=lambda w: f"/beheer/organisaties/{MISSING_ID}/bewerken",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    "registry.persons": Route(
        url=lambda w: "/beheer/personen",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    "registry.create_person": Route(
        url=lambda w: "/beheer/personen/nieuw",
        expect={
            "GET": row(302, 200, 200, 200, 403, 403),
            "POST": row(302, 400, 400, 400, 403, 403),
        },
    ),
    "registry.edit_person": Route(
        url=lambda w: f"/beheer/personen/{w.trainer_person.id}/bewerken",
        missing=lambda w: f"/beheer/personen/{MISSING_ID}/bewerken",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    # Personal data (AVG): admins and the person's coordinators read everything about a person;
    # only admins export it, anonymise, and anonymise everyone past retention.
    "registry.person": Route(
        url=lambda w: f"/beheer/personen/{w.trainer_person.id}",
        missing=lambda w: f"/beheer/personen/{MISSING_ID}",
        expect={"GET": row(302, 200, 200, 403, 403, 403)},
    ),
    "registry.person_export": Route(
        url=lambda w: f"/beheer/personen/{w.trainer_person.id}/gegevens.json",
        missing=lambda w: f"/beheer/personen/{MISSING_ID}/gegevens.json",
        expect={"GET": row(302, 200, 403, 403, 403, 403)},
    ),
    "registry.anonymise_person": Route(
        url=lambda w: f"/beheer/personen/{w.trainer_person.id}/anonimiseren",
        missing=lambda w: f"/beheer/personen/{MISSING_ID}/anonimiseren",
        expect={
            "GET": row(302, 200, 403, 403, 403, 403),
            "POST": row(302, 400, 403, 403, 403, 403),  # not confirmed: nothing happens
        },
    ),
    "registry.retention": Route(
        url=lambda w: "/beheer/bewaartermijn",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    "registry.apply_retention": Route(
        url=lambda w: "/beheer/bewaartermijn/anonimiseren",
        expect={"POST": row(302, 400, 403, 403, 403, 403)},
    ),
    # w.trainer is a trainer account of partnership 1: the own coordinator may manage it.
    "users.index": Route(
        url=lambda w: "/beheer/gebruikers",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    "users.create": Route(
        url=lambda w: "/beheer/gebruikers/nieuw",
        expect={
            "GET": row(302, 200, 200, 200, 403, 403),
            "POST": row(302, 400, 400, 400, 403, 403),
        },
    ),
    "users.edit": Route(
        url=lambda w: f"/beheer/gebruikers/{w.trainer.id}/bewerken",
        missing=lambda w: f"/beheer/gebruikers/{MISSING_ID}/bewerken",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 400, 400, 403, 403, 403),
        },
    ),
    "users.set_enabled": Route(
        url=lambda w: f"/beheer/gebruikers/{w.trainer.id}/actief",
        missing=lambda w: f"/beheer/gebruikers/{MISSING_ID}/actief",
        data=lambda w: {"actief": "0"},
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # GET shows a new link once (here: none to show); POST makes a new link.
    "users.invitation": Route(
        url=lambda w: f"/beheer/gebruikers/{w.trainer.id}/uitnodiging",
        missing=lambda w: f"/beheer/gebruikers/{MISSING_ID}/uitnodiging",
        expect={
            "GET": row(302, 200, 200, 403, 403, 403),
            "POST": row(302, 302, 302, 403, 403, 403),
        },
    ),
    # The invited person has no log-in yet: the token is the credential. An empty POST: errors.
    "users.accept": Route(
        url=lambda w: f"/uitnodiging/{w.invitation_token}",
        public=True,
        expect={"GET": row(200, 200, 200, 200, 200, 200), "POST": row(400, 400, 400, 400, 400, 400)},
    ),
    # A reset link is e-mailed to the account (no mail server in the tests: back with a message).
    "users.send_reset": Route(
        url=lambda w: f"/beheer/gebruikers/{w.trainer.id}/wachtwoord-herstel",
        missing=lambda w: f"/beheer/gebruikers/{MISSING_ID}/wachtwoord-herstel",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # The reset link is the credential (here the steering member's). An empty POST: errors.
    "users.reset": Route(
        url=lambda w: f"/wachtwoord-herstellen/{w.reset_token}",
        public=True,
        expect={"GET": row(200, 200, 200, 200, 200, 200), "POST": row(400, 400, 400, 400, 400, 400)},
    ),
    # --------------------------------------------------------- notifications
    # Every account reads its own reminders, chooses the digest and renews its calendar address.
    "notifications.mine": Route(
        url=lambda w: "/herinneringen",
        expect={"GET": row(302, 200, 200, 200, 200, 200)},
    ),
    "notifications.preferences": Route(
        url=lambda w: "/herinneringen/voorkeuren",
        expect={"POST": row(302, 302, 302, 302, 302, 302)},
    ),
    "notifications.renew_feed": Route(
        url=lambda w: "/herinneringen/agenda",
        expect={"POST": row(302, 302, 302, 302, 302, 302)},
    ),
    # The secret address is the credential (here the steering member's feed, which holds no dates).
    "notifications.calendar_feed": Route(
        url=lambda w: f"/agenda/{w.calendar_token}.ics",
        public=True,
        expect={"GET": row(200, 200, 200, 200, 200, 200)},
    ),
    # Reminders may name things of several partnerships: only admins read the whole outbox.
    "notifications.outbox": Route(
        url=lambda w: "/beheer/berichten",
        expect={"GET": row(302, 200, 403, 403, 403, 403)},
    ),
    # ------------------------------------------------------------ audit log
    # Admins read all of it; coordinators the entries of their partnerships (and their own).
    "audit.index": Route(
        url=lambda w: "/audit",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    "audit.export": Route(
        url=lambda w: "/audit/export.csv",
        expect={"GET": row(302, 200, 200, 200, 403, 403)},
    ),
    # ------------------------------------------------------------ review cycles
    # Readers see the cycles of their own partnerships; coordinators and admins manage them;
    # trainers have no part in them. An empty plan or analysis is a valid (empty) text: saved.
    "cycles.index": Route(
        url=lambda w: "/cycli",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "cycles.open_cycle": Route(
        url=lambda w: "/cycli/openen",
        expect={"POST": row(302, 400, 400, 400, 403, 403)},
    ),
    "cycles.actions": Route(
        url=lambda w: "/cycli/acties",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "cycles.detail": Route(
        url=lambda w: f"/cycli/{w.cycle1.id}",
        missing=lambda w: f"/cycli/{MISSING_ID}",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    "cycles.edit_plan": Route(
        url=lambda w: f"/cycli/{w.cycle1.id}/plan",
        missing=lambda w: f"/cycli/{MISSING_ID}/plan",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "cycles.edit_analysis": Route(
        url=lambda w: f"/cycli/{w.cycle1.id}/analyse",
        missing=lambda w: f"/cycli/{MISSING_ID}/analyse",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "cycles.edit_settings": Route(
        url=lambda w: f"/cycli/{w.cycle1.id}/instellingen",
        missing=lambda w: f"/cycli/{MISSING_ID}/instellingen",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "cycles.complete_phase": Route(
        url=lambda w: f"/cycli/{w.cycle1.id}/plan/afronden",
        missing=lambda w: f"/cycli/{MISSING_ID}/plan/afronden",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "cycles.reopen_phase": Route(
        url=lambda w: f"/cycli/{w.cycle1.id}/plan/heropenen",
        missing=lambda w: f"/cycli/{MISSING_ID}/plan/heropenen",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "cycles.add_action": Route(
        url=lambda w: f"/cycli/{w.cycle1.id}/acties/nieuw",
        missing=lambda w: f"/cycli/{MISSING_ID}/acties/nieuw",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "cycles.edit_action": Route(
        url=lambda w: f"/cycli/acties/{w.action1.id}/bewerken",
        missing=lambda w: f"/cycli/acties/{MISSING_ID}/bewerken",
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "cycles.delete_action": Route(
        url=lambda w: f"/cycli/acties/{w.action1.id}/verwijderen",
        missing=lambda w: f"/cycli/acties/{MISSING_ID}/verwijderen",
        expect={"POST": row(302, 302, 302, 403, 403, 403)},
    ),
    # ------------------------------------------------- kwaliteitszorg (issue 10: dossier)
    # Readers see the partnership cycle and the peer-review dossier; managers set the calendar and
    # write the summaries; trainers see neither. Good practices: trainers record and read them too.
    "dossier.index": Route(
        url=lambda w: "/kwaliteitszorg",
        expect={"GET": row(302, 200, 200, 200, 403, 200)},
    ),
    "dossier.calendar": Route(
        url=lambda w: f"/kwaliteitszorg/partnerschappen/{w.p1.id}/kalender",
        missing=lambda w: f"/kwaliteitszorg/partnerschappen/{MISSING_ID}/kalender",
        data=lambda w: {"check_due": "31-02"},
        expect={"GET": row(302, 200, 200, 403, 403, 403), "POST": row(302, 400, 400, 403, 403, 403)},
    ),
    "dossier.cycle": Route(
        url=lambda w: f"/kwaliteitszorg/partnerschappen/{w.p1.id}/cyclus",
        missing=lambda w: f"/kwaliteitszorg/partnerschappen/{MISSING_ID}/cyclus",
        # POST: the summaries, by managers (empty summaries are valid).
        expect={"GET": row(302, 200, 200, 403, 403, 200), "POST": row(302, 302, 302, 403, 403, 403)},
    ),
    "dossier.dossier": Route(
        url=lambda w: f"/kwaliteitszorg/partnerschappen/{w.p1.id}/dossier",
        missing=lambda w: f"/kwaliteitszorg/partnerschappen/{MISSING_ID}/dossier",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    "dossier.dossier_xlsx": Route(
        url=lambda w: f"/kwaliteitszorg/partnerschappen/{w.p1.id}/dossier.xlsx",
        missing=lambda w: f"/kwaliteitszorg/partnerschappen/{MISSING_ID}/dossier.xlsx",
        expect={"GET": row(302, 200, 200, 403, 403, 200)},
    ),
    "dossier.practice_list": Route(
        url=lambda w: "/kwaliteitszorg/good-practices",
        expect={"GET": row(302, 200, 200, 200, 200, 200)},
    ),
    "dossier.create_practice": Route(
        url=lambda w: "/kwaliteitszorg/good-practices/nieuw",
        expect={"GET": row(302, 200, 200, 200, 200, 403), "POST": row(302, 400, 400, 400, 400, 403)},
    ),
    # practice1 is the trainer's own (partnership 1): he, his coordinator and admins may change it.
    "dossier.edit_practice": Route(
        url=lambda w: f"/kwaliteitszorg/good-practices/{w.practice1.id}/bewerken",
        missing=lambda w: f"/kwaliteitszorg/good-practices/{MISSING_ID}/bewerken",
        expect={"GET": row(302, 200, 200, 403, 200, 403), "POST": row(302, 400, 400, 403, 400, 403)},
    ),
    "dossier.delete_practice": Route(
        url=lambda w: f"/kwaliteitszorg/good-practices/{w.practice1.id}/verwijderen",
        missing=lambda w: f"/kwaliteitszorg/good-practices/{MISSING_ID}/verwijderen",
        expect={"POST": row(302, 302, 302, 403, 302, 403)},
    ),
    # ------------------------------------------------------------------- api
    # The API takes bearer tokens only: with the log-in cookie every role gets 401 (the roles with a
    # token: tests/test_api.py, MATRIX). Its description and the page about it are public.
    "api.safeguards": Route(url=lambda w: "/api/v1/safeguards", api=True, expect={"GET": API_401}),
    "api.trainings": Route(url=lambda w: "/api/v1/trainings", api=True, expect={"GET": API_401, "POST": API_401}),
    "api.trainings_item": Route(
        url=lambda w: f"/api/v1/trainings/{w.training1.id}", api=True, expect={"GET": API_401, "PATCH": API_401},
    ),
    "api.trainings_sessions": Route(
        url=lambda w: f"/api/v1/trainings/{w.training1.id}/sessions", api=True,
        expect={"GET": API_401, "POST": API_401},
    ),
    "api.sessions_item": Route(url=lambda w: f"/api/v1/sessions/{w.session1.id}", api=True, expect={"GET": API_401}),
    "api.sessions_trainer_evaluation": Route(
        url=lambda w: f"/api/v1/sessions/{w.session1.id}/trainer-evaluation", api=True, expect={"POST": API_401},
    ),
    "api.evaluation_requests": Route(url=lambda w: "/api/v1/evaluation-requests", api=True, expect={"GET": API_401}),
    "api.dashboard": Route(url=lambda w: "/api/v1/dashboard", api=True, expect={"GET": API_401}),
    "api.trainer_qualifications": Route(
        url=lambda w: "/api/v1/trainer-qualifications", api=True, expect={"GET": API_401},
    ),
    "api.certificates": Route(url=lambda w: "/api/v1/certificates", api=True, expect={"GET": API_401}),
    "api.cycles": Route(url=lambda w: "/api/v1/cycles", api=True, expect={"GET": API_401}),
    "api.cycles_actions": Route(url=lambda w: f"/api/v1/cycles/{w.cycle1.id}/actions", api=True,
                                expect={"GET": API_401}),
    "api_docs.openapi_json": Route(
        url=lambda w: "/api/v1/openapi.json", public=True, expect={"GET": row(200, 200, 200, 200, 200, 200)},
    ),
    "api_docs.page": Route(url=lambda w: "/api/v1/", public=True, expect={"GET": row(200, 200, 200, 200, 200, 200)}),
    # Every account makes and revokes its own tokens; another account's token is 404 (w.api_token_id
    # is the own coordinator's).
    "tokens.index": Route(url=lambda w: "/api-tokens", expect={"GET": row(302, 200, 200, 200, 200, 200)}),
    "tokens.create": Route(url=lambda w: "/api-tokens", expect={"POST": row(302, 400, 400, 400, 400, 400)}),
    "tokens.revoke": Route(
        url=lambda w: f"/api-tokens/{w.api_token_id}/intrekken",
        missing=lambda w: f"/api-tokens/{MISSING_ID}/intrekken",
        expect={"POST": row(302, 404, 302, 404, 404, 404)},
    ),
}

IGNORED_ENDPOINTS = {"static"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}

CASES = [
    pytest.param(endpoint, method, role, id=f"{endpoint}-{method}-{role}")
    for endpoint, route in ROUTES.items()
    for method in route.expect
    for role in ROLES
]


# ----------------------------------------------------------------- fixtures


# The world is built once for the module and restored after every test that wrote to the
# database (tests/snapshot.py); each role logs in once and every test starts from that session.
pytestmark = pytest.mark.shared_world


@pytest.fixture(scope="module")
def _shared(app):
    from tests.conftest import empty_database
    from tests.snapshot import Snapshot

    empty_database(app)
    world = _build_world(app)
    sessions = {}
    for role in ROLES[1:]:
        client = app.test_client()
        login(client, getattr(world, ACCOUNT[role]))
        sessions[role] = client.get_cookie("session").value
    snapshot = Snapshot(app)
    yield world, sessions, snapshot
    snapshot.close()


@pytest.fixture
def world(_shared):
    world, _sessions, snapshot = _shared
    yield world
    snapshot.restore_if_written()


def _build_world(app):
    """The conftest world plus questionnaires and a participant link per partnership."""
    from evaluaties.answers.links import create_single_links
    from kwaliteit.accounts.models import Role
    from kwaliteit.accounts.users import AccountData, invite_user, new_password_reset
    from kwaliteit.clock import now
    from kwaliteit.notifications.services import renew_calendar_token
    from kwaliteit.scope import Scope

    with kdb.new_session(app) as s:
        w = factories.build_world(s)
        _add_questionnaires(s, w)
        [w.link1] = create_single_links(s, Scope.everything(), w.session1.id, 1)
        [w.link2] = create_single_links(s, Scope.everything(), w.session2.id, 1)
        w.qualification1 = factories.qualification(s, w.trainer_person)
        w.qualification2 = factories.qualification(s, w.other_trainer)
        w.registration1 = factories.professional_registration(s, w.trainer_person)
        w.registration2 = factories.professional_registration(s, w.other_trainer)
        w.import_draft1 = _import_draft(s, w.session1, w.coordinator)
        w.import_draft2 = _import_draft(s, w.session2, w.other_coordinator)
        _add_register(s, w)
        w.calendar_token = renew_calendar_token(s, w.steering.id)
        _add_cycles(s, w)
        w.practice1 = factories.good_practice(s, w.p1, w.trainer, "Werkplekleren in tweetallen")
        w.practice2 = factories.good_practice(s, w.p2, w.other_coordinator, "Intervisie Zuid")
        w.api_token_id = _api_token(s, w.coordinator)
        _pending, w.invitation_token = invite_user(
            s, Scope.everything(), AccountData("nieuw@example.org", "Nina Nieuw", Role.COORDINATOR, [w.p1.id]),
            now(),
        )
        _steering, w.reset_token = new_password_reset(s, Scope.everything(), w.steering.id, now())
        s.commit()
    return w


def _api_token(s, user) -> int:
    from kwaliteit.api.tokens import issue_token
    from kwaliteit.clock import now

    row, _token = issue_token(s, user, "Koppeling", now())
    return row.id


def _add_questionnaires(s, w) -> None:
    """Per partnership n (1, 2) a questionnaire with a published version 1 and a draft version 2:
    w.questionnaire<n>, w.draft<n> and w.draft_question<n> (the draft's first of two questions)."""
    from evaluaties.questionnaires import services as qs
    from evaluaties.questionnaires.models import Audience, QuestionType
    from kwaliteit.scope import Scope

    scope = Scope.everything()
    for n, p in ((1, w.p1), (2, w.p2)):
        q = qs.create_questionnaire(s, scope, p.id, f"Vragenlijst {p.name}", Audience.PARTICIPANT)
        first = q.versions[0]
        qs.add_question(s, scope, first.id, qs.QuestionData("Hoe was het?", QuestionType.SCALE))
        qs.add_question(s, scope, first.id, qs.QuestionData("Opmerkingen?", QuestionType.OPEN))
        qs.publish(s, scope, first.id)
        draft = qs.start_new_version(s, scope, q.id)
        setattr(w, f"questionnaire{n}", q)
        setattr(w, f"draft{n}", draft)
        setattr(w, f"draft_question{n}", draft.questions[0])


def _add_register(s, w) -> None:
    """A mentor with a certificate and a mentorship in each partnership: w.mentor (partnership 1,
    from the conftest world) and w.mentor2 (partnership 2); w.certificate<n>, w.mentorship<n>."""
    from kwaliteit.registry.models import PersonRole

    w.mentor2 = factories.person(s, w.school2, PersonRole.MENTOR, name="Eva Zuidema")
    for n, (mentor, school) in enumerate(((w.mentor, w.school1), (w.mentor2, w.school2)), start=1):
        setattr(w, f"certificate{n}", factories.certificate(s, mentor, number=f"2024-{n}"))
        setattr(w, f"mentorship{n}", factories.mentorship(s, mentor, school))


def _add_cycles(s, w) -> None:
    """A review cycle of 2026 with an improvement action per partnership: w.cycle<n>, w.action<n>."""
    for n, (training, owner) in enumerate(((w.training1, w.coordinator), (w.training2, w.other_coordinator)), 1):
        cycle = factories.cycle(s, training, 2026, owner=owner)
        setattr(w, f"cycle{n}", cycle)
        setattr(w, f"action{n}", factories.improvement_action(s, cycle, owner))


def _import_draft(s, session, user):
    """An uploaded file waiting for its preview, as the import wizard keeps it."""
    from evaluaties.transfer.importing import FileColumn, StoredFile
    from evaluaties.transfer.models import ImportDraft
    from kwaliteit.models_base import utcnow

    file = StoredFile(
        filename="antwoorden.csv", tool="Spreadsheet", file_type="csv", encoding="UTF-8", separator=";",
        header_rows=1, unfinished=0, unfinished_reason=None, content_hash=f"{session.id:064x}",
        columns=[FileColumn(0, "B", "Hoe was het?", ["Hoe was het?"])], ignored=[("A", "E-mail", "e-mailadres")],
        rows=[(2, ["4"])],
    )
    draft = ImportDraft(session_id=session.id, user_id=user.id, filename=file.filename,
                        content_hash=file.content_hash, survey=file.to_json(), created_at=utcnow())
    s.add(draft)
    s.flush()
    return draft


@pytest.fixture
def client_as(app, _shared):
    """A new client per call, logged in as the role (the session cookie of the module's log-in)."""
    _world, sessions, _snapshot = _shared

    def make(role):
        client = app.test_client()
        if role != ANON:
            client.set_cookie("session", sessions[role])
        return client

    return make


def _request(client, method, url, data=None):
    return client.open(url, method=method, data=data or {})


# Text of each partnership that must never reach a user outside it.
def _foreign_text(world, role) -> list[str]:
    if role == OTHER:
        return [world.training1.title, world.trainer_person.name, world.trainer_person2.name]
    if role in (OWN, TRAINER, STEERING):
        return [world.training2.title, world.other_trainer.name]
    return []


# -------------------------------------------------------------------- tests


def test_matrix_covers_every_route(app):
    """Every endpoint and method of the app is in ROUTES, and ROUTES holds nothing stale."""
    in_app: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in IGNORED_ENDPOINTS:
            continue
        in_app.setdefault(rule.endpoint, set()).update(set(rule.methods) - IGNORED_METHODS)
    missing = sorted(set(in_app) - set(ROUTES))
    assert not missing, f"Routes without an entry in the authorization matrix: {missing}"
    stale = sorted(set(ROUTES) - set(in_app))
    assert not stale, f"Matrix entries for endpoints that no longer exist: {stale}"
    for endpoint, methods in in_app.items():
        assert set(ROUTES[endpoint].expect) == methods, (
            f"{endpoint}: the matrix covers {sorted(ROUTES[endpoint].expect)}, the app has {sorted(methods)}"
        )
        for method, expected in ROUTES[endpoint].expect.items():
            assert set(expected) == set(ROLES), f"{endpoint} {method}: give a status for every role"


@pytest.mark.parametrize("endpoint, method, role", CASES)
def test_authorization_matrix(app, world, endpoint, method, role, client_as):
    route = ROUTES[endpoint]
    url = route.url(world)
    # The URL builder must really lead to the endpoint it is listed under.
    matched, _ = app.url_map.bind("localhost").match(urlsplit(url).path, method=method)
    assert matched == endpoint

    client = client_as(role)
    data = route.data(world) if route.data and method == "POST" else None
    response = _request(client, method, url, data)
    expected = route.expect[method][role]
    body = response.get_data().decode(errors="replace")  # an XLSX download is binary
    assert response.status_code == expected, f"{method} {url} as {role}: {body[:300]}"

    location = urlsplit(response.headers.get("Location", ""))
    if role == ANON and not route.public and not route.api:
        assert location.path == "/inloggen", f"anonymous must be sent to /inloggen, not {location.path}"
    if route.api:
        assert response.get_json()["error"]["code"] == "unauthorized"
    if role != ANON and expected == 302:
        assert location.path != "/inloggen" or endpoint in ("accounts.logout", "account.logout_everywhere")
    if expected == 403:
        assert "Geen toegang" in body
    for text in _foreign_text(world, role):
        assert text not in body, f"{role} sees {text!r} of another partnership on {url}"


MISSING_CASES = [
    pytest.param(endpoint, method, role, id=f"{endpoint}-{method}-{role}")
    for endpoint, route in ROUTES.items()
    if route.missing is not None
    for method in route.expect
    for role in ROLES
]


def _expected_for_missing(route: Route, method: str, role: str) -> int:
    """Whoever passes the role check gets 404 for an unknown id; the others keep their status.

    The other coordinator has the same role as the own one: he passes the role check too, and a
    missing object is 404 for him (403 only for an object that exists elsewhere).
    """
    expected = route.expect[method]
    if role == ANON and not route.public:
        return expected[ANON]
    passes_role = expected[role] != 403 or (role == OTHER and expected[OWN] != 403)
    return 404 if passes_role else expected[role]


@pytest.mark.parametrize("endpoint, method, role", MISSING_CASES)
def test_unknown_id_is_404(app, world, endpoint, method, role, client_as):
    route = ROUTES[endpoint]
    client = client_as(role)
    data = route.data(world) if route.data and method == "POST" else None
    response = _request(client, method, route.missing(world), data)
    assert response.status_code == _expected_for_missing(route, method, role)
    if response.status_code == 404:
        assert "Niet gevonden" in response.get_data(as_text=True)


@pytest.mark.parametrize("endpoint", [e for e, r in ROUTES.items() if r.missing is not None])
def test_out_of_range_id_is_404_not_500(app, world, endpoint, client_as):
    """An id beyond any integer column (64 bits) is simply unknown, not a database error."""
    route = ROUTES[endpoint]
    client = client_as(ADMIN)
    url = route.missing(world).replace(str(MISSING_ID), str(2**70))
    for method in route.expect:
        response = _request(client, method, url, route.data(world) if route.data else None)
        assert response.status_code == 404, f"{method} {url}"


FOREIGN_OBJECT_URLS = {
    # The same routes, with an object of partnership 2 ("Zuid").
    "dashboard.index": lambda w: f"/dashboard?partnerschap={w.p2.id}",
    "register.index": lambda w: f"/register?partnerschap={w.p2.id}",
    "register.flag_list": lambda w: f"/register/signalen/certificaat-verlopen?school={w.school2.id}",
    "register.trainers": lambda w: f"/register/trainers?partnerschap={w.p2.id}",
    "register.trainer": lambda w: f"/register/trainers/{w.other_trainer.id}",
    "register.add_qualification": lambda w: f"/register/trainers/{w.other_trainer.id}/registraties/nieuw",
    "register.edit_qualification": lambda w: f"/register/registraties/{w.qualification2.id}/bewerken",
    "register.delete_qualification": lambda w: f"/register/registraties/{w.qualification2.id}/verwijderen",
    "register.add_registration": lambda w: f"/register/trainers/{w.other_trainer.id}/beroepsregistraties/nieuw",
    "register.edit_registration": lambda w: f"/register/beroepsregistraties/{w.registration2.id}/bewerken",
    "register.delete_registration": lambda w: f"/register/beroepsregistraties/{w.registration2.id}/verwijderen",
    "register.unqualified": lambda w: f"/register/onbevoegd?partnerschap={w.p2.id}",
    "register.unqualified_export": lambda w: f"/register/onbevoegd.xlsx?partnerschap={w.p2.id}",
    "register.policy": lambda w: f"/register/beleid/{w.p2.id}",
    "register.mentors": lambda w: f"/register/mentoren?school={w.school2.id}",
    "register.mentor": lambda w: f"/register/mentoren/{w.mentor2.id}",
    "register.add_certificate": lambda w: f"/register/mentoren/{w.mentor2.id}/certificaten",
    "register.edit_certificate": lambda w: f"/register/certificaten/{w.certificate2.id}/bewerken",
    "register.delete_certificate": lambda w: f"/register/certificaten/{w.certificate2.id}/verwijderen",
    "register.print_certificate": lambda w: f"/register/certificaten/{w.certificate2.id}/afdrukken",
    "register.add_mentorship": lambda w: f"/register/mentoren/{w.mentor2.id}/begeleiding",
    "register.delete_mentorship": lambda w: f"/register/begeleiding/{w.mentorship2.id}/verwijderen",
    "register.attendance": lambda w: f"/register/bijeenkomsten/{w.session2.id}/aanwezigheid",
    "register.issue_certificates": lambda w: f"/register/bijeenkomsten/{w.session2.id}/certificaten",
    "register.hr_list": lambda w: f"/register/gesprekkencyclus?bestuur={w.school2.id}",
    "register.hr_export": lambda w: f"/register/gesprekkencyclus.xlsx?school={w.school2.id}",
    "register.import_upload": lambda w: f"/register/importeren?partnerschap={w.p2.id}",
    "register.export": lambda w: f"/register/export.xlsx?school={w.school2.id}",
    "dashboard.list_view": lambda w: f"/dashboard/lijst/openstaand?trainer={w.other_trainer.id}",
    "dashboard.export": lambda w: f"/dashboard/export/dekking.xlsx?partnerschap={w.p2.id}",
    "trainings.detail": lambda w: f"/trainingen/{w.training2.id}",
    "trainings.edit": lambda w: f"/trainingen/{w.training2.id}/bewerken",
    "trainings.set_active": lambda w: f"/trainingen/{w.training2.id}/actief",
    "trainings.create_session": lambda w: f"/trainingen/{w.training2.id}/bijeenkomsten/nieuw",
    "trainings.edit_session": lambda w: f"/bijeenkomsten/{w.session2.id}/bewerken",
    "trainings.cancel_session": lambda w: f"/bijeenkomsten/{w.session2.id}/annuleren",
    "trainings.duplicate": lambda w: f"/trainingen/{w.training2.id}/kopie",
    "trainings.duplicate_session": lambda w: f"/bijeenkomsten/{w.session2.id}/kopie",
    "evaluaties.trainer_evaluation": lambda w: f"/bijeenkomsten/{w.session2.id}/trainersevaluatie",
    "evaluaties.session_page": lambda w: f"/bijeenkomsten/{w.session2.id}/evaluatie",
    "evaluaties.waive": lambda w: f"/bijeenkomsten/{w.session2.id}/evaluatie/vrijstellen",
    "evaluaties.unwaive": lambda w: f"/bijeenkomsten/{w.session2.id}/evaluatie/vrijstelling-intrekken",
    "evaluaties.lock": lambda w: f"/bijeenkomsten/{w.session2.id}/evaluatie/vergrendelen",
    "evaluaties.create_links": lambda w: f"/bijeenkomsten/{w.session2.id}/links",
    "evaluaties.close_link": lambda w: f"/links/{w.link2.id}/sluiten",
    "evaluaties.print_links": lambda w: f"/bijeenkomsten/{w.session2.id}/links/afdrukken",
    "evaluaties.reopen_link": lambda w: f"/links/{w.link2.id}/heropenen",
    "evaluaties.download_links": lambda w: f"/bijeenkomsten/{w.session2.id}/links.txt",
    "questionnaires.detail": lambda w: f"/vragenlijsten/{w.questionnaire2.id}",
    "questionnaires.new_version": lambda w: f"/vragenlijsten/{w.questionnaire2.id}/nieuwe-versie",
    "questionnaires.edit_intro": lambda w: f"/vragenlijsten/versies/{w.draft2.id}/inleiding",
    "questionnaires.add_question": lambda w: f"/vragenlijsten/versies/{w.draft2.id}/vragen/nieuw",
    "questionnaires.edit_question": lambda w: f"/vragenlijsten/vragen/{w.draft_question2.id}/bewerken",
    "questionnaires.delete_question": lambda w: f"/vragenlijsten/vragen/{w.draft_question2.id}/verwijderen",
    "questionnaires.move_question": lambda w: f"/vragenlijsten/vragen/{w.draft_question2.id}/verplaatsen",
    "questionnaires.publish": lambda w: f"/vragenlijsten/versies/{w.draft2.id}/publiceren",
    "questionnaires.duplicate": lambda w: f"/vragenlijsten/{w.questionnaire2.id}/kopie",
    "questionnaires.training_settings": lambda w: f"/trainingen/{w.training2.id}/evaluatie-instellingen",
    "results.index": lambda w: f"/resultaten?training={w.training2.id}",
    "transfer.export_results": lambda w: f"/resultaten/export.xlsx?training={w.training2.id}",
    "results.session_results": lambda w: f"/bijeenkomsten/{w.session2.id}/resultaten",
    "results.rates": lambda w: f"/respons?training={w.training2.id}",
    "transfer.session_answers": lambda w: f"/bijeenkomsten/{w.session2.id}/antwoorden.csv",
    "transfer.training_answers": lambda w: f"/trainingen/{w.training2.id}/antwoorden.xlsx",
    "transfer.import_answers": lambda w: f"/bijeenkomsten/{w.session2.id}/antwoorden/importeren",
    "transfer.import_preview": lambda w: f"/bijeenkomsten/{w.session2.id}/antwoorden/importeren/{w.import_draft2.id}",
    "transfer.cancel_import": lambda w: f"/bijeenkomsten/{w.session2.id}/antwoorden/importeren/{w.import_draft2.id}/annuleren",
    "registry.edit_organisation": lambda w: f"/beheer/organisaties/{w.school2.id}/bewerken",
    "registry.edit_person": lambda w: f"/beheer/personen/{w.other_trainer.id}/bewerken",
    "registry.person": lambda w: f"/beheer/personen/{w.other_trainer.id}",
    "registry.person_export": lambda w: f"/beheer/personen/{w.other_trainer.id}/gegevens.json",
    "registry.anonymise_person": lambda w: f"/beheer/personen/{w.other_trainer.id}/anonimiseren",
    "users.edit": lambda w: f"/beheer/gebruikers/{w.other_coordinator.id}/bewerken",
    "users.set_enabled": lambda w: f"/beheer/gebruikers/{w.other_coordinator.id}/actief",
    "users.invitation": lambda w: f"/beheer/gebruikers/{w.other_coordinator.id}/uitnodiging",
    "users.send_reset": lambda w: f"/beheer/gebruikers/{w.other_coordinator.id}/wachtwoord-herstel",
    "cycles.index": lambda w: f"/cycli?partnerschap={w.p2.id}",
    "cycles.actions": lambda w: f"/cycli/acties?partnerschap={w.p2.id}",
    "cycles.detail": lambda w: f"/cycli/{w.cycle2.id}",
    "cycles.edit_plan": lambda w: f"/cycli/{w.cycle2.id}/plan",
    "cycles.edit_analysis": lambda w: f"/cycli/{w.cycle2.id}/analyse",
    "cycles.edit_settings": lambda w: f"/cycli/{w.cycle2.id}/instellingen",
    "cycles.complete_phase": lambda w: f"/cycli/{w.cycle2.id}/plan/afronden",
    "cycles.reopen_phase": lambda w: f"/cycli/{w.cycle2.id}/plan/heropenen",
    "cycles.add_action": lambda w: f"/cycli/{w.cycle2.id}/acties/nieuw",
    "cycles.edit_action": lambda w: f"/cycli/acties/{w.action2.id}/bewerken",
    "cycles.delete_action": lambda w: f"/cycli/acties/{w.action2.id}/verwijderen",
    "dossier.calendar": lambda w: f"/kwaliteitszorg/partnerschappen/{w.p2.id}/kalender",
    "dossier.cycle": lambda w: f"/kwaliteitszorg/partnerschappen/{w.p2.id}/cyclus",
    "dossier.dossier": lambda w: f"/kwaliteitszorg/partnerschappen/{w.p2.id}/dossier",
    "dossier.dossier_xlsx": lambda w: f"/kwaliteitszorg/partnerschappen/{w.p2.id}/dossier.xlsx",
    "dossier.edit_practice": lambda w: f"/kwaliteitszorg/good-practices/{w.practice2.id}/bewerken",
    "dossier.delete_practice": lambda w: f"/kwaliteitszorg/good-practices/{w.practice2.id}/verwijderen",
    "audit.index": lambda w: f"/audit?partnerschap={w.p2.id}",
    "audit.export": lambda w: f"/audit/export.xlsx?partnerschap={w.p2.id}",
}


@pytest.mark.parametrize("endpoint", sorted(FOREIGN_OBJECT_URLS))
@pytest.mark.parametrize("role", [OWN, STEERING])
def test_objects_of_partnership_2_are_forbidden_to_partnership_1(app, world, endpoint, role, client_as):
    """The mirror of the matrix: partnership 1's coordinator and steering member on 2's objects."""
    client = client_as(role)
    url = FOREIGN_OBJECT_URLS[endpoint](world)
    for method in ROUTES[endpoint].expect:
        response = _request(client, method, url, {"actief": "0"} if method == "POST" else None)
        assert response.status_code == 403, f"{method} {url} as {role}"
        body = response.get_data(as_text=True)
        assert world.training2.title not in body
        assert world.other_trainer.name not in body


def test_trainer_reads_only_the_results_of_own_sessions(app, world, client_as):
    """session1 is the trainer's own (200); a session of his partnership that he did not teach
    and another partnership's session are not (403), and show nothing of them."""
    with kdb.new_session(app) as s:
        other = factories.session(s, s.get(type(world.training1), world.training1.id),
                                  trainers=[s.get(type(world.trainer_person2), world.trainer_person2.id)])
        s.commit()
        other_id = other.id
    client = client_as(TRAINER)
    assert client.get(f"/bijeenkomsten/{world.session1.id}/resultaten").status_code == 200
    for session_id in (other_id, world.session2.id):
        response = client.get(f"/bijeenkomsten/{session_id}/resultaten")
        assert response.status_code == 403
        assert world.training2.title not in response.get_data(as_text=True)
    # Nor the exports or the session's evaluation page: reading results is all.
    assert client.get(f"/bijeenkomsten/{world.session1.id}/antwoorden.csv").status_code == 403
    assert client.get(f"/bijeenkomsten/{world.session1.id}/evaluatie").status_code == 403


def test_forbidden_post_changes_nothing(app, world, client_as):
    """A refused deactivation leaves the training active."""
    from kwaliteit.trainings.models import Training

    client = client_as(OTHER)
    assert client.post(f"/trainingen/{world.training1.id}/actief", data={"actief": "0"}).status_code == 403
    with kdb.new_session(app) as s:
        assert s.get(Training, world.training1.id).active is True


def test_foreign_partnership_cannot_be_chosen_by_filter(app, world, client_as):
    """Filtering on another partnership's id shows nothing of it."""
    client = client_as(OWN)
    response = client.get(f"/trainingen?partnerschap={world.p2.id}&status=alle")
    assert response.status_code == 200
    assert world.training2.title not in response.get_data(as_text=True)


def test_logged_out_user_is_anonymous_again(app, world, client_as):
    client = client_as(OWN)
    assert client.get("/trainingen").status_code == 200
    assert client.post("/uitloggen").status_code == 302
    response = client.get("/trainingen")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/inloggen"
