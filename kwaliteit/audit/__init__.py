"""The audit log (logboek): who created, changed, deleted, imported, exported, waived, locked or
anonymised what, and when. Recording: kwaliteit.audit.recording; reading, export and retention:
kwaliteit.audit.services; the page: kwaliteit.audit.views."""
