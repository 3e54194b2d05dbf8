"""MinHash signatures after this process has digested rows itself: rensa's thread pool then
lives here, and a worker forked from it would wait on that pool forever (a second, larger
curate in one process hung)."""

import subprocess
import sys

from tests.helpers.paths import ROOT

SCRIPT = """
import numpy as np
from curate.dedup import lsh
lsh.ROWS_A_CORE = 500  # two forked workers for 4,000 rows on a 2-core machine, were it allowed
sets = lsh.part(np.arange(0, 3 * 4000 + 1, 3), np.arange(3 * 4000))
where, first = lsh.digests(*sets(0, 4000))  # here: rensa's thread pool starts in this process
again = lsh.signed(4000, sets)
assert (again[0] == where).all() and (again[1] == first).all()
print("same")
"""


def test_signatures_after_digesting_here_do_not_hang_and_do_not_change():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "same"
