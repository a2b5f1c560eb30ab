"""Results and rates: aggregated answers per selection, and response rates per session."""
