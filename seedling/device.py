"""Decide the compute dtype once, from what the hardware does natively.

bf16 is fast where the CPU has it in hardware (AMX or AVX-512-BF16) and about ten times slower
than float32 where it is emulated (AVX2-only CPUs: one LoRA step on a 135M model took 259 s in
bf16 against 26 s in float32), so nothing may assume it. torch is imported inside the functions so that `import seedling.device` stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seedling.errors import SeedlingError

_ALIASES = {
    "float32": "float32", "fp32": "float32",
    "bfloat16": "bfloat16", "bf16": "bfloat16",
    "float16": "float16", "fp16": "float16",
}


def yield_idle_threads() -> None:
    """Compute threads sleep while they wait instead of spinning (OpenMP's PASSIVE policy), unless
    the user chose a policy. On a CPU shared with other jobs a spinning thread holds a core that
    the thread it waits for needs: a small matrix product took 20-30 ms spinning against 1.4 ms
    sleeping on a loaded 2-core machine. OpenMP reads the setting once, when torch is first
    imported, so this runs before that."""
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def cpu_capability() -> dict[str, Any]:
    """What this CPU runs natively; the private torch probes are guarded as they may vanish."""
    import torch

    def probe(name: str) -> bool:
        check = getattr(torch.cpu, name, None)
        return bool(check()) if check is not None else False

    return {
        "capability": torch.backends.cpu.get_cpu_capability(),
        "avx512_bf16": probe("_is_avx512_bf16_supported"),
        "amx": probe("_is_amx_tile_supported"),
    }


@dataclass(frozen=True)
class DtypeChoice:
    """The dtype and device to compute in, with the reason to show the user."""

    name: str
    device: str
    reason: str

    @property
    def torch_dtype(self):
        import torch

        return getattr(torch, self.name)


def compute_device() -> str:
    """Where models run: the GPU when torch sees one, else the CPU."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def choose_dtype(requested: str = "auto") -> DtypeChoice:
    """Honour an explicit dtype; for "auto", take bf16 only where the hardware runs it natively."""
    import torch

    device = compute_device()
    key = requested.strip().lower()
    if key in _ALIASES:
        return DtypeChoice(_ALIASES[key], device, "requested")
    if key != "auto":
        valid = ", ".join(["auto", *_ALIASES])
        raise SeedlingError(f"unknown dtype {requested!r}; choose one of: {valid}")
    if device == "cuda":
        if torch.cuda.is_bf16_supported():
            return DtypeChoice("bfloat16", device, "CUDA GPU with bf16 support")
        return DtypeChoice("float16", device, "CUDA GPU without bf16 support")
    cpu = cpu_capability()
    if cpu["amx"] or cpu["avx512_bf16"]:
        native = "AMX" if cpu["amx"] else "AVX512-BF16"
        return DtypeChoice("bfloat16", device, f"CPU has native bf16 ({native})")
    return DtypeChoice(
        "float32",
        device,
        f"CPU ({cpu['capability']}) has no native bf16: emulated bf16 is ~10x slower than float32",
    )
