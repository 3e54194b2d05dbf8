import os
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

# The test process runs offline, as the command does (seedling.cli.run_offline), before any hub library loads.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


@pytest.fixture
def on_cpu(monkeypatch):
    """For a test of what seedling does on a CPU: models load there on a machine with a GPU too."""
    from seedling import device

    monkeypatch.setattr(device, "compute_device", lambda: "cpu")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random causal LM with its own tokenizer and chat template, built from a config
    in about a second, for fast tests of anything that runs a model."""
    from tests.helpers.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="module")
def ray_cluster():
    """A local 2-CPU Ray cluster whose workers import this checkout; skipped, with the reason,
    where Ray is absent or cannot start."""
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'seedling[ray]'), so the Ray "
                                            "executors cannot be tested here")
    old = os.environ.get("PYTHONPATH")
    # Workers must import the checkout under test, not another install of seedling.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), old) if p)
    try:
        ray.init(num_cpus=2, include_dashboard=False, object_store_memory=100 * 2**20, log_to_driver=False)
    except Exception as exc:  # noqa: BLE001  (whatever stops Ray from starting is the reason to skip)
        pytest.skip(f"a local Ray cluster cannot start on this machine: {type(exc).__name__}: {exc}")
    yield
    ray.shutdown()
    if old is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = old
