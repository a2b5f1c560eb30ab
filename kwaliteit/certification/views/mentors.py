"""Register pages: mentors."""

from kwaliteit.certification.views import bp  # noqa: F401
