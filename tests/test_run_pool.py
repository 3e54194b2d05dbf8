"""`seedling run` on a pool the user already has: no teacher, the pool split into rows to learn
from and a held-out set by instruction, curate selects from the kept rows, and the selected,
random and all-rows students are trained at equal steps and seed."""

import json

import pytest
import yaml

from seedling.errors import ConfigError
from seedling.formats import load, save
from seedling.resources import data_path
from seedling.run.runner import run


def config(tmp_path, tiny_model_dir, **run_keys):
    pool = tmp_path / "pool.jsonl"
    save(load(data_path("seed_tasks.jsonl")).records[:40], pool)
    path = tmp_path / "pool.yaml"
    path.write_text(yaml.safe_dump({
        "run": {"pool": str(pool), "eval_fraction": 0.2, "compare_raw": False, **run_keys},
        "curate": {"select": 0.5},
        "tune": {"student": str(tiny_model_dir), "max_steps": 2, "batch_size": 4, "max_length": 192, "lora_r": 4,
                 "dtype": "float32", "save_steps": 2, "samples": 0, "checks": "off", "eval_max_rows": 8}}))
    return path, pool


@pytest.mark.slow
def test_a_run_on_a_pool_selects_and_compares_three_students_without_a_teacher(tmp_path, tiny_model_dir):
    path, pool = config(tmp_path, tiny_model_dir)
    run(path, tmp_path / "r")
    m = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert "generate" not in m["stages"] and "teacher" not in m["models"]
    assert [m["stages"][s]["status"] for s in ("split", "curate", "tune", "compare-selected", "compare-random")] == \
        ["done"] * 5
    assert m["inputs"]["pool"]["rows"] == 40
    learn = load(tmp_path / "r" / "split" / "seeds.jsonl").records
    held = load(tmp_path / "r" / "split" / "held_out.jsonl").records
    assert len(learn) + len(held) == 40 and not {r.instruction for r in learn} & {r.instruction for r in held}
    selection = [json.loads(line) for line in (tmp_path / "r" / "curate" / "selection.jsonl").open()]
    assert {"quality", "learned"} <= set(selection[0]["parts"])
    chosen = json.loads((tmp_path / "r" / "compare-selected" / "tune" / "eval.json").read_text())
    drawn = json.loads((tmp_path / "r" / "compare-random" / "tune" / "eval.json").read_text())
    assert chosen["data"]["train_rows"] == drawn["data"]["train_rows"] > 0
    assert chosen["train"]["steps"] == drawn["train"]["steps"] == 2
    page = (tmp_path / "r" / "report.html").read_text()
    assert "a run on a pool has no generate step" in page and "curated and trained on" in page
    assert "The teacher wrote" not in page


def test_the_shipped_seed_tasks_as_a_pool_keep_their_licence_in_the_manifest(tmp_path, tiny_model_dir):
    from rich.console import Console

    from seedling.run.runner import describe_inputs, load_options
    from seedling.run.stages import RunContext

    path, _ = config(tmp_path, tiny_model_dir)
    text = path.read_text().replace(str(tmp_path / "pool.jsonl"), str(data_path("seed_tasks.jsonl")))
    path.write_text(text)
    _, opts = load_options(path)
    facts = describe_inputs(RunContext(tmp_path / "r", opts, Console()))
    assert facts["pool"]["rows"] == 175 and facts["pool"]["license"].startswith("Apache-2.0")


def test_a_pool_run_with_seed_tasks_too_is_refused(tmp_path, tiny_model_dir):
    path, pool = config(tmp_path, tiny_model_dir, seeds=str(data_path("seed_tasks.jsonl")))
    with pytest.raises(ConfigError, match="remove run.seeds"):
        run(path, tmp_path / "r")
