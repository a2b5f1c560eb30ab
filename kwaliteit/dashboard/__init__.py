"""The steering dashboard: what is overdue, which safeguards are covered, how the trainings are rated
over the years, at the level of a board, a partnership and the region. Reads and derives; stores
nothing (no models)."""
