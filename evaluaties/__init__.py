"""Evaluations: questionnaires, what each session owes, trainer evaluations, anonymous participant
answers through one-time links, response rates, results, and import and export of answers."""
