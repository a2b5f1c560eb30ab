"""Accounts and roles: log-in, users, and the scope of what each user may see."""
