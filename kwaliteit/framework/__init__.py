"""The quality framework (kwaliteitskader) as data: versions, safeguards (waarborgen), criteria."""
