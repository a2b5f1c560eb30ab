"""Import and export: reading uploaded survey files, importing answers all-or-nothing, and exporting
answers and results as CSV and XLSX."""
