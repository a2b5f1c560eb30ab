"""Scope in one place: every query of partnership data is filtered here.

`Scope` is built from the current user at the edge and handed to services. Admins (and
regional steering groups, later) see every partnership; everyone else only their own.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, true

from kwaliteit.accounts.models import Role, User


class Forbidden(Exception):
    """The object exists but lies outside the user's scope (HTTP 403)."""


class NotFound(Exception):
    """No such object (HTTP 404)."""


# No table holds an id beyond a signed 32-bit integer: ids are INTEGER columns, 32 bits on
# PostgreSQL, which refuses a larger number in a comparison ("integer out of range"), as SQLite's
# driver refuses one beyond 64 bits (OverflowError). So a URL like /trainingen/2147483648 or a
# crafted form value stops here, on both databases.
MAX_ID = 2**31 - 1


def check_id(value: int) -> int:
    """The id of a URL, or NotFound when no row can have it."""
    if not 0 < value <= MAX_ID:
        raise NotFound()
    return value


@dataclass(frozen=True)
class Scope:
    role: Role | None
    partnership_ids: frozenset[int] | None  # None: all partnerships
    person_id: int | None = None
    user_id: int | None = None

    @classmethod
    def for_user(cls, user: User) -> Scope:
        if user.role is Role.ADMIN:
            return cls(user.role, None, user.person_id, user.id)
        return cls(
            user.role, frozenset(p.id for p in user.partnerships), user.person_id, user.id
        )

    @classmethod
    def everything(cls) -> Scope:
        """For the CLI and jobs, which act for the system itself."""
        return cls(Role.ADMIN, None)

    @property
    def is_all(self) -> bool:
        return self.partnership_ids is None

    def condition(self, partnership_column) -> ColumnElement[bool]:
        if self.partnership_ids is None:
            return true()
        if not self.partnership_ids:
            return false()
        return partnership_column.in_(sorted(self.partnership_ids))

    def filter(self, stmt: Select, partnership_column) -> Select:
        return stmt.where(self.condition(partnership_column))

    def allows(self, partnership_id: int) -> bool:
        return self.partnership_ids is None or partnership_id in self.partnership_ids

    def check(self, partnership_id: int) -> None:
        if not self.allows(partnership_id):
            raise Forbidden()

    def may_manage(self) -> bool:
        return self.role in (Role.ADMIN, Role.COORDINATOR)
