"""The files generate leaves in its output directory, by role: the run's layout reads them
from here (generate.stage.OUTPUTS), so no other package spells these names."""

DIR = "generate"  # its folder in the output directory it is given (a run directory)
OUTPUT = "generated.jsonl"
STATS = "stats.json"
ENGINE_LOG = "engine.log"  # the engine's own log lines and warnings (--verbose shows them instead)

OUTPUTS = {"rows": OUTPUT, "stats": STATS, "engine_log": ENGINE_LOG}
