"""Register pages under /register: the overview, trainers and their qualifications
(qualifications.py), mentors, certificates, attendance and paths (mentors.py), and the import and
export of the register (transfer.py). One blueprint; each module adds its routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("register", __name__, url_prefix="/register")

from kwaliteit.certification.views import mentors, overview, qualifications, transfer  # noqa: E402,F401
