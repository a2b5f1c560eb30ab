"""Results, response rates, import and export of answers."""
from flask import Blueprint

bp = Blueprint("results", __name__)
