from pathlib import Path

import pytest

import seedling  # noqa: F401  (sets the offline environment before any hub library loads)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
SEED_TASKS = ROOT / "data" / "seed_tasks.jsonl"


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random causal LM with its own tokenizer and chat template, built from a config
    in about a second, for fast tests of anything that runs a model."""
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))
