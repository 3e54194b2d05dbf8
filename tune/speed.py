"""How training runs on this device: what a CPU does as TRL does by default, a GPU does fast.

On a CPU a step takes seconds, so each step gets a log line and checkpoints come every 10
steps. Gradient checkpointing (TRL's default) is off on a CPU too: 4 steps of the demo's
student (batch 8, 384 tokens) took 78 s with it and 70 s without on an AVX2 CPU, and host
memory holds a small student's activations. On a CUDA GPU steps take
well under a second and that per-step overhead dominates (seen on an H200: 0.4-1 s a step
whatever its size), so the GPU defaults are:

- gradient checkpointing off; `train` turns it on and resumes if the GPU runs out of memory;
- padding-free batches (TRL's "bfd" packing: rows end to end, attention kept within each row
  by position ids) where flash-attention is installed; without it TRL would build a dense mask
  over the whole packed batch, so batches are grouped by length instead to cut the padding;
- a log line every 10 steps and a checkpoint every 200.

An explicit value in the config always wins.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from tune.options import TuneOptions

GPU_LOGGING_STEPS = 10
GPU_SAVE_STEPS = 200
CPU_LOGGING_STEPS = 1
CPU_SAVE_STEPS = 10


def flash_attention_available() -> bool:
    return find_spec("flash_attn") is not None


def training_settings(opts: TuneOptions, device: str, dtype_name: str,
                      flash_attention: bool | None = None) -> dict[str, Any]:
    """The SFTConfig keys that depend on the device, plus `attn_implementation` for loading."""
    gpu = device == "cuda"
    if flash_attention is None:
        flash_attention = gpu and flash_attention_available()
    padding_free = gpu and opts.packing is None and flash_attention and dtype_name in ("bfloat16", "float16")
    packing = bool(opts.packing) or padding_free
    settings: dict[str, Any] = {
        "gradient_checkpointing": bool(opts.gradient_checkpointing),
        "logging_steps": opts.logging_steps or (GPU_LOGGING_STEPS if gpu else CPU_LOGGING_STEPS),
        "save_steps": opts.save_steps or (GPU_SAVE_STEPS if gpu else CPU_SAVE_STEPS),
        "packing": packing,
        "attn_implementation": "flash_attention_2" if padding_free else None,
    }
    if padding_free:
        settings["packing_strategy"] = "bfd"
    if gpu and not packing:
        settings["train_sampling_strategy"] = "group_by_length"
    return settings
