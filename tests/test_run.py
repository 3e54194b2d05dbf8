"""`seedling run` end to end on the scripted fake teacher and the tiny random student: every
step runs once, a rerun skips what is done, a changed section re-runs that step and the ones
after it (the old outputs set aside), and a killed run resumes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from seedling.errors import ConfigError
from seedling.formats import load
from seedling.run.runner import run
from tests.helpers.fake_teacher import FAKE

STEPS = ["split", "generate", "curate", "tune", "compare-raw"]


def write_config(path: Path, tiny_model_dir: Path, **changes) -> Path:
    config = {
        "run": {"rounds": 2},
        "generate": {"engine": "fake", "model": str(FAKE), "num": 12, "prompts_per_batch": 2},
        "curate": {},
        "tune": {"student": str(tiny_model_dir), "max_steps": 3, "batch_size": 4, "max_length": 192, "lora_r": 4,
                 "dtype": "float32", "save_steps": 2, "samples": 2, "max_new_tokens": 8, "checks": "off",
                 "eval_max_rows": 8},
    }
    for section, values in changes.items():
        config[section] = {**config[section], **values}
    path.write_text(yaml.safe_dump(config))
    return path


def manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text())


@pytest.fixture(scope="module")
def finished(tmp_path_factory, tiny_model_dir):
    root = tmp_path_factory.mktemp("run")
    config = write_config(root / "t.yaml", tiny_model_dir)
    run(config, root / "t")
    return config, root / "t"


def _copy(run_dir: Path, tmp_path: Path) -> Path:
    """The finished run, copied: a test that runs again works on its own copy, so the shared
    fixture stays as the first run left it whatever the test does."""
    import shutil

    return Path(shutil.copytree(run_dir, tmp_path / run_dir.name))


@pytest.mark.slow
def test_a_run_goes_from_seed_tasks_to_two_evaluated_students_and_a_report(finished):
    _, run_dir = finished
    m = manifest(run_dir)
    assert [m["stages"][s]["status"] for s in STEPS] == ["done"] * 5
    assert m["stages"]["report"]["status"] == "done" and (run_dir / "report.html").stat().st_size > 1e6
    assert m["config"]["generate"]["num"] == 12 and m["models"]["teacher"]["engine"] == "fake"
    assert m["machine"]["dtype"] and m["inputs"]["seeds"]["sha256"]

    held = load(run_dir / "split" / "held_out.jsonl").records
    seeds = load(run_dir / "split" / "seeds.jsonl").records
    assert held and seeds and not {r.instruction for r in held} & {r.instruction for r in seeds}

    generated = load(run_dir / "generate" / "generated.jsonl").records
    assert len(generated) == 12
    rounds = json.loads((run_dir / "rounds.json").read_text())
    assert [p["round"] for p in rounds["rounds"]] == [1, 2] and rounds["bounds"] == [0, 6, 12]
    assert not any("steering" in r.meta for r in generated[:6])
    assert all("steering" in r.meta for r in generated[6:])
    steering = json.loads((run_dir / "rounds" / "round-1" / "steering.json").read_text())
    assert steering["coverage_judge"] == {"embedder": "static", "threshold": 0.7}  # round 2 chose as round 1 judged
    aimed = sum(1 for r in generated[6:] if "aimed_at" in r.meta["steering"])
    assert rounds["rounds"][1]["chosen_among"] == 4 and rounds["rounds"][1]["aimed_rows"] == aimed
    assert rounds["rounds"][0]["chosen_among"] is None
    assert ("Round 2 asked for 4 times the task lists an unsteered round would"
            in (report := (run_dir / "report.html").read_text()) and f"{aimed} of its 6 rows were picked" in report)

    curated = json.loads((run_dir / "tune" / "eval.json").read_text())
    raw = json.loads((run_dir / "compare-raw" / "tune" / "eval.json").read_text())
    assert raw["data"]["train_rows"] == curated["data"]["train_rows"]
    assert raw["train"]["steps"] == curated["train"]["steps"] == 3
    assert [e["id"] for e in raw["nll"]["per_example"]] == [e["id"] for e in curated["nll"]["per_example"]]
    assert "decontamination" in curated["data"]
    assert (run_dir / "tune" / "adapter" / "adapter_config.json").is_file()
    assert (run_dir / "compare-raw" / "tune" / "adapter" / "adapter_config.json").is_file()


@pytest.mark.slow
def test_the_report_renders_every_section_in_chromium(finished):
    from tests.helpers.browser import render

    page = render(finished[1] / "report.html")
    assert page.errors == []
    for section in ("summary", "inputs", "generation", "rounds", "curation", "diversity", "training",
                    "comparison", "samples", "card"):
        assert f'id="{section}"' in page.dom
    assert "Not run" not in page.dom
    assert page.dom.count('class="main-svg"') >= 6


@pytest.mark.slow
def test_a_rerun_skips_every_finished_step(tmp_path, finished):
    config, run_dir = finished[0], _copy(finished[1], tmp_path)
    before = manifest(run_dir)["stages"]
    stamp = (run_dir / "tune" / "eval.json").stat().st_mtime_ns
    run(config, run_dir)
    after = manifest(run_dir)["stages"]
    assert all(after[s]["finished"] == before[s]["finished"] for s in STEPS)
    assert (run_dir / "tune" / "eval.json").stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_the_manifest_repeats_the_run(tmp_path, finished):
    run_dir = _copy(finished[1], tmp_path)
    before = manifest(run_dir)["stages"]
    run(run_dir / "manifest.json", run_dir)
    assert all(manifest(run_dir)["stages"][s]["finished"] == before[s]["finished"] for s in STEPS)


@pytest.mark.slow
def test_options_an_upgrade_added_at_their_default_rerun_no_step(tmp_path, finished):
    from seedling.hashing import fingerprint

    config, run_dir = finished[0], _copy(finished[1], tmp_path)
    data = manifest(run_dir)
    added = {"generate": "persona_axis", "curate": "conflicts", "tune": "lora_dropout"}  # absent from an older version
    for step in (data["stages"][s] for s in STEPS):
        for section, option in added.items():
            if step["inputs"].get(section):
                step["inputs"][section].pop(option)
        step["fingerprint"] = fingerprint(step["inputs"])
    (run_dir / "manifest.json").write_text(json.dumps(data))
    run(config, run_dir)
    after = manifest(run_dir)["stages"]
    assert all(after[s]["finished"] == data["stages"][s]["finished"] for s in STEPS)
    assert not (run_dir / "superseded").exists()
    assert after["tune"]["inputs"]["tune"]["lora_dropout"] == 0.05  # stored anew, with the option


@pytest.mark.slow
def test_a_changed_tune_section_reruns_tune_and_compare_raw_only(tmp_path, finished, tiny_model_dir):
    import shutil

    _, done = finished
    run_dir = tmp_path / "t"
    shutil.copytree(done, run_dir)
    before = manifest(run_dir)["stages"]
    run(write_config(tmp_path / "t.yaml", tiny_model_dir, tune={"max_steps": 2}), run_dir)
    after = manifest(run_dir)["stages"]
    assert [after[s]["finished"] == before[s]["finished"] for s in STEPS] == [True, True, True, False, False]
    assert json.loads((run_dir / "compare-raw" / "tune" / "eval.json").read_text())["train"]["steps"] == 2
    aside = list((run_dir / "superseded").iterdir())
    assert sorted(p.name.split("-", 2)[-1] for p in aside) == ["compare-raw", "tune"]


def test_config_mistakes_are_named_before_any_work(tmp_path, tiny_model_dir):
    bad = tmp_path / "bad.yaml"
    bad.write_text("run:\n  rounds: 2\ntune:\n  max_stepz: 3\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: line 4: tune.max_stepz"):
        run(bad, tmp_path / "out")
    bad.write_text("generate:\n  seeds: mine.jsonl\n")
    with pytest.raises(ConfigError, match=r"line 2: in a run the seed tasks are run.seeds"):
        run(bad, tmp_path / "out")
    bad.write_text("run:\n  rounds: 2\n  seeds: nowhere.jsonl\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: line 3: run.seeds: no such file nowhere.jsonl"):
        run(bad, tmp_path / "out")
    good = write_config(tmp_path / "good.yaml", tiny_model_dir)
    with pytest.raises(ConfigError, match="--until evaluate: no such step"):
        run(good, tmp_path / "out", until="evaluate")
    assert not (tmp_path / "out" / "generate").exists()


@pytest.mark.slow
def test_a_run_killed_while_generating_resumes_to_the_same_end(tmp_path, tiny_model_dir):
    script = json.loads(FAKE.read_text())
    script["delay"] = 0.4
    slow = tmp_path / "slow.json"
    slow.write_text(json.dumps(script))
    config = write_config(tmp_path / "k.yaml", tiny_model_dir, generate={"model": str(slow)}, run={"compare_raw": False})
    run_dir = tmp_path / "k"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "seedling", "run", str(config), "--out", str(run_dir)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shards = run_dir / "generate" / "shards"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and not (shards.is_dir() and any(shards.iterdir())):
        time.sleep(0.1)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert manifest(run_dir)["stages"]["generate"]["status"] == "running"
    run(config, run_dir)
    m = manifest(run_dir)
    assert [m["stages"][s]["status"] for s in STEPS[:4]] == ["done"] * 4
    rows = load(run_dir / "generate" / "generated.jsonl").records
    assert len(rows) == 12 and len({r.id for r in rows}) == 12


def test_a_run_directory_in_use_is_refused_and_a_name_cannot_leave_runs(tmp_path, tiny_model_dir):
    import fcntl

    config = write_config(tmp_path / "c.yaml", tiny_model_dir)
    (tmp_path / "busy").mkdir()
    with open(tmp_path / "busy" / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(ConfigError, match="in use by another `seedling run`"):
            run(config, tmp_path / "busy")
    escape = tmp_path / "escape.yaml"
    escape.write_text("run:\n  name: ../elsewhere\n")
    with pytest.raises(ConfigError, match=r"escape.yaml: line 2: run.name"):
        run(escape)


@pytest.mark.slow
def test_from_redoes_a_step_and_the_ones_after_it(tmp_path, finished):
    import shutil

    config, done = finished
    run_dir = tmp_path / "t"
    shutil.copytree(done, run_dir)
    before = manifest(run_dir)["stages"]
    run(config, run_dir, start="curate", until="tune")
    after = manifest(run_dir)["stages"]
    assert [after[s]["finished"] == before[s]["finished"] for s in STEPS] == [True, True, False, False, True]
    assert sorted(p.name.split("-", 2)[-1] for p in (run_dir / "superseded").iterdir()) == ["curate", "tune"]


def test_an_eval_file_is_held_out_and_withheld_from_the_teacher(tmp_path):
    from seedling import Record, save
    from seedling.run.split import split_seeds

    seeds = [Record(f"Task number {i}.", f"Answer {i}.") for i in range(6)]
    save(seeds, tmp_path / "seeds.jsonl")
    save([Record("  task NUMBER 2. ", "Another answer."), Record("A new task.", "Its answer.")], tmp_path / "eval.jsonl")
    summary = split_seeds(tmp_path / "seeds.jsonl", tmp_path / "eval.jsonl", 0.1, 0, tmp_path)
    assert summary["seeds"] == 5 and summary["held_out"] == 2 and summary["seed_rows_withheld"] == 1
    assert "Task number 2." not in {r.instruction for r in load(tmp_path / "split" / "seeds.jsonl").records}
    with pytest.raises(ConfigError, match="both need at least one"):
        split_seeds(tmp_path / "seeds.jsonl", None, 0.0001, 0, tmp_path / "none")


@pytest.mark.slow
def test_a_moved_run_directory_is_still_the_same_tune_run(tmp_path, finished):
    import shutil

    from seedling.artifacts import TuneEval
    from seedling.run.layout import plugin
    from seedling.run.runner import load_options

    config, done = finished
    moved = tmp_path / "moved"
    shutil.copytree(done, moved)
    stamp = (moved / "tune" / "metrics.jsonl").stat().st_mtime_ns
    tune_opts = load_options(config)[1]["tune"]
    summary = plugin("tune").run(moved / "curate" / "kept.jsonl", moved / "tune", tune_opts,
                                 eval_file=moved / "split" / "held_out.jsonl")
    assert summary == TuneEval.model_validate_json((done / "tune" / "eval.json").read_text())
    assert (moved / "tune" / "metrics.jsonl").stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_a_run_with_select_trains_selected_random_and_all_rows_students(tmp_path, tiny_model_dir):
    config = write_config(tmp_path / "s.yaml", tiny_model_dir, run={"rounds": 1, "compare_raw": False},
                          curate={"select": 0.5, "score_cache": str(tmp_path / "scores")})
    run(config, tmp_path / "s")
    m = manifest(tmp_path / "s")
    steps = ["tune", "compare-selected", "compare-random"]
    assert [m["stages"][s]["status"] for s in steps] == ["done"] * 3
    evals = {s: json.loads((tmp_path / "s" / (s if s == "tune" else f"{s}/tune") / "eval.json").read_text()) for s in steps}
    assert len({e["train"]["steps"] for e in evals.values()}) == 1  # equal steps
    assert evals["compare-selected"]["data"]["train_rows"] == evals["compare-random"]["data"]["train_rows"]
    selected = load(tmp_path / "s" / "curate" / "selected.jsonl").records
    assert selected and all(0 < r.extra["learned"] < 1 for r in selected)
    page = (tmp_path / "s" / "report.html").read_text()
    assert page.index("three students at equal steps and seed") < page.index('id="summary"')


@pytest.mark.slow
def test_a_judge_compares_the_finished_students_without_retraining_them(tmp_path, finished, tiny_model_dir):
    import shutil

    _, done = finished
    run_dir = tmp_path / "t"
    shutil.copytree(done, run_dir)
    script = tmp_path / "judge.json"
    script.write_text(json.dumps({"rules": [{"match": "", "outputs": ["[[A]]", "[[B]]"]}]}))  # a wins both orders
    before = manifest(run_dir)["stages"]
    judged = {"judge": {"engine": "fake", "model": str(script)}, "judge_rows": 3}
    run(write_config(tmp_path / "t.yaml", tiny_model_dir, tune=judged), run_dir)
    after = manifest(run_dir)["stages"]
    assert all(after[s]["finished"] == before[s]["finished"] for s in STEPS)  # judging is no reason to retrain
    result = json.loads((run_dir / "judge" / "judged.json").read_text())["tune vs compare-raw"]
    assert result["summary"]["win_rate"] == 1.0 and result["summary"]["n"] == 3 and len(result["rows"]) == 3
    assert result["line"].startswith("win rate of tune over compare-raw: 1.000")
    assert after["judge"]["summary"] == {"win_rates": {"tune vs compare-raw": 1.0}}
    assert result["line"] in (run_dir / "report.html").read_text(encoding="utf-8")
    run(write_config(tmp_path / "t.yaml", tiny_model_dir, tune={**judged, "judge_rows": 2}), run_dir)
    again = manifest(run_dir)["stages"]
    # re-judged (a new fingerprint; the timestamps have one-second steps, and the fake judge is quicker)
    assert again["tune"]["finished"] == before["tune"]["finished"]
    assert again["judge"]["fingerprint"] != after["judge"]["fingerprint"]
    assert json.loads((run_dir / "judge" / "judged.json").read_text())["tune vs compare-raw"]["summary"]["n"] == 2
