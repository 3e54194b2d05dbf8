"""The generate part of bench/scale.py (`python bench/scale.py --parts generate`): generation
over several teacher servers, and what a dying server costs.

Small OpenAI-compatible servers on 127.0.0.1 (tests/helpers/fake_openai.py) answer after a
fixed latency, each serving at most `--slots` requests at once, like a GPU server's batch.
seedling's own openai engine sends the same self-instruct prompts to 1 server, then to 3
(same per-server cap): `throughput_ratio` is rows/s with 3 over rows/s with 1 (goal >= 2.7).
Then one of 3 servers dies after answering half its share, dropping the requests it holds:
`kill_lost_rows` (prompts without their answer, or with another prompt's) and
`kill_duplicated_rows` (prompts answered twice) should both be 0. Last, the real generate
runner (engine openai, a scripted teacher behind the servers) runs to `--runner-num` rows
while one of 3 servers dies halfway: its output rows, target and duplicate ids.

The client's own CPU cost per request (the openai client, JSON) bounds the ratio on a
small shared machine; the latency is set well above it.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from seedling.formats import load
from seedling.teachers import Sampling, make_teacher
from tests.helpers.fake_openai import FakeOpenAIServer

ROOT = Path(__file__).resolve().parents[1]
FAKE_SCRIPT = ROOT / "tests" / "data" / "generate" / "fake_teacher.json"


def chats(n: int) -> list[list[dict]]:
    seeds = load(ROOT / "data" / "seed_tasks.jsonl").records
    return [[{"role": "user", "content": f"Task {i}: {seeds[i % len(seeds)].instruction}"}] for i in range(n)]


def through(urls: list[str], prompts: list[list[dict]], slots: int) -> tuple[list[str], float]:
    teacher = make_teacher("openai", "served", base_urls=urls, concurrency=slots, retries=2)
    try:
        start = time.perf_counter()
        out = teacher.complete(prompts, Sampling(max_tokens=64))
        return [c.text for c in out], time.perf_counter() - start
    finally:
        teacher.close()


def bench_generate(args) -> dict:
    prompts = chats(args.requests)
    expected = ["echo: " + p[-1]["content"] for p in prompts]
    result: dict = {"latency_s": args.latency, "slots_per_server": args.slots, "requests": args.requests}

    warm = FakeOpenAIServer()  # the first requests of a process pay for imports and setup
    through([warm.url], prompts[:4], args.slots)
    warm.close()
    rates: dict[int, list[float]] = {1: [], 3: []}
    for _ in range(args.repeats):  # alternated, so drifting load on a shared machine hits both
        for n in (1, 3):
            servers = [FakeOpenAIServer(latency=args.latency, slots=args.slots) for _ in range(n)]
            try:
                texts, wall = through([s.url for s in servers], prompts, args.slots)
            finally:
                for s in servers:
                    s.close()
            assert texts == expected, f"{n} server(s): answers out of order or wrong"
            rates[n].append(len(texts) / wall)
    result["rows_per_s_1_server"] = round(statistics.median(rates[1]), 2)
    result["rows_per_s_3_servers"] = round(statistics.median(rates[3]), 2)
    result["ideal_rows_per_s_1_server"] = round(args.slots / args.latency, 2)
    result["throughput_ratio"] = round(statistics.median(rates[3]) / statistics.median(rates[1]), 2)

    share = args.requests // 3
    servers = [FakeOpenAIServer(latency=args.latency, slots=args.slots, kill_after=share // 2)]
    servers += [FakeOpenAIServer(latency=args.latency, slots=args.slots) for _ in range(2)]
    try:
        texts, wall = through([s.url for s in servers], prompts, args.slots)
    finally:
        for s in servers:
            s.close()
    answered = Counter(q for s in servers for q in s.answered)
    result.update({
        "kill_server_answered": len(servers[0].answered),
        "kill_requests_moved": servers[0].dropped,
        "kill_lost_rows": sum(t != e for t, e in zip(texts, expected)) + len(expected) - len(texts),
        "kill_duplicated_rows": sum(c - 1 for c in answered.values() if c > 1),
        "kill_rows_per_s": round(len(texts) / wall, 2),
    })
    if args.runner_num:
        result.update(bench_runner(args))
    return result


def scripted_answer() -> Callable[[dict], str]:
    """The fake engine's script behind a server, so the generate runner gets parsable text."""
    teacher = make_teacher("fake", str(FAKE_SCRIPT))
    lock = threading.Lock()

    def answer(body: dict) -> str:
        with lock:
            return teacher.complete([body["messages"]], Sampling(seed=body.get("seed") or 0))[0].text

    return answer


def bench_runner(args) -> dict:
    from generate.options import GenerateOptions
    from generate.runner import generate

    answer = scripted_answer()
    servers = [FakeOpenAIServer(latency=args.latency / 10, slots=args.slots, answer=answer)
               for _ in range(3)]
    killed = threading.Event()

    def kill_halfway(out: Path) -> None:
        shards = out / "generate"
        while not killed.is_set():
            rows = sum(sum(1 for _ in p.open()) for p in shards.rglob("*.jsonl") if p.is_file())
            if rows >= args.runner_num // 2:
                servers[0].kill()
                killed.set()
            time.sleep(0.05)

    with tempfile.TemporaryDirectory(prefix="scale-bench-") as tmp:
        out = Path(tmp) / "run"
        opts = GenerateOptions(seeds=str(ROOT / "data" / "seed_tasks.jsonl"), num=args.runner_num,
                               engine="openai", model="served", base_urls=[s.url for s in servers],
                               concurrency=args.slots, retries=2)
        watcher = threading.Thread(target=kill_halfway, args=(out,), daemon=True)
        watcher.start()
        start = time.perf_counter()
        try:
            done = generate(opts, out)
        finally:
            killed.set()
            for s in servers:
                s.close()
        wall = time.perf_counter() - start
        rows = load(done.output).records
    ids = Counter(r.id for r in rows)
    return {"runner_target": args.runner_num, "runner_rows": len(rows),
            "runner_duplicate_ids": sum(c - 1 for c in ids.values() if c > 1),
            "runner_server_killed": servers[0].dead.is_set(), "runner_wall_s": round(wall, 1)}
