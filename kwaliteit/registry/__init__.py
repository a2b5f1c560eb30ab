"""Registry: partnerships, their organisations and the people in them (trainers, mentors)."""
