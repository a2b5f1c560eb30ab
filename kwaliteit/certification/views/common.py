"""What the register pages share: their filters (partnership, board, school, name), read from the
query string through kwaliteit.args, and the choices for the filter form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kwaliteit import args
from kwaliteit.args import id_arg, text_arg
from kwaliteit.certification.flags import RegisterFilters
from kwaliteit.limits import SEARCH
from kwaliteit.registry.models import Organisation, OrganisationKind, Partnership
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.validation import ValidationError


def reference_arg(today: date) -> date:
    """The reference date (peildatum) of the query string, as the dashboard links here with its
    own (kwaliteit.args.reference_arg); a malformed one shows `today`, and the page says which
    date it shows."""
    try:
        return args.reference_arg(today)
    except ValidationError:
        return today


def register_filters() -> RegisterFilters:
    """The filters of the query string (not yet checked against the scope: see checked_filters)."""
    return RegisterFilters(
        partnership_id=id_arg("partnerschap"),
        board_id=id_arg("bestuur"),
        school_id=id_arg("school"),
        q=text_arg("q", SEARCH),
    )


@dataclass
class FilterOptions:
    partnerships: list[Partnership]
    boards: list[Organisation]
    schools: list[Organisation]


def filter_options(db: Session, scope: Scope) -> FilterOptions:
    """The partnerships, boards and schools in scope (two statements)."""
    partnerships = list(db.scalars(scope.filter(select(Partnership), Partnership.id).order_by(Partnership.name)))
    organisations = list(
        db.scalars(
            scope.filter(select(Organisation), Organisation.partnership_id)
            .where(Organisation.kind.in_((OrganisationKind.BOARD, OrganisationKind.SCHOOL)))
            .order_by(Organisation.name, Organisation.id)
        )
    )
    return FilterOptions(
        partnerships,
        [o for o in organisations if o.kind is OrganisationKind.BOARD],
        [o for o in organisations if o.kind is OrganisationKind.SCHOOL],
    )


def checked_filters(db: Session, scope: Scope) -> tuple[RegisterFilters, FilterOptions]:
    """The query string's filters and the filter choices; a partnership, board or school outside
    the caller's scope is refused (403), as on the dashboard, rather than silently showing nothing."""
    filters, options = register_filters(), filter_options(db, scope)
    chosen = (
        (filters.partnership_id, options.partnerships),
        (filters.board_id, options.boards),
        (filters.school_id, options.schools),
    )
    if any(value is not None and value not in {o.id for o in offered} for value, offered in chosen):
        raise Forbidden()
    return filters, options
