"""Sharded generation with the scripted fake teacher: deterministic shards, completion markers,
merge across shards, and a shard killed with kill -9 then rerun."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import typer
from typer.testing import CliRunner

from generate.cli import register
from generate.executors import run_local
from generate.merge import merge
from generate.rundir import RunDir
from generate.shards import MARKER, Shard, run_shard, shard_num, shard_options, shard_root
from seedling import load
from seedling.errors import ConfigError, SeedlingError
from tests.helpers.paths import ROOT, SEED_TASKS
from tests.helpers.fake_teacher import FAKE, REPEATS, content, options, slow_script, snapshot

def test_shard_plan_is_deterministic_and_covers_num():
    assert [shard_num(10, Shard(k, 4)) for k in range(1, 5)] == [3, 3, 2, 2]
    seeds = {shard_options(options(), Shard(k, 4)).seed for k in range(1, 5)}
    assert len(seeds) == 4 and shard_options(options(), Shard(2, 4)).seed == shard_options(options(), Shard(2, 4)).seed
    assert shard_options(options(seed=3), Shard(1, 1)).seed == 3  # a single shard is the plain run
    assert Shard.parse("3/8") == Shard(3, 8)
    for bad in ("0/4", "5/4", "3", "a/b"):
        with pytest.raises(ConfigError, match="shard"):
            Shard.parse(bad)
    with pytest.raises(ConfigError, match="every shard needs at least one row"):
        shard_options(options(num=3), Shard(1, 4))


def test_shards_give_the_same_rows_each_time_and_merge_in_order(tmp_path):
    for out in (tmp_path / "a", tmp_path / "b"):
        for k in (2, 1, 3):  # the order shards run in does not matter
            assert run_shard(options(), out, Shard(k, 3)).status == "done"
    for k in (1, 2, 3):
        a, b = (content(shard_root(out, Shard(k, 3)) / "generate" / "generated.jsonl") for out in (tmp_path / "a",
                                                                                                   tmp_path / "b"))
        assert a == b and len(a) == 4
    merged = merge(tmp_path / "a")
    rows = load(merged.output).records
    shard_rows = [r.id for k in (1, 2, 3) for r in load(shard_root(tmp_path / "a", Shard(k, 3)) / "generate"
                                                          / "generated.jsonl").records]
    assert [r.id for r in rows] == shard_rows  # nothing in common here: all kept, in shard order
    assert {r.source for r in rows} == {"generated"}
    stats = json.loads((tmp_path / "a" / "generate" / "stats.json").read_text())
    assert stats["accepted"] == 12 and stats["target"] == 12 and stats["tokens_out"] > 0


def test_merge_dedups_across_shards_with_the_online_tiers(tmp_path):
    script = tmp_path / "repeats.json"
    script.write_text(json.dumps(REPEATS))
    opts = options(model=str(script), num=9)
    merged = run_local(opts, tmp_path / "run", 3)
    report = json.loads((tmp_path / "run" / "generate" / "merge.json").read_text())
    # The haiku is the same row in every shard (same id); the limerick's answer differs by shard.
    assert report["removed_across_shards"] == {"duplicate_id": 2, "near_duplicate": 2}
    assert [r["shard"] for r in report["removed"]] == ["2/3", "2/3", "3/3", "3/3"]
    rows = load(merged.output).records
    assert merged.rows == len(rows) == 9 - 4 and len({r.id for r in rows}) == len(rows)
    assert sum("haiku" in r.instruction for r in rows) == 1 and sum("limerick" in r.instruction for r in rows) == 1
    stats = json.loads((tmp_path / "run" / "generate" / "stats.json").read_text())
    assert stats["rejected"]["duplicate_id_across_shards"] == 2


def test_merge_names_missing_and_unfinished_shards_or_merges_partial(tmp_path):
    out = tmp_path / "run"
    run_shard(options(), out, Shard(1, 3))
    assert run_shard(options(max_batches=1), out, Shard(2, 3)).status == "unfinished"
    assert not (shard_root(out, Shard(2, 3)) / MARKER).exists()
    with pytest.raises(SeedlingError, match=r"1 of 3 shards complete; never started: 3/3; started but not "
                                            r"complete \(no completion marker\): 2/3.*--partial"):
        merge(out)
    partial = merge(out, partial=True)
    report = json.loads((out / "generate" / "merge.json").read_text())
    assert report["partial"] and report["missing"] == ["3/3"] and report["unfinished"] == ["2/3"]
    assert partial.rows == 4 and report["target"] == 4
    with pytest.raises(SeedlingError, match="no shard directories"):
        merge(tmp_path / "empty")


def test_a_finished_shard_reruns_nothing_and_a_changed_num_reopens_it(tmp_path):
    out = tmp_path / "run"
    run_shard(options(), out, Shard(1, 2))
    before = snapshot(out)
    assert run_shard(options(), out, Shard(1, 2)).status == "skipped"
    assert snapshot(out) == before  # not a byte written, no teacher built
    marker = shard_root(out, Shard(1, 2)) / MARKER
    grown = run_shard(options(num=16), out, Shard(1, 2))  # a larger --num: the shard grows, resuming
    assert grown.status == "done" and grown.rows == 8
    assert json.loads(marker.read_text())["rows"] == 8
    with pytest.raises(ConfigError, match=r"different config \(changed: temperature\)"):
        run_shard(options(num=16, temperature=1.0), out, Shard(1, 2))
    assert not marker.exists()  # a shard of another plan is never taken as complete


def test_a_shard_whose_file_changed_is_not_trusted(tmp_path):
    out = tmp_path / "run"
    run_local(options(num=4), out, 2)
    path = shard_root(out, Shard(2, 2)) / "generate" / "generated.jsonl"
    path.write_text(path.read_text().splitlines(keepends=True)[0])
    with pytest.raises(SeedlingError, match="started but not complete.*2/2"):
        merge(out)


def test_cli_shard_then_merge(tmp_path):
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    common = ["--seeds", str(SEED_TASKS), "--num", "6", "--out", str(tmp_path / "r"), "--engine", "fake",
              "--model", str(FAKE)]
    for k in (1, 2):
        result = CliRunner().invoke(app, ["generate", *common, "--shard", f"{k}/2"])
        assert result.exit_code == 0, result.output
    again = CliRunner().invoke(app, ["generate", *common, "--shard", "2/2"])
    assert "already complete" in again.output
    result = CliRunner().invoke(app, ["merge", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert len(load(tmp_path / "r" / "generate" / "generated.jsonl").records) == 6
    bad = CliRunner().invoke(app, ["generate", *common, "--shard", "1/2", "--shards", "2"])
    assert isinstance(bad.exception, ConfigError)


def test_a_shard_killed_mid_way_and_rerun_loses_and_duplicates_nothing(tmp_path):
    fake = slow_script(tmp_path)
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "seedling", "generate", "--seeds", str(SEED_TASKS), "--num", "60", "--out",
           str(out), "--engine", "fake", "--model", str(fake), "--shard", "2/2"]
    rundir = shard_root(out, Shard(2, 2)) / "generate"
    accepted = lambda: [r.id for r in RunDir(rundir).rows()] if rundir.exists() else []  # noqa: E731
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while len(accepted()) < 8 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    seen = accepted()
    assert 0 < len(seen) < 30 and not (rundir.parent / MARKER).exists()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [r.id for r in load(rundir / "generated.jsonl").records]
    assert len(rows) == 30 and len(set(rows)) == 30 and rows[: len(seen)] == seen
    assert (rundir.parent / MARKER).exists()
