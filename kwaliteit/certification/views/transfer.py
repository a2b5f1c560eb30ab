"""Register pages: transfer."""

from kwaliteit.certification.views import bp  # noqa: F401
