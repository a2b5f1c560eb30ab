"""Questionnaire management screens (vragenlijsten) and per-training evaluation settings."""
from flask import Blueprint

bp = Blueprint("questionnaires", __name__)
