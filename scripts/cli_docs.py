"""Write docs/cli.md from the options' declarations (seedling.reference): run it after changing
an option, a flag or its help; tests/test_flags.py fails while the file is stale.

    python scripts/cli_docs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seedling.reference import render

if __name__ == "__main__":
    out = ROOT / "docs" / "cli.md"
    out.write_text(render(), encoding="utf-8")
    print(f"wrote {out}")
