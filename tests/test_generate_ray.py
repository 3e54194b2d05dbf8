"""The Ray executor on a local 2-CPU cluster: the same rows as the shards run one after another,
a killed worker's shard retried and resumed, finished shards skipped on restart, and a request
that fails on the teacher server counted inside its shard instead of failing it."""

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from seedling.errors import SeedlingError
from generate.executors import run_ray
from generate.merge import merge
from generate.rundir import RunDir
from generate.shards import Shard, run_shard, shard_root
from seedling import load
from seedling.teachers import Sampling
from seedling.teachers.fake import FakeTeacher
from tests.helpers.fake_openai import FakeOpenAIServer, last_message
from tests.helpers.fake_teacher import FAKE, REPEATS, content, options, snapshot

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'seedling[ray]'), so the Ray executor "
                                        "cannot be tested here")


def test_ray_shards_equal_the_same_shards_run_one_after_another(ray_cluster, tmp_path):
    opts = options(num=14)
    by_ray = run_ray(opts, tmp_path / "ray", 3)
    for k in (1, 2, 3):
        run_shard(opts, tmp_path / "seq", Shard(k, 3))
    by_hand = merge(tmp_path / "seq")
    for k in (1, 2, 3):
        a, b = (content(shard_root(tmp_path / d, Shard(k, 3)) / "generate" / "generated.jsonl") for d in ("ray", "seq"))
        assert a == b and a
    assert content(by_ray.output) == content(by_hand.output) and by_ray.rows == 14


def test_a_killed_worker_is_retried_and_a_restart_skips_finished_shards(ray_cluster, tmp_path):
    script = json.loads(FAKE.read_text())
    script["delay"] = 0.1
    fake = tmp_path / "slow_fake.json"
    fake.write_text(json.dumps(script))
    opts, out = options(model=str(fake), num=40), tmp_path / "run"
    result: dict = {}
    driver = threading.Thread(target=lambda: result.update(merged=run_ray(opts, out, 2)))
    driver.start()
    rundir = shard_root(out, Shard(1, 2)) / "generate"
    deadline = time.time() + 90
    while time.time() < deadline and (not rundir.exists() or len(list(RunDir(rundir).rows())) < 4):
        time.sleep(0.05)
    seen = [r.id for r in RunDir(rundir).rows()]
    first = next((rundir / "shards").glob("*.jsonl"))
    os.kill(int(first.stem.split("-")[1]), signal.SIGKILL)  # the worker writing shard 1 (its pid names the file)
    driver.join(timeout=120)
    assert not driver.is_alive() and "merged" in result
    rows = [r.id for r in load(rundir / "generated.jsonl").records]
    assert len(rows) == 20 and len(set(rows)) == 20 and rows[: len(seen)] == seen
    assert len(list((rundir / "shards").glob("*.jsonl"))) == 2  # the retry resumed in a new worker
    before = snapshot(out / "generate")
    run_ray(opts, out, 2)
    after = snapshot(out / "generate")
    assert {k: v for k, v in after.items() if k.startswith("shard-")} == \
        {k: v for k, v in before.items() if k.startswith("shard-")}


def scripted_server(script: Path, poison: str) -> tuple[FakeOpenAIServer, list[dict]]:
    """An OpenAI-compatible server that answers from a fake-teacher script and fails (HTTP 500)
    every request whose prompt contains `poison`; the list collects the failed requests."""
    teacher, lock, failed = FakeTeacher(str(script)), threading.Lock(), []

    def answer(body):
        with lock:
            c = teacher.complete([body["messages"]], Sampling(seed=body.get("seed", 0)))[0]
        return c.text, c.finish_reason

    def fail(body):
        if poison in last_message(body):
            failed.append(body)
            return 500
        return None

    return FakeOpenAIServer(answer=answer, fail=fail), failed


def test_a_failing_request_is_counted_in_its_shard_not_fatal(ray_cluster, tmp_path):
    script = tmp_path / "repeats.json"
    script.write_text(json.dumps(REPEATS))
    server, failed = scripted_server(script, poison="quiet morning sea")  # every shard's haiku cannot be answered
    try:
        opts = options(engine="openai", model="served", base_urls=[server.url], retries=1, num=8)
        merged = run_ray(opts, tmp_path / "run", 2)
    finally:
        server.close()
    assert merged.rows == 8 - 1  # the limerick, accepted by both shards, is merged once
    for k in (1, 2):
        stats = json.loads((shard_root(tmp_path / "run", Shard(k, 2)) / "generate" / "stats.json").read_text())
        assert stats["rejected"]["request_failed"] == 1 and stats["accepted"] == 4
    assert len(failed) == 4  # each shard's request: tried, retried once, then recorded as failed
    assert not any("haiku" in r.instruction for r in load(merged.output).records)


def test_an_error_inside_a_shard_is_reported_with_its_shard(ray_cluster, tmp_path):
    with pytest.raises(SeedlingError, match=r"2 of 2 shards did not complete: .*ConfigError: .*not a fake-teacher "
                                            r"script.*Rerun the same command"):
        run_ray(options(model=str(tmp_path / "missing.json"), num=4), tmp_path / "run", 2)
