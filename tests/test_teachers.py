"""Engines behind the teacher protocol: context fitting, transformers on a tiny model, the
scripted fake, and the openai engine against a local stand-in server."""

import contextlib
import json
import logging
import os
import sys

import pytest
import torch

from seedling.teachers import Sampling, default_engine, make_teacher
from seedling.teachers.context import fit_prompt
from seedling.errors import ConfigError
from tests.helpers.fake_openai import FakeOpenAIServer, last_message
from tests.helpers.fake_teacher import FAKE
from tests.helpers.marks import needs_openai



def chat(text):
    return [{"role": "user", "content": text}]


def test_fit_prompt_skips_truncates_or_clips():
    assert fit_prompt(list(range(10)), 100, 50, "skip") == (list(range(10)), 50, None)
    assert fit_prompt(list(range(90)), 100, 50, "skip") == ([], 0, "prompt_too_long")
    assert fit_prompt(list(range(70)), 100, 50, "skip") == (list(range(70)), 30, "max_tokens_clipped")
    ids, new, note = fit_prompt(list(range(300)), 100, 50, "truncate")
    assert note == "prompt_truncated" and len(ids) + new <= 100 and ids[-1] == 299


def test_transformers_engine_batches_and_counts_a_prompt_too_long(tiny_model_dir):
    teacher = make_teacher("transformers", str(tiny_model_dir), batch_size=2)
    prompts = [chat("hello"), chat("Give three tips " * 3), chat("tips " * 600), chat("The cat sleeps.")]
    out = teacher.complete(prompts, Sampling(max_tokens=8, seed=1))
    assert len(out) == 4
    assert out[2].skipped and out[2].note == "prompt_too_long" and out[2].prompt_tokens > 512
    for c in (out[0], out[1], out[3]):
        assert not c.skipped and 0 < c.completion_tokens <= 8 and c.prompt_tokens > 0
        assert c.finish_reason in ("stop", "length")
    assert out[1].prompt_tokens > out[0].prompt_tokens
    assert teacher.info.engine == "transformers" and teacher.info.revision.startswith("sha256:")


def test_transformers_engine_truncates_when_asked(tiny_model_dir):
    teacher = make_teacher("transformers", str(tiny_model_dir), overflow="truncate")
    [c] = teacher.complete([chat("tips " * 600)], Sampling(max_tokens=8, temperature=0))
    assert not c.skipped and c.note == "prompt_truncated" and c.prompt_tokens < 512


def test_transformers_engine_draws_by_seed_and_prompt_not_by_its_history(tiny_model_dir):
    shared = make_teacher("transformers", str(tiny_model_dir), batch_size=2)
    prompts, sampling = ["Once upon", "The cat"], Sampling(max_tokens=12, temperature=1.5, top_p=1.0, seed=3)
    first = [c.text for c in shared.complete_raw(prompts, sampling)]
    shared.complete_raw(["Another run's prompt"], sampling)
    assert [c.text for c in shared.complete_raw(prompts, sampling)] == first
    fresh = make_teacher("transformers", str(tiny_model_dir), batch_size=2)
    assert [c.text for c in fresh.complete_raw(prompts, sampling)] == first
    other = [c.text for c in fresh.complete_raw(prompts, Sampling(max_tokens=12, temperature=1.5, top_p=1.0, seed=4))]
    assert other != first


def test_transformers_engine_decodes_the_cheap_cpu_way_and_writes_the_same_replies(tiny_model_dir, monkeypatch):
    from seedling.teachers import transformers_engine

    teacher = make_teacher("transformers", str(tiny_model_dir), batch_size=2)
    prompts = [chat("Give three tips for staying healthy."), chat("What is the capital of Japan?"), chat("hi")]
    sampling = Sampling(max_tokens=16, temperature=0.7, seed=5)
    used, cheap = [], transformers_engine.cpu_decoding
    monkeypatch.setattr(transformers_engine, "cpu_decoding", lambda model: used.append(model) or cheap(model))
    fast = [c.text for c in teacher.complete(prompts, sampling)]
    assert used and all(m is teacher.model for m in used)
    monkeypatch.setattr(transformers_engine, "cpu_decoding", lambda model: contextlib.nullcontext())
    assert [c.text for c in teacher.complete(prompts, sampling)] == fast


def test_fake_teacher_follows_its_script():
    teacher = make_teacher("fake", str(FAKE))
    out = teacher.complete([chat("Please come up with tasks"), chat("Complete the following task. Task: x")],
                           Sampling())
    assert out[0].text.startswith("1. Describe ") and "{words}" not in out[0].text
    assert out[1].text.startswith("Input: <noinput>")
    with pytest.raises(ConfigError, match="needs --model"):
        make_teacher("fake", None)


def test_unknown_engine_and_default_engine_named():
    with pytest.raises(ConfigError, match="unknown engine"):
        make_teacher("nope", None)
    name, why = default_engine()
    assert name in ("vllm", "transformers") and why


class Refusals:
    """A fake server's `fail` hook: the first `failures` requests, and every one that asks
    `poison`, are refused with `status`."""

    def __init__(self, failures=0, status=429, poison=None):
        self.failures, self.status, self.poison, self.poisoned = failures, status, poison, 0

    def __call__(self, body):
        if self.poison is not None and last_message(body) == self.poison:
            self.poisoned += 1
            return self.status
        if self.failures > 0:
            self.failures -= 1
            return self.status
        return None


@pytest.fixture
def server():
    s = FakeOpenAIServer(fail=Refusals(failures=2))
    yield s
    s.close()


@needs_openai
def test_openai_engine_retries_and_keeps_order(server, monkeypatch, caplog):
    monkeypatch.setenv("SEEDLING_TEST_KEY", "sk-test-secret")
    caplog.set_level(logging.DEBUG)
    teacher = make_teacher("openai", "served-model", base_urls=[server.url], api_key_env="SEEDLING_TEST_KEY",
                           concurrency=2, retries=3)
    out = teacher.complete([chat(f"q{i}") for i in range(5)], Sampling(max_tokens=5))
    assert [c.text for c in out] == [f"echo: q{i}" for i in range(5)]
    assert teacher.complete([chat("again")], Sampling())[0].text == "echo: again"  # a second round
    teacher.close()
    assert all(c.prompt_tokens == 7 and c.completion_tokens == 2 for c in out)  # "echo: qN"
    assert len(server.seen) == 6 and server.seen[0]["model"] == "served-model"
    assert set(server.auth) == {"Bearer sk-test-secret"}
    assert "sk-test-secret" not in caplog.text and "sk-test-secret" not in json.dumps(teacher.info.to_dict())


@needs_openai
def test_openai_engine_fails_over_to_the_next_url(server):
    dead = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    server.fail.failures = 0
    teacher = make_teacher("openai", "m", base_urls=[dead, server.url], retries=0, concurrency=4)
    out = teacher.complete([chat(f"q{i}") for i in range(4)], Sampling())
    assert [c.text for c in out] == [f"echo: q{i}" for i in range(4)]
    lone = make_teacher("openai", "m", base_urls=[dead], retries=0)
    failed = lone.complete([chat("q")], Sampling())  # counted by the caller, never raised
    assert failed[0].skipped and failed[0].note == "request_failed"


@needs_openai
def test_one_failing_request_is_retried_then_recorded_as_failed_not_raised():
    server = FakeOpenAIServer(fail=Refusals(status=500, poison="bad"))
    try:
        teacher = make_teacher("openai", "m", base_urls=[server.url], retries=2, concurrency=3)
        out = teacher.complete([chat("q0"), chat("bad"), chat("q2")], Sampling())
        teacher.close()
    finally:
        server.close()
    assert [c.text for c in out] == ["echo: q0", "", "echo: q2"]
    assert out[1].skipped and out[1].note == "request_failed"
    assert server.fail.poisoned == 3  # the first try and two retries


def test_openai_engine_needs_model_and_url():
    with pytest.raises(ConfigError, match="base URL"):
        make_teacher("openai", "m", base_urls=[])


@needs_openai
def test_openai_engine_continues_raw_text_or_says_the_server_cannot(server):
    server.fail.failures = 0
    teacher = make_teacher("openai", "m", base_urls=[server.url], retries=0)
    out = teacher.complete_raw(["<|im_start|>user\n", "abc"], Sampling())
    assert [(c.text, c.finish_reason) for c in out] == [(" more <|im_start|>user\n", "length"), (" more abc", "length")]
    server.chat_only = True
    with pytest.raises(ConfigError, match="no /completions endpoint"):
        teacher.complete_raw(["x"], Sampling())
    teacher.close()


def test_transformers_engine_reads_its_pre_query_template_and_continues_raw_text(tiny_model_dir):
    teacher = make_teacher("transformers", str(tiny_model_dir), batch_size=2)
    prefix = teacher.pre_query_template()
    assert prefix.endswith("<|im_start|>user\n") and "SEEDLING" not in prefix
    finished = []
    out = teacher.complete_raw([prefix, prefix + "Hello", prefix], Sampling(max_tokens=4),
                               on_done=lambda i, c: finished.append(i))
    assert sorted(finished) == [0, 1, 2] and all(c.completion_tokens > 0 for c in out)
    assert out[0].prompt_tokens == len(teacher.tokenizer(prefix, add_special_tokens=False)["input_ids"])


def test_engine_output_goes_to_the_log_file_not_the_terminal(tmp_path, capfd, request):
    from seedling.teachers.engine_log import engine_output_to

    log = tmp_path / "generate" / "engine.log"
    noisy = logging.getLogger("vllm")
    noisy.addHandler(logging.StreamHandler(sys.stderr))
    level = noisy.level  # a vLLM engine started earlier in this process set its own
    noisy.setLevel(logging.WARNING)
    request.addfinalizer(lambda: noisy.setLevel(level))
    with engine_output_to(log):
        os.write(2, b"NUMA binding notice from C++\n")
        os.write(1, b"Loading safetensors checkpoint shards\n")
    noisy.warning("set_num_threads skipped, on every call")
    os.write(2, b"seedling's own line\n")
    out, err = capfd.readouterr()
    text = log.read_text()
    assert "NUMA binding" in text and "Loading safetensors" in text and "set_num_threads" in text
    assert "NUMA" not in err + out and "set_num_threads" not in err and "seedling's own line" in err


def test_repeats_sees_a_looping_tail_but_not_a_quoted_input_or_a_rule():
    from seedling.teachers.loops import repeats

    assert repeats("Here is why:\n" + "The document supports the claim.\n" * 3)
    assert repeats("The best people are:\n\n" + "\U0001F468\U0001F3FC\u200d\u2640\ufe0f" * 14)
    assert repeats("Input:\n" + "```\nOutput:\n```\n\n" * 5)
    sentence = "Tom and Anna walked to the old harbour at dawn to watch the boats."
    assert not repeats(f"Input: {sentence}\nOutput: {sentence}")  # two copies: the answer quotes its input
    assert not repeats("Total\n" + "=" * 40)  # a rule, not a loop
    assert not repeats("def f():\n    if x:\n        return 1\n    }\n}\n}")
    assert not repeats("Sort the numbers: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19.")


def test_transformers_engine_stops_a_row_caught_in_a_loop(tiny_model_dir):
    teacher = make_teacher("transformers", str(tiny_model_dir))
    [c] = teacher.complete_raw(["ha " * 30], Sampling(max_tokens=200, temperature=0))
    assert c.finish_reason == "repeats" and c.completion_tokens < 200, c


def test_repeats_sees_a_loop_that_counts():
    from seedling.teachers.loops import repeats

    counting = "".join(f"Output: {k}. I will give you 8 tasks to complete.\n" for k in range(1, 5))
    assert repeats(counting)
    assert not repeats("Sorted: " + ", ".join(str(n * 7 % 97) for n in range(40)))


def test_a_list_stops_at_its_first_item_that_repeats_an_earlier_one():
    from seedling.teachers.loops import repeated_item, stuck

    orion = " Give me the names of the seven stars in Orion.\n10. Give a list of the names of the seven stars in Orion.\n11."
    assert repeated_item(orion) and stuck(orion, distinct_items=True) and not stuck(orion)
    assert not repeated_item(orion.removesuffix("\n11."))  # the second copy is not finished yet
    assert repeated_item(" Convert 85 F to Celsius.\n10. Convert 180 F to Celsius.\n11. Conv")
    distinct = (" Write a haiku about rain.\n10. Sort a list of numbers.\n11. Name the capital of Peru.\n"
                "12. Summarize the paragraph in one sentence.\n13.")
    assert not repeated_item(distinct) and not stuck(distinct, distinct_items=True)
    assert not repeated_item("Here are the steps:\n1. Boil the water.\n2. Add the pasta and boil it.\n3.")


def test_transformers_engine_stops_a_list_whose_items_repeat_only_when_asked(tiny_model_dir, monkeypatch):
    from seedling.teachers import transformers_engine

    monkeypatch.setattr(transformers_engine, "CHECK_EVERY", 1)
    teacher = make_teacher("transformers", str(tiny_model_dir))
    ids = teacher.tokenizer.encode(" Write a poem about the sea.\n10. Write a poem about the sea.\n11.",
                                   add_special_tokens=False)
    rows = torch.tensor([[0, 0] + ids])  # two prompt tokens, then the reply
    assert transformers_engine._loop_stop(teacher.tokenizer, 2, True)(rows, None).tolist() == [True]
    assert transformers_engine._loop_stop(teacher.tokenizer, 2, False)(rows, None).tolist() == [False]


def test_an_engine_given_an_option_it_does_not_take_is_an_error():
    with pytest.raises(ConfigError, match="fake engine does not take batch_size"):
        make_teacher("fake", str(FAKE), batch_size=2)


def test_options_for_another_engine_are_an_error_only_when_the_engine_is_named():
    from seedling.teachers.options import TeacherOptions

    portable = TeacherOptions(max_model_len=2048)  # a config for machines with and without vLLM
    assert "max_model_len" not in portable.engine_options("transformers")
    with pytest.raises(ConfigError, match="transformers engine does not take max_model_len"):
        TeacherOptions(engine="transformers", max_model_len=2048).engine_options("transformers")
    with pytest.raises(ConfigError, match="engine: Input should be"):
        TeacherOptions.given(engine="nope")


def test_generate_keys_are_not_engine_options():
    from generate.options import GenerateOptions

    opts = GenerateOptions(engine="fake", model=str(FAKE), num=3, seeds="s.jsonl")
    assert opts.engine_options("fake") == {}


def test_the_openai_engine_without_its_package_says_how_to_install_it(monkeypatch):
    from seedling.teachers import openai_engine

    monkeypatch.setattr(openai_engine, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match=r"pip install 'seedling\[openai\]'"):
        make_teacher("openai", "m", base_urls=["http://127.0.0.1:9"])
