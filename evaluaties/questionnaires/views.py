"""Questionnaire management screens (vragenlijsten) and per-training evaluation settings.

Thin views: the rules (who may edit, a published version is never edited, valid questions and
settings) are in evaluaties.questionnaires.services; scope errors from there become 403/404.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from evaluaties.questionnaires import services as qs
from evaluaties.questionnaires.forms import (
    OPTIONS_HINT,
    EvaluationSettingsForm,
    IntroForm,
    QuestionForm,
    QuestionnaireCopyForm,
    QuestionnaireForm,
)
from evaluaties.questionnaires.models import (
    Audience,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
)
from kwaliteit import db
from kwaliteit.accounts.auth import MANAGERS, READERS, current_scope, roles_required
from kwaliteit.args import id_arg, int_arg, page_arg
from kwaliteit.forms import BaseForm, choices, form_page, run_action, save_form
from kwaliteit.framework.services import current_safeguards
from kwaliteit.scope import Forbidden
from kwaliteit.trainings import services as training_services

bp = Blueprint("questionnaires", __name__)

PUBLISHED = "Een gepubliceerde versie wordt niet meer gewijzigd. Maak een nieuwe versie om iets te veranderen."


def _check_csrf() -> None:
    """Action forms (buttons) carry only the CSRF token."""
    if not BaseForm().validate_on_submit():
        abort(400)


def _detail_url(questionnaire_id: int, anchor: str | None = None) -> str:
    return url_for("questionnaires.detail", questionnaire_id=questionnaire_id, _anchor=anchor)


def _editable(s, scope, version_id: int) -> tuple[Questionnaire, QuestionnaireVersion]:
    """A version and its questionnaire for an edit screen: 404 unknown, 403 not ours to edit."""
    version = qs.load_version(s, version_id)
    questionnaire = qs.get_questionnaire(s, scope, version.questionnaire_id)
    if not qs.may_edit(scope, questionnaire):
        raise Forbidden()
    return questionnaire, version


def _refuse_published(questionnaire_id: int):
    flash(PUBLISHED, "error")
    return redirect(_detail_url(questionnaire_id))


# ------------------------------------------------------------------ overview


@bp.route("/vragenlijsten")
@roles_required(*READERS)
def index():
    s, scope = db.session(), current_scope()
    partnership_id = id_arg("partnerschap")
    page = qs.questionnaire_page(s, scope, page_arg(), current_app.config["PAGE_SIZE"], partnership_id)
    return render_template(
        "evaluaties/questionnaires/index.html",
        page=page,
        rows=page.items,
        may_create=scope.may_manage(),
        partnerships=training_services.partnerships_in_scope(s, scope),
        partnership_id=partnership_id,
    )


@bp.route("/vragenlijsten/nieuw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create():
    s, scope = db.session(), current_scope()
    form = QuestionnaireForm()
    form.partnership_id.choices = choices(
        (p.id, p.name) for p in training_services.partnerships_in_scope(s, scope)
    )
    if request.method == "GET" and len(form.partnership_id.choices) == 1:
        form.partnership_id.data = form.partnership_id.choices[0].value
    saved = save_form(
        form,
        lambda: qs.create_questionnaire(
            s, scope, form.partnership_id.data, form.title.data or "", Audience(form.audience.data),
            form.intro.data or "",
        ),
    )
    if saved:
        flash(
            f"Vragenlijst ‘{saved.value.title}’ is aangemaakt. Voeg vragen toe aan versie 1 "
            "en publiceer die als ze klaar is.",
            "success",
        )
        return redirect(_detail_url(saved.value.id, "concept"))
    return form_page("evaluaties/questionnaires/create.html", form)


@bp.route("/vragenlijsten/<int:questionnaire_id>")
@roles_required(*READERS)
def detail(questionnaire_id: int):
    s, scope = db.session(), current_scope()
    questionnaire = qs.get_questionnaire(s, scope, questionnaire_id)
    published = qs.latest_published(questionnaire)
    if (number := int_arg("versie", None, min=1)) is not None:
        published = next(
            (v for v in questionnaire.versions if v.number == number and v.is_published), None
        )
        if published is None:
            abort(404)
    return render_template(
        "evaluaties/questionnaires/detail.html",
        questionnaire=questionnaire,
        published=published,
        latest=qs.latest_published(questionnaire),
        draft=qs.draft_of(questionnaire),
        may_edit=qs.may_edit(scope, questionnaire),
        may_manage=scope.may_manage(),
        safeguard_names={sg.code: sg.name for sg in current_safeguards(s)},
        action_form=BaseForm(),
        copy_form=_copy_form(s, scope) if scope.may_manage() else None,
    )


def _copy_form(s, scope) -> QuestionnaireCopyForm:
    form = QuestionnaireCopyForm()
    form.partnership_id.choices = choices(
        (p.id, p.name) for p in training_services.partnerships_in_scope(s, scope)
    )
    if request.method == "GET" and len(form.partnership_id.choices) == 1:
        form.partnership_id.data = form.partnership_id.choices[0].value
    return form


@bp.route("/vragenlijsten/<int:questionnaire_id>/kopie", methods=["POST"])
@roles_required(*MANAGERS)
def duplicate(questionnaire_id: int):
    """A copy as the partnership's own draft (the way to adapt a standard questionnaire)."""
    s, scope = db.session(), current_scope()
    qs.get_questionnaire(s, scope, questionnaire_id)  # 403/404 before the form
    form = _copy_form(s, scope)
    saved = save_form(
        form,
        lambda: qs.duplicate_questionnaire(
            s, scope, questionnaire_id, form.partnership_id.data, form.title.data or ""
        ),
    )
    if not saved:
        if form.errors.get("csrf_token"):
            abort(400)
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(_detail_url(questionnaire_id, "melding"))
    flash(
        f"‘{saved.value.title}’ is gemaakt als eigen vragenlijst van {saved.value.partnership.name}. "
        "Pas de vragen aan en publiceer versie 1 als ze klaar is; tot dan blijft de training de "
        "vragenlijst gebruiken die ze nu heeft.",
        "success",
    )
    return redirect(_detail_url(saved.value.id, "melding"))


# ------------------------------------------------------------------ versions


@bp.route("/vragenlijsten/<int:questionnaire_id>/nieuwe-versie", methods=["POST"])
@roles_required(*MANAGERS)
def new_version(questionnaire_id: int):
    _check_csrf()
    s = db.session()
    saved = run_action(lambda: qs.start_new_version(s, current_scope(), questionnaire_id))
    if not saved:
        return redirect(_detail_url(questionnaire_id))
    version = saved.value
    flash(
        f"Versie {version.number} staat klaar als concept. Pas de vragen aan en publiceer de versie "
        "als ze klaar is; tot dan blijft de gepubliceerde versie in gebruik.",
        "success",
    )
    return redirect(_detail_url(questionnaire_id, "concept"))


@bp.route("/vragenlijsten/versies/<int:version_id>/inleiding", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_intro(version_id: int):
    s, scope = db.session(), current_scope()
    questionnaire, version = _editable(s, scope, version_id)
    if version.is_published:
        return _refuse_published(questionnaire.id)
    form = IntroForm(data={"intro": version.intro}) if request.method == "GET" else IntroForm()
    if save_form(form, lambda: qs.update_intro(s, scope, version_id, form.intro.data or "")):
        flash("De inleiding is opgeslagen.", "success")
        return redirect(_detail_url(questionnaire.id, "concept"))
    return form_page(
        "evaluaties/questionnaires/intro_form.html", form, questionnaire=questionnaire, version=version
    )


@bp.route("/vragenlijsten/versies/<int:version_id>/publiceren", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def publish(version_id: int):
    s, scope = db.session(), current_scope()
    questionnaire, version = _editable(s, scope, version_id)
    if version.is_published:
        return _refuse_published(questionnaire.id)
    if request.method == "GET":
        return render_template(
            "evaluaties/questionnaires/publish.html",
            questionnaire=questionnaire,
            version=version,
            previous=qs.latest_published(questionnaire),
            form=BaseForm(),
        )
    _check_csrf()
    if not run_action(lambda: qs.publish(s, scope, version_id)):
        return redirect(_detail_url(questionnaire.id, "concept"))
    flash(
        f"Versie {version.number} van ‘{questionnaire.title}’ is gepubliceerd. Nieuwe evaluaties "
        "gebruiken vanaf nu deze versie; eerdere antwoorden blijven bij hun eigen versie.",
        "success",
    )
    return redirect(_detail_url(questionnaire.id))


# ------------------------------------------------------------------ questions


def _question_form(s, **kwargs) -> QuestionForm:
    form = QuestionForm(**kwargs)
    form.safeguard_code.choices = choices(
        [("", "Geen")] + [(sg.code, f"{sg.name} ({sg.code})") for sg in current_safeguards(s)]
    )
    return form


def _question_data(form: QuestionForm) -> qs.QuestionData:
    return qs.QuestionData(
        text=form.text.data or "",
        type=QuestionType(form.question_type.data),
        required=bool(form.required.data),
        options=form.option_lines(),
        safeguard_code=form.safeguard_code.data or None,
    )


def _render_question_form(form, questionnaire, version, question=None):
    return form_page(
        "evaluaties/questionnaires/question_form.html",
        form,
        questionnaire=questionnaire,
        version=version,
        question=question,
        options_hint=OPTIONS_HINT,
    )


@bp.route("/vragenlijsten/versies/<int:version_id>/vragen/nieuw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def add_question(version_id: int):
    s, scope = db.session(), current_scope()
    questionnaire, version = _editable(s, scope, version_id)
    if version.is_published:
        return _refuse_published(questionnaire.id)
    form = _question_form(s)
    if saved := save_form(form, lambda: qs.add_question(s, scope, version_id, _question_data(form))):
        flash("De vraag is toegevoegd.", "success")
        if request.form.get("verder") == "1":
            return redirect(url_for("questionnaires.add_question", version_id=version_id))
        return redirect(_detail_url(questionnaire.id, f"vraag-{saved.value.id}"))
    return _render_question_form(form, questionnaire, version)


@bp.route("/vragenlijsten/vragen/<int:question_id>/bewerken", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_question(question_id: int):
    s, scope = db.session(), current_scope()
    question = qs.load_question(s, question_id)
    questionnaire, version = _editable(s, scope, question.version_id)
    if version.is_published:
        return _refuse_published(questionnaire.id)
    if request.method == "GET":
        form = _question_form(
            s,
            data={
                "text": question.text,
                "question_type": question.type.value,
                "required": question.required,
                "options": "\n".join(question.options or []),
                "safeguard_code": question.safeguard_code or "",
            },
        )
    else:
        form = _question_form(s)
    if save_form(form, lambda: qs.update_question(s, scope, question_id, _question_data(form))):
        flash("De vraag is bijgewerkt.", "success")
        return redirect(_detail_url(questionnaire.id, f"vraag-{question_id}"))
    return _render_question_form(form, questionnaire, version, question)


@bp.route("/vragenlijsten/vragen/<int:question_id>/verwijderen", methods=["POST"])
@roles_required(*MANAGERS)
def delete_question(question_id: int):
    _check_csrf()
    s, scope = db.session(), current_scope()
    question = qs.load_question(s, question_id)
    questionnaire_id = question.version.questionnaire_id
    if not run_action(lambda: qs.delete_question(s, scope, question_id)):
        return redirect(_detail_url(questionnaire_id))
    flash("De vraag is verwijderd uit het concept.", "success")
    return redirect(_detail_url(questionnaire_id, "concept"))


MOVES = {"omhoog": -1, "omlaag": 1}


@bp.route("/vragenlijsten/vragen/<int:question_id>/verplaatsen", methods=["POST"])
@roles_required(*MANAGERS)
def move_question(question_id: int):
    _check_csrf()
    s, scope = db.session(), current_scope()
    question = qs.load_question(s, question_id)
    questionnaire, _version = _editable(s, scope, question.version_id)
    questionnaire_id = questionnaire.id
    offset = MOVES.get(request.form.get("richting", ""))
    if offset is None:
        abort(400)  # the buttons always send omhoog or omlaag
    if not run_action(lambda: qs.move_question(s, scope, question_id, offset)):
        return redirect(_detail_url(questionnaire_id))
    flash("De volgorde van de vragen is aangepast.", "success")
    return redirect(_detail_url(questionnaire_id, f"vraag-{question_id}"))


# ------------------------------------------------------------------ per training


def _settings_choices(rows, audience: Audience, partnership_id: int):
    """Standard (None) plus the partnership's own questionnaires of this audience with a published version."""
    default = next(
        (r.questionnaire for r in rows if r.questionnaire.default_key == qs.DEFAULT_KEYS[audience]), None
    )
    pairs = [("", f"Standaard: {default.title}" if default else "Standaard")]
    pairs += [
        (r.questionnaire.id, f"{r.questionnaire.title} (versie {r.latest_published})")
        for r in rows
        if r.questionnaire.audience is audience
        and r.latest_published is not None
        and r.questionnaire.partnership_id == partnership_id
    ]
    return choices(pairs)


@bp.route("/trainingen/<int:training_id>/evaluatie-instellingen", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def training_settings(training_id: int):
    s, scope = db.session(), current_scope()
    training = training_services.get_training(s, scope, training_id)
    if request.method == "GET":
        current = qs.get_settings(s, training_id)
        form = EvaluationSettingsForm(
            data={
                "trainer_questionnaire_id": current.trainer_questionnaire_id,
                "participant_questionnaire_id": current.participant_questionnaire_id,
                "trainer_due_days": current.trainer_due_days,
                "participant_window_days": current.participant_window_days,
            }
        )
    else:
        form = EvaluationSettingsForm()
    rows = qs.list_questionnaires(s, scope)
    form.trainer_questionnaire_id.choices = _settings_choices(rows, Audience.TRAINER, training.partnership_id)
    form.participant_questionnaire_id.choices = _settings_choices(
        rows, Audience.PARTICIPANT, training.partnership_id
    )
    def save():
        data = qs.SettingsData(
            trainer_questionnaire_id=form.trainer_questionnaire_id.data,
            participant_questionnaire_id=form.participant_questionnaire_id.data,
            trainer_due_days=form.trainer_due_days.data,
            participant_window_days=form.participant_window_days.data,
        )
        return qs.update_settings(s, scope, training_id, data)

    if save_form(form, save):
        flash("De evaluatie-instellingen zijn opgeslagen.", "success")
        return redirect(url_for("trainings.detail", training_id=training_id))
    return form_page("evaluaties/questionnaires/settings.html", form, training=training)
