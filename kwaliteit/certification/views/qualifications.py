"""Register pages: qualifications."""

from kwaliteit.certification.views import bp  # noqa: F401
