"""The openai engine over several loopback servers: load follows outstanding requests, the
per-server cap holds, and a server killed mid-run loses and duplicates nothing."""

import logging
import time

import pytest

from seedling.teachers import Sampling, make_teacher
from tests.helpers.fake_openai import FakeOpenAIServer
from tests.helpers.marks import needs_openai

pytestmark = needs_openai


def chat(text):
    return [{"role": "user", "content": text}]


@pytest.fixture
def servers(request):
    made = []

    def start(**kw):
        made.append(FakeOpenAIServer(**kw))
        return made[-1]

    yield start
    for s in made:
        s.close()


def run(urls, n, concurrency, retries=2):
    teacher = make_teacher("openai", "m", base_urls=urls, concurrency=concurrency, retries=retries)
    try:
        return [c.text for c in teacher.complete([chat(f"q{i}") for i in range(n)], Sampling())]
    finally:
        teacher.close()


def test_a_faster_server_takes_more_of_the_load(servers):
    """Round-robin would give each server half; free slots on the fast one are refilled first."""
    fast, slow = servers(latency=0.01), servers(latency=0.2)
    out = run([slow.url, fast.url], 60, concurrency=3)
    assert out == [f"echo: q{i}" for i in range(60)]
    assert len(fast.answered) + len(slow.answered) == 60
    assert len(fast.answered) >= 40, (len(fast.answered), len(slow.answered))


def test_each_server_gets_at_most_its_cap(servers):
    a, b = servers(latency=0.05), servers(latency=0.05)
    out = run([a.url, b.url], 40, concurrency=4)
    assert out == [f"echo: q{i}" for i in range(40)]
    assert a.peak == 4 and b.peak == 4  # full, and never more than the cap
    assert 15 <= len(a.answered) <= 25  # equal servers share evenly


def test_a_server_killed_mid_run_loses_and_duplicates_nothing(servers, caplog):
    caplog.set_level(logging.WARNING)
    doomed = servers(latency=0.03, kill_after=10)
    others = [servers(latency=0.03), servers(latency=0.03)]
    out = run([doomed.url] + [s.url for s in others], 150, concurrency=4)
    assert out == [f"echo: q{i}" for i in range(150)]  # every prompt once, in order
    assert doomed.dead.is_set() and len(doomed.answered) == 10 and doomed.dropped >= 1
    answered = doomed.answered + [q for s in others for q in s.answered]
    assert sorted(answered) == sorted(f"q{i}" for i in range(150))  # no request answered twice
    assert "marked out" in caplog.text


def test_a_dead_server_is_probed_again_after_its_back_off(servers):
    a, b = servers(latency=0.01), servers(latency=0.01)
    teacher = make_teacher("openai", "m", base_urls=[a.url, b.url], concurrency=2, retries=0)
    try:
        a.kill()
        first = teacher.complete([chat(f"q{i}") for i in range(20)], Sampling())
        assert [c.text for c in first] == [f"echo: q{i}" for i in range(20)] and len(b.answered) == 20
        back = servers(latency=0.01, port=int(a.url.rsplit(":", 1)[1].split("/")[0]))
        [dead] = [s for s in teacher.servers.servers if s.url == a.url]
        time.sleep(max(dead.out_until - time.monotonic(), 0) + 0.05)
        second = teacher.complete([chat(f"r{i}") for i in range(20)], Sampling())
        assert [c.text for c in second] == [f"echo: r{i}" for i in range(20)]
        assert len(back.answered) >= 5  # a probe succeeded, then it took its share again
    finally:
        teacher.close()


def test_with_every_server_down_a_request_waits_for_the_probes_then_is_counted_failed(servers, caplog):
    caplog.set_level(logging.WARNING)
    a, b = servers(), servers()
    a.kill()
    b.kill()
    teacher = make_teacher("openai", "m", base_urls=[a.url, b.url], concurrency=2, retries=2)
    try:
        [out] = teacher.complete([chat("x")], Sampling())
    finally:
        teacher.close()
    assert out.skipped and out.note == "request_failed"
    assert caplog.text.count("marked out") >= 3  # both servers, then at least one probe
    assert "every server failed for a request after 2 retries" in caplog.text
