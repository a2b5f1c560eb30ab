"""Trainings (aanbod), their link to the safeguards, and their sessions (bijeenkomsten)."""
