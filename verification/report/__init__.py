"""Gate reports: JSON for machines, self-contained HTML for people."""
