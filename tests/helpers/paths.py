"""Where the tests find the checkout, the shipped seed tasks and the golden format files."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden"
SEED_TASKS = ROOT / "data" / "seed_tasks.jsonl"
