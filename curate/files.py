"""The files curate leaves in its output directory, by role: the run's layout reads them from
here (curate.stage.OUTPUTS), so no other package spells these names."""

KEPT = "kept.jsonl"
REMOVED = "removed.jsonl"
AUDIT = "audit.json"
AUDIT_PAGE = "audit.html"
STEERING = "steering.json"
SELECTED = "selected.jsonl"  # with select only
SELECTION = "selection.jsonl"  # with select only
MAP = "map.json"  # the cluster map's points (a sample of rows by id), for `seedling view`

OUTPUTS = {"kept": KEPT, "removed": REMOVED, "audit": AUDIT, "audit_page": AUDIT_PAGE, "steering": STEERING,
           "selected": SELECTED, "selection": SELECTION, "map": MAP}
