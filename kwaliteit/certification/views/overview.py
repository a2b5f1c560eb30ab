"""Register pages: the overview with every flag's count, and one list page per flag."""

from __future__ import annotations

from flask import abort, current_app, render_template

from kwaliteit import clock, db
from kwaliteit.accounts.auth import READERS, current_scope, roles_required
from kwaliteit.args import page_arg
from kwaliteit.certification import flags
from kwaliteit.certification.views import bp
from kwaliteit.certification.views.common import checked_filters, reference_arg


@bp.route("")
@roles_required(*READERS)
def index():
    s, scope, today = db.session(), current_scope(), reference_arg(clock.today())
    filters, options = checked_filters(s, scope)
    return render_template(
        "certification/index.html",
        counts=flags.register_counts(s, scope, filters, today),
        filters=filters,
        options=options,
        today=today,
        reference=today if today != clock.today() else None,
        Flag=flags.Flag,
        Stage=flags.Stage,
        mentor_flags=flags.MENTOR_FLAGS,
        trainer_flags=flags.TRAINER_FLAGS,
    )


@bp.route("/signalen/<flag>")
@roles_required(*READERS)
def flag_list(flag: str):
    try:
        flag_ = flags.Flag(flag)
    except ValueError:
        abort(404)
    s, scope, today = db.session(), current_scope(), reference_arg(clock.today())
    filters, options = checked_filters(s, scope)
    size = current_app.config["PAGE_SIZE"]
    if flag_.about_certificates:
        page = flags.list_certificate_flags(s, scope, flag_, filters, today, page_arg(), size)
    elif flag_.about_trainers:
        page = flags.list_trainers(s, scope, filters, today, flag=flag_, page=page_arg(), page_size=size)
    else:
        page = flags.list_mentors(s, scope, filters, today, flag=flag_, page=page_arg(), page_size=size)
    return render_template(
        "certification/flag_list.html",
        flag=flag_,
        page=page,
        filters=filters,
        options=options,
        today=today,
        reference=today if today != clock.today() else None,
    )
