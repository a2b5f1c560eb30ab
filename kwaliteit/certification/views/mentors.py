"""Register pages: mentors and their path, certificates (with a printable certificate),
mentorships, attendance of a session with issuing its certificates, and the list for the
school leader's HR conversation cycle (gesprekkencyclus), exportable.

Admins and coordinators manage; steering users read the lists and mentor pages (no forms);
trainers have no access. The HR export holds names: for managers only."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from kwaliteit import clock, db
from kwaliteit.accounts.auth import MANAGERS, READERS, current_scope, roles_required
from kwaliteit.args import choice_arg, page_arg
from kwaliteit.certification import certificates as services
from kwaliteit.certification import flags
from kwaliteit.certification.mentor_forms import AttendanceForm, CertificateForm, IssueForm, MentorshipForm
from kwaliteit.certification.models import Issuer, StudentKind
from kwaliteit.certification.policy import policy_for
from kwaliteit.certification.views import bp
from kwaliteit.certification.views.common import checked_filters
from kwaliteit.downloads import download
from kwaliteit.forms import BaseForm, apply_errors, choices, run_action, save_form
from kwaliteit.sqldates import school_year_label, school_year_of
from kwaliteit.trainings.models import TrainingKind
from kwaliteit.validation import ValidationError

STAGE_ARG = "fase"


def _stage_arg() -> flags.Stage | None:
    value = choice_arg(STAGE_ARG, [s.value for s in flags.Stage])
    return flags.Stage(value) if value else None


# ---------------------------------------------------------------- the mentor list


@bp.route("/mentoren")
@roles_required(*READERS)
def mentors():
    s, scope, today = db.session(), current_scope(), clock.today()
    filters, options = checked_filters(s, scope)
    stage = _stage_arg()
    page = flags.list_mentors(
        s, scope, filters, today, stage=stage, page=page_arg(), page_size=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "certification/mentors.html", page=page, filters=filters, options=options, stage=stage,
        Stage=flags.Stage, today=today,
    )


# ---------------------------------------------------------------- one mentor


def _certificate_form(s, person, **kwargs) -> CertificateForm:
    form = CertificateForm(**kwargs)
    form.fill(services.partnership_choices(s, person.organisation.partnership_id))
    return form


def _new_certificate_form(s, person, today: date) -> CertificateForm:
    """Filled in as most certificates are: jointly by the mentor's board and the institute."""
    options = services.partnership_choices(s, person.organisation.partnership_id)
    data = {
        "issued_on": today,
        "issued_by": Issuer.JOINT.value,
        "board_id": services.board_of(person.organisation),
        "institute_id": options.institutes[0].id if len(options.institutes) == 1 else None,
    }
    form = CertificateForm(data=data) if request.method == "GET" else CertificateForm()
    form.fill(options)
    return form


def _mentorship_form(s, person, today: date) -> MentorshipForm:
    form = MentorshipForm(data={"school_year": school_year_of(today)}) if request.method == "GET" else MentorshipForm()
    schools = services.partnership_choices(s, person.organisation.partnership_id).schools
    form.school_id.choices = choices((o.id, o.name) for o in schools)
    if request.method == "GET" and person.organisation_id in {o.id for o in schools}:
        form.school_id.data = person.organisation_id
    low, high = services.school_year_range(today)
    form.school_year.choices = choices((y, school_year_label(y)) for y in range(high, low - 1, -1))
    return form


def _mentor_page(person_id: int, certificate_form=None, mentorship_form=None):
    s, scope, today = db.session(), current_scope(), clock.today()
    person = services.get_register_person(s, scope, person_id)
    may_manage = scope.may_manage()
    if may_manage:
        certificate_form = certificate_form or _new_certificate_form(s, person, today)
        mentorship_form = mentorship_form or _mentorship_form(s, person, today)
    failed = certificate_form is not None and certificate_form.errors or (
        mentorship_form is not None and mentorship_form.errors
    )
    board = person.organisation.parent if person.organisation.parent_id else None
    html = render_template(
        "certification/mentor.html",
        person=person,
        board=board,
        path=flags.mentor_path(s, scope, person.id, today),
        register=services.person_register(s, person),
        policy=policy_for(s, person.organisation.partnership_id),
        certificate_form=certificate_form,
        mentorship_form=mentorship_form,
        action_form=BaseForm(),
        may_manage=may_manage,
        today=today,
        page_has_errors=bool(failed),
    )
    return html, 400 if failed else 200


@bp.route("/mentoren/<int:person_id>")
@roles_required(*READERS)
def mentor(person_id: int):
    return _mentor_page(person_id)


def _enum(enum_cls, value):
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def _certificate_data(form: CertificateForm) -> services.CertificateData:
    return services.CertificateData(
        kind=_enum(TrainingKind, form.kind.data),
        issued_on=form.issued_on.data,
        issued_by=_enum(Issuer, form.issued_by.data),
        training_id=form.training_id.data,
        valid_until=form.valid_until.data,
        no_end=bool(form.no_end.data),
        number=form.number.data or "",
        board_id=form.board_id.data,
        institute_id=form.institute_id.data,
    )


@bp.route("/mentoren/<int:person_id>/certificaten", methods=["POST"])
@roles_required(*MANAGERS)
def add_certificate(person_id: int):
    s, scope, today = db.session(), current_scope(), clock.today()
    person = services.get_register_person(s, scope, person_id)  # 403/404 before the form
    form = _certificate_form(s, person)
    if saved := save_form(form, lambda: services.add_certificate(s, scope, person_id, _certificate_data(form), today)):
        flash(f"Certificaat {saved.value.number} is vastgelegd.", "success")
        return redirect(url_for("register.mentor", person_id=person_id, _anchor="certificaten"))
    return _mentor_page(person_id, certificate_form=form)


@bp.route("/certificaten/<int:certificate_id>/bewerken", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_certificate(certificate_id: int):
    s, scope, today = db.session(), current_scope(), clock.today()
    cert = services.get_certificate(s, scope, certificate_id)
    person_id = cert.person_id
    if request.method == "GET":
        form = _certificate_form(
            s,
            cert.person,
            data={
                "kind": cert.kind.value,
                "training_id": cert.training_id,
                "issued_on": cert.issued_on,
                "valid_until": cert.valid_until,
                "no_end": cert.valid_until is None,
                "number": cert.number,
                "issued_by": cert.issued_by.value,
                "board_id": cert.board_id,
                "institute_id": cert.institute_id,
            },
        )
    else:
        form = _certificate_form(s, cert.person)
    if save_form(form, lambda: services.update_certificate(s, scope, certificate_id, _certificate_data(form), today)):
        flash("Het certificaat is bijgewerkt.", "success")
        return redirect(url_for("register.mentor", person_id=person_id, _anchor="certificaten"))
    html = render_template("certification/certificate_form.html", form=form, cert=cert)
    return html, 400 if form.errors else 200


@bp.route("/certificaten/<int:certificate_id>/verwijderen", methods=["POST"])
@roles_required(*MANAGERS)
def delete_certificate(certificate_id: int):
    s, scope = db.session(), current_scope()
    cert = services.get_certificate(s, scope, certificate_id)
    person_id = cert.person_id
    if not BaseForm().validate_on_submit():
        abort(400)
    if run_action(lambda: services.delete_certificate(s, scope, certificate_id)):
        flash(f"Certificaat {cert.number} is verwijderd.", "success")
    return redirect(url_for("register.mentor", person_id=person_id, _anchor="certificaten"))


@bp.route("/certificaten/<int:certificate_id>/afdrukken")
@roles_required(*MANAGERS)
def print_certificate(certificate_id: int):
    s, scope = db.session(), current_scope()
    cert = services.get_certificate(s, scope, certificate_id)
    return render_template("certification/certificate_print.html", cert=cert)


def _mentorship_data(form: MentorshipForm) -> services.MentorshipData:
    return services.MentorshipData(
        school_id=form.school_id.data,
        school_year=form.school_year.data,
        student_kind=_enum(StudentKind, form.student_kind.data),
        students=form.students.data,
    )


@bp.route("/mentoren/<int:person_id>/begeleiding", methods=["POST"])
@roles_required(*MANAGERS)
def add_mentorship(person_id: int):
    s, scope, today = db.session(), current_scope(), clock.today()
    person = services.get_register_person(s, scope, person_id)
    form = _mentorship_form(s, person, today)
    if save_form(form, lambda: services.add_mentorship(s, scope, person_id, _mentorship_data(form), today)):
        flash("De begeleiding is vastgelegd.", "success")
        return redirect(url_for("register.mentor", person_id=person_id, _anchor="begeleiding"))
    return _mentor_page(person_id, mentorship_form=form)


@bp.route("/begeleiding/<int:mentorship_id>/verwijderen", methods=["POST"])
@roles_required(*MANAGERS)
def delete_mentorship(mentorship_id: int):
    s, scope = db.session(), current_scope()
    person_id = services.get_mentorship(s, scope, mentorship_id).person_id
    if not BaseForm().validate_on_submit():
        abort(400)
    if run_action(lambda: services.delete_mentorship(s, scope, mentorship_id)):
        flash("De begeleiding is verwijderd.", "success")
    return redirect(url_for("register.mentor", person_id=person_id, _anchor="begeleiding"))


# ---------------------------------------------------------------- attendance of a session


def _issue_form(s, partnership_id: int) -> IssueForm:
    institutes = services.partnership_choices(s, partnership_id).institutes
    form = IssueForm(data={"issued_by": Issuer.JOINT.value}) if request.method == "GET" else IssueForm()
    form.institute_id.choices = choices(
        [*([("", "Kies…")] if len(institutes) != 1 else []), *((o.id, o.name) for o in institutes)]
    )
    return form


def _attendance_page(session_id: int, attendance_form=None, issue_form=None):
    s, scope, today = db.session(), current_scope(), clock.today()
    view = services.session_attendance(s, scope, session_id)
    partnership_id = view.session.training.partnership_id
    if attendance_form is None:
        attendance_form = AttendanceForm(data={"person_ids": [a.person.id for a in view.attendees]})
    attendance_form.person_ids.choices = choices((p.id, f"{p.name} ({org})") for p, org in view.candidates)
    issue_form = issue_form or _issue_form(s, partnership_id)
    failed = bool(attendance_form.errors or issue_form.errors)
    html = render_template(
        "certification/attendance.html",
        view=view,
        ts=view.session,
        attendance_form=attendance_form,
        issue_form=issue_form,
        today=today,
        is_ttt=view.session.training.kind is TrainingKind.TRAIN_THE_TRAINER,
        page_has_errors=failed,
    )
    return html, 400 if failed else 200


@bp.route("/bijeenkomsten/<int:session_id>/aanwezigheid", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def attendance(session_id: int):
    s, scope, today = db.session(), current_scope(), clock.today()
    view = services.session_attendance(s, scope, session_id)  # 403/404 before the form
    if request.method == "GET":
        return _attendance_page(session_id)
    form = AttendanceForm()
    form.person_ids.choices = choices((p.id, p.name) for p, _org in view.candidates)
    if saved := save_form(form, lambda: services.set_attendance(s, scope, session_id, form.person_ids.data or [], today)):
        change = saved.value
        flash(
            f"De aanwezigheid is opgeslagen: {change.added} toegevoegd, {change.removed} geschrapt.", "success"
        )
        return redirect(url_for("register.attendance", session_id=session_id, _anchor="melding"))
    return _attendance_page(session_id, attendance_form=form)


@bp.route("/bijeenkomsten/<int:session_id>/certificaten", methods=["POST"])
@roles_required(*MANAGERS)
def issue_certificates(session_id: int):
    s, scope, today = db.session(), current_scope(), clock.today()
    ts = services.session_attendance(s, scope, session_id).session  # 403/404 before the form
    form = _issue_form(s, ts.training.partnership_id)
    if not form.validate_on_submit():
        return _attendance_page(session_id, issue_form=form)
    try:
        result = services.issue_certificates(
            s, scope, session_id, today, _enum(Issuer, form.issued_by.data), form.institute_id.data
        )
        s.commit()
    except ValidationError as exc:
        s.rollback()
        if set(exc.errors) & {"issued_by", "institute_id"}:
            apply_errors(form, exc)
            return _attendance_page(session_id, issue_form=form)
        for message in exc.errors.values():
            flash(message, "error")
        return redirect(url_for("register.attendance", session_id=session_id, _anchor="melding"))
    if result.issued:
        flash(
            f"{result.issued} certifica{'at' if result.issued == 1 else 'ten'} uitgereikt"
            + (f"; {result.already} aanwezige(n) had(den) er al een." if result.already else "."),
            "success",
        )
    else:
        flash(
            f"Er is niets uitgereikt: alle {result.already} aanwezigen hebben al een certificaat van deze bijeenkomst.",
            "info",
        )
    return redirect(url_for("register.attendance", session_id=session_id, _anchor="melding"))


# ---------------------------------------------------------------- the HR conversation cycle


@bp.route("/gesprekkencyclus")
@roles_required(*READERS)
def hr_list():
    s, scope, today = db.session(), current_scope(), clock.today()
    filters, options = checked_filters(s, scope)
    stage = _stage_arg()
    page = flags.list_mentors(
        s, scope, filters, today, stage=stage, page=page_arg(), page_size=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "certification/hr_list.html", page=page, filters=filters, options=options, stage=stage,
        Stage=flags.Stage, today=today, may_export=scope.may_manage(),
    )


HR_HEADER = [
    "Bestuur", "School", "Naam", "Fase", "Volgende stap", "Uiterlijk", "Basistraining op",
    "Laatste training op", "Begeleidt dit schooljaar",
]


def _selection(filters, options, stage, today: date) -> list[tuple[str, str]]:
    def name(items, chosen):
        return next((o.name for o in items if o.id == chosen), "alle")

    return [
        ("Stand op", f"{today:%d-%m-%Y}"),
        ("Partnerschap", name(options.partnerships, filters.partnership_id)),
        ("Bestuur", name(options.boards, filters.board_id)),
        ("School", name(options.schools, filters.school_id)),
        ("Fase", stage.label if stage else "alle"),
        *([("Zoekterm", filters.q)] if filters.q else []),
    ]


def hr_rows(rows, stage=None) -> list[list]:
    out = []
    for r in rows:
        if stage is not None and r.stage is not stage:
            continue
        step = r.next_step
        out.append(
            [
                r.board_name, r.school_name, r.person.name, r.stage.label, step.text, step.on, r.basic_on,
                r.last_on, "ja" if r.mentoring_now else "nee",
            ]
        )
    return out


@bp.route("/gesprekkencyclus.<any(csv, xlsx):fmt>")
@roles_required(*MANAGERS)
def hr_export(fmt: str):
    from evaluaties.transfer import exporting

    s, scope, today = db.session(), current_scope(), clock.today()
    filters, options = checked_filters(s, scope)
    stage = _stage_arg()
    rows = hr_rows(flags.all_mentors(s, scope, filters, today), stage)
    selection = _selection(filters, options, stage, today)
    title = "Gesprekkencyclus mentoren"
    if fmt == "csv":
        lines = [*([label, value] for label, value in selection), [], HR_HEADER, *rows]
        data = exporting.to_csv([title, f"stand op {today:%d-%m-%Y}"], lines)
    else:
        data = exporting.to_xlsx(
            [(title, HR_HEADER, rows), ("Selectie", [title, ""], [[label, value] for label, value in selection])]
        )
    return download(data, f"gesprekkencyclus-{today.isoformat()}", fmt)
