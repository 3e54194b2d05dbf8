"""The files tune leaves in its output directory, by role: the run's layout reads them from
here (tune.stage.OUTPUTS), so no other package spells these names."""

EVAL = "eval.json"
METRICS = "metrics.jsonl"
ADAPTER = "adapter"

OUTPUTS = {"eval": EVAL, "metrics": METRICS, "adapter": ADAPTER}
