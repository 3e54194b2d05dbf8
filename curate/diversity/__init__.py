"""Diversity and coverage: clusters with labels, diversity scores, instruction shape, and how
much of a reference dataset has a neighbour in ours."""
