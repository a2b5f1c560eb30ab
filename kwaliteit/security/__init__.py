"""Defences against abuse: throttles and lock-outs kept in the database (works across workers)."""
