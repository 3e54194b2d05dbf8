"""Curate stage: dedup, diversity and coverage, bias audit, quality, report (issue 8)."""
