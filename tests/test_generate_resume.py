"""Stopping and resuming a generate run with the scripted fake teacher: --max-batches, a larger
--num, a changed config refused unless --new-run, a run stored before an option existed, and a
real kill -9 between batches."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generate.rundir import RunDir
from generate.runner import generate
from seedling import load
from seedling.errors import ConfigError
from seedling.hashing import fingerprint
from tests.helpers.fake_teacher import options, slow_script
from tests.helpers.paths import ROOT, SEED_TASKS


def run(tmp_path, **kw):
    return generate(options(**kw), tmp_path / "run")


def test_max_batches_stops_and_a_rerun_continues(tmp_path):
    first = run(tmp_path, num=30, max_batches=1)
    first_ids = [r.id for r in load(first.output).records]
    assert 0 < len(first_ids) < 30
    rows = load(run(tmp_path, num=30).output).records
    assert len(rows) == 30 and [r.id for r in rows[: len(first_ids)]] == first_ids


def test_changed_config_is_refused_unless_new_run(tmp_path):
    run(tmp_path)
    with pytest.raises(ConfigError, match=r"different config \(changed: temperature\).*--new-run"):
        run(tmp_path, temperature=1.0)
    result = generate(options(temperature=1.0), tmp_path / "run", new_run=True)
    assert load(result.output).records[0].meta["sampling"]["temperature"] == 1.0
    assert len(list(tmp_path.glob("run/generate.*"))) == 1  # the old run, moved aside


def test_a_larger_num_on_a_finished_run_resumes(tmp_path):
    run(tmp_path, num=5)
    assert len(load(run(tmp_path, num=9).output).records) == 9


def test_a_run_from_before_an_option_existed_resumes_when_the_option_is_at_its_default(tmp_path):
    first = [r.id for r in load(run(tmp_path, num=5).output).records]
    stored = tmp_path / "run" / "generate" / "config.json"
    config = json.loads(stored.read_text())["config"]
    assert config.pop("persona_axis") is None and config.pop("temperature") == 0.7  # as an older version wrote it
    stored.write_text(json.dumps({"fingerprint": fingerprint(config), "config": config}))
    with pytest.raises(ConfigError, match=r"changed: temperature\)"):  # not at its default: a change
        run(tmp_path, num=9, temperature=0.9)
    rows = load(run(tmp_path, num=9, temperature=0.7).output).records
    assert len(rows) == 9 and [r.id for r in rows[:5]] == first


def _accepted_ids(root: Path) -> list[str]:
    return [r.id for r in RunDir(root / "generate").rows()] if (root / "generate").exists() else []


def test_kill_9_and_rerun_loses_and_duplicates_nothing(tmp_path):
    fake = slow_script(tmp_path)
    out = tmp_path / "run"
    cfg = tmp_path / "small_batches.yaml"
    cfg.write_text("generate:\n  prompts_per_batch: 8\n")  # several batches, so the kills land between them
    cmd = [sys.executable, "-m", "seedling", "generate", "--seeds", str(SEED_TASKS), "--num", "40", "--out",
           str(out), "--engine", "fake", "--model", str(fake), "--config", str(cfg)]
    seen: list[str] = []
    for wait_for in (6, 20):  # kill once early, once later
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while len(_accepted_ids(out)) < wait_for and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        before = _accepted_ids(out)
        assert before[: len(seen)] == seen  # nothing accepted earlier went missing
        seen = before
        assert 0 < len(seen) < 40
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = load(out / "generate" / "generated.jsonl").records
    assert len(rows) == 40 and len({r.id for r in rows}) == 40
    assert [r.id for r in rows[: len(seen)]] == seen
    assert len(list((out / "generate" / "shards").glob("*.jsonl"))) == 3
