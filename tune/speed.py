"""How training runs on this device.

On a CPU a step takes seconds, so each step gets a log line and checkpoints come every 10
steps. Gradient checkpointing (TRL's default) is off on a CPU too: 4 steps of the demo's
student (batch 8, 384 tokens) took 78 s with it and 70 s without on an AVX2 CPU, and host
memory holds a small student's activations. A CPU's batches are flat: the rows end to end in
one sequence, kept apart by position ids, from which transformers builds a block-diagonal mask
for sdpa. A padded batch is as long as its longest row times the rows, and a CPU's time goes
by tokens: the demo's steps took 9-12 s flat against 17-26 s padded (AVX2), with the same
loss to 1e-4. On a CUDA GPU steps take
well under a second and that per-step overhead dominates (seen on an H200: 0.4-1 s a step
whatever its size), so the GPU defaults are:

- gradient checkpointing off; `train` turns it on and resumes if the GPU runs out of memory;
- padding-free batches (TRL's "bfd" packing: rows end to end, attention kept within each row
  by their boundaries) through flash-attn where it is installed, else through PyTorch's own
  variable-length flash kernel (tune/varlen.py, PyTorch 2.10 and later). Through sdpa TRL's
  packed batch would get a dense mask over all its tokens; where neither kernel is there,
  batches are grouped by length instead to cut the padding;
- a log line every 10 steps (more often on a run under 500 steps, so it still has a loss
  curve: every step under 100) and a checkpoint every 200.

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
AUTO = "auto"


def gpu_logging_steps(total_steps: int) -> int:
    """Known only once the run's length is: `build_trainer` sets it over the settings' GPU_LOGGING_STEPS."""
    return max(1, min(GPU_LOGGING_STEPS, total_steps // 50))


def padding_free_attention(device: str) -> str | None:
    """The attention that runs padding-free batches on this device, or None (a CPU, or neither kernel)."""
    if device != "cuda":
        return None
    if find_spec("flash_attn") is not None:
        return "flash_attention_2"
    from tune import varlen

    return varlen.NAME if varlen.available() else None


def training_settings(opts: TuneOptions, device: str, dtype_name: str, attention: str | None = AUTO) -> dict[str, Any]:
    """The SFTConfig keys that depend on the device, plus `attn_implementation` for loading.
    `attention` is the padding-free kernel (default: `padding_free_attention(device)`)."""
    gpu = device == "cuda"
    if attention == AUTO:
        attention = padding_free_attention(device)
    half = dtype_name in ("bfloat16", "float16")
    padding_free = gpu and opts.packing is not False and attention is not None and half
    packing = bool(opts.packing) or padding_free
    settings: dict[str, Any] = {
        "gradient_checkpointing": bool(opts.gradient_checkpointing),
        "logging_steps": opts.logging_steps or (GPU_LOGGING_STEPS if gpu else CPU_LOGGING_STEPS),
        "save_steps": opts.save_steps or (GPU_SAVE_STEPS if gpu else CPU_SAVE_STEPS),
        "packing": packing,
        "attn_implementation": attention if padding_free else None,
        "flat_batches": not gpu and not packing,  # packing is flat already
    }
    if padding_free:
        settings["packing_strategy"] = "bfd"
    if gpu and not packing:
        settings["train_sampling_strategy"] = "group_by_length"
    return settings


def flat_batches(tokenizer):
    """TRL's collator, padding-free. (TRL's own `padding_free` setting would also stop it from
    truncating rows to `max_length`.)"""
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    return DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id, padding_free=True)
