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
POSITIONS = "positions.npy"  # the input row of each line of kept.jsonl, then of removed.jsonl, for the view
VECTORS = "vectors.npy"  # each input row's instruction embedding (float16), for the view's nearest rows
GROUPS = "groups.jsonl"  # shared-passage, template-variant and conflict groups by input row, for the view

OUTPUTS = {"kept": KEPT, "removed": REMOVED, "audit": AUDIT, "audit_page": AUDIT_PAGE, "steering": STEERING,
           "selected": SELECTED, "selection": SELECTION, "map": MAP,
           "positions": POSITIONS, "vectors": VECTORS, "groups": GROUPS}
