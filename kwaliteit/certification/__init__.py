"""The register of trainers and mentors: train-the-trainer qualifications, mentor certificates,
attendance of sessions, who mentors a student teacher, each mentor's path (leerlijn), and the
flags that say what needs action. Flags and path stages are derived in SQL from dates and an
explicit `today` (see flags.py); nothing here is stored as a status.

(`kwaliteit.registry` holds who exists: partnerships, organisations and persons; this package
holds what they have done and may do.)
"""
