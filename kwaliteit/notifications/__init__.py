"""Reminders by e-mail through an outbox: every message has a unique key, so a job that runs
twice, or crashes halfway and runs again, sends each reminder exactly once. Users read their
reminders in the app, may choose a weekly digest, and have a personal calendar feed (iCal)."""
