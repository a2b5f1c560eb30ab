"""Trainer evaluations, the coordinator's evaluation page of a session, and the anonymous
participant form."""
from flask import Blueprint

bp = Blueprint("evaluaties", __name__)
