"""Trainer callbacks: a metrics log a person or a plot can read, and a stop on NaN loss."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from transformers import TrainerCallback

from seedling.formats.atomic import write_text


class MetricsLog(TrainerCallback):
    """Appends one JSON line per logged step: step, loss, lr, grad norm, tokens/s."""

    def __init__(self, path: Path):
        self.path = path
        self._last: tuple[float, float] | None = None  # (time, cumulative tokens)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs or "loss" not in logs or not state.is_world_process_zero:
            return  # under DDP every process logs the same loss, averaged over them all
        now, tokens = time.perf_counter(), logs.get("num_tokens")
        rate = None
        if tokens is not None and self._last is not None and tokens > self._last[1]:
            rate = round((tokens - self._last[1]) / (now - self._last[0]), 1)
        if tokens is not None:
            self._last = (now, tokens)
        row = {
            "step": state.global_step,
            "epoch": round(state.epoch or 0.0, 4),
            "loss": logs["loss"],
            "lr": logs.get("learning_rate"),
            "grad_norm": logs.get("grad_norm"),
            "tokens": tokens,
            "tokens_per_s": rate,
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
        speed = f"  {rate:.0f} tok/s" if rate else ""
        lr = f"  lr {row['lr']:.2e}" if row["lr"] is not None else ""
        print(f"step {state.global_step}/{state.max_steps}  loss {row['loss']:.4f}{lr}{speed}", flush=True)


class NanGuard(TrainerCallback):
    """Stops at the first non-finite loss and vetoes the checkpoint of that step, so the last
    checkpoint on disk is the last good one."""

    def __init__(self):
        self.bad_step: int | None = None
        self.bad_loss: float | None = None

    def on_log(self, args, state, control, logs=None, **kwargs):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            self.bad_step, self.bad_loss = state.global_step, loss
            control.should_training_stop = True
            control.should_save = False


def keep_metrics_up_to(path: Path, step: int) -> None:
    """On resume, drop log lines past the checkpoint: those steps are about to run again."""
    if not path.exists():
        return
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = [line for line in rows if json.loads(line)["step"] <= step]
    write_text(path, "".join(line + "\n" for line in kept))
