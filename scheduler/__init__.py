"""Scheduler: APScheduler set-up, thin job functions that call services, and the single-instance
lock. Empty so far: nothing needs a timed job yet. Evaluation statuses (open, due soon, overdue)
are derived at query time and need none; reminders and the yearly review cycles will add the
first jobs."""
