"""The files generate leaves in its output directory, by role: the run's layout reads them
from here (generate.stage.OUTPUTS), so no other package spells these names."""

OUTPUT = "generated.jsonl"
STATS = "stats.json"

OUTPUTS = {"rows": OUTPUT, "stats": STATS}
