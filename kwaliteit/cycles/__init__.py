"""Review cycles (kwaliteitscyclus, Plan-Do-Check-Act): one per active training per school year,
with improvement actions that carry over; a yearly partnership cycle with a summary per safeguard
and the next peer review; the peer-review dossier; good practices. Phase status is derived from
dates and an explicit `today`, never stored."""
