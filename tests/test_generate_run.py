"""Whole runs with the scripted fake teacher: exact --num, counted rejections, provenance,
the config section and the CLI; resuming is in test_generate_resume.py."""

import json

import pytest
import typer
from typer.testing import CliRunner

from generate.cli import register
from generate.options import GenerateOptions
from generate.runner import generate
from seedling import load
from seedling.config import ConfigFile
from seedling.errors import ConfigError
from tests.helpers.paths import ROOT, SEED_TASKS
from tests.helpers.fake_teacher import FAKE, Recording, options

def run(tmp_path, **kw):
    return generate(options(**kw), tmp_path / "run")


def test_self_instruct_run_writes_exactly_num_rows_with_provenance(tmp_path):
    result = run(tmp_path)
    rows = load(result.output).records
    assert len(rows) == 12 and len({r.id for r in rows}) == 12
    assert {r.source for r in rows} == {"generated"}
    meta = rows[0].meta
    assert meta["method"] == "self-instruct" and meta["engine"] == "fake" and meta["batch"] == 1
    assert meta["teacher"]["model"] == str(FAKE) and meta["teacher"]["revision"].startswith("sha256:")
    assert set(meta["templates"]) == {"tasks", "answer"} and len(meta["templates"]["tasks"]["hash"]) == 16
    assert meta["sampling"]["temperature"] == 0.7 and len(meta["examples"]) == 8 and meta["created"]
    seed_ids = {r.id for r in load(SEED_TASKS).records}
    assert set(meta["examples"]) <= seed_ids
    stats = json.loads((tmp_path / "run" / "generate" / "stats.json").read_text())
    assert stats["accepted"] == 12 and stats["tokens_out"] > 0
    for reason in ("blocklisted_keyword", "leading_punctuation", "near_duplicate", "cut_off_item",
                   "output_cut_off", "unparsable_answer", "output_echoes_prompt", "echo_prompt"):
        assert stats["rejected"][reason] > 0, reason


def test_task_lists_are_continued_as_plain_text_after_the_examples(tmp_path):
    """Self-Instruct's own prompt: the teacher writes items 9 to 16 after 8 numbered examples,
    and a continuation that starts mid-item is read as item 9."""
    script = {"rules": [
        {"match": "come up with", "outputs": [" Describe {words} in two sentences.\n10. Explain why {words} matters."]},
        {"match": "complete the following task", "outputs": ["Input: <noinput>\nOutput: An answer about {words}."]}]}
    fake = tmp_path / "continue.json"
    fake.write_text(json.dumps(script))
    teacher = Recording(fake)
    rows = load(generate(options(model=str(fake), num=4, prompts_per_batch=2), tmp_path / "run",
                         teacher=teacher).output).records
    tasks = [r for r in teacher.requests if "ome up with" in r[1]]
    assert tasks and all(how == "raw" and text.splitlines()[-1] == "9." and "\n17." in stop
                         for how, text, stop in tasks)
    asks_distinct = {("ome up with" in text, d) for (_, text, _), d in zip(teacher.requests, teacher.distinct)}
    assert asks_distinct == {(True, True), (False, False)}  # lists stop when their items repeat; answers do not
    assert sorted(r.instruction.split()[0] for r in rows) == ["Describe", "Describe", "Explain", "Explain"]


def test_task_lists_are_asked_for_in_a_chat_turn_on_a_server_or_when_told(tmp_path):
    teacher = Recording()
    run_chat = generate(options(tasks_prompt="chat"), tmp_path / "run", teacher=teacher)
    tasks = [r for r in teacher.requests if "ome up with" in r[1]]
    assert tasks and all(how == "chat" and "\n9." in stop for how, _, stop in tasks)
    assert run_chat.stats.rejected["unparsable"] > 0  # "I am not sure what you mean." is no list
    from generate.methods.self_instruct import SelfInstruct

    assert not SelfInstruct(options(engine="openai", model="served")).raw and SelfInstruct(options()).raw


def test_later_batches_mix_in_generated_examples(tmp_path):
    result = run(tmp_path, num=30)
    seed_ids = {r.id for r in load(SEED_TASKS).records}
    later = [r for r in load(result.output).records if r.meta["batch"] > 1]
    assert any(len(set(r.meta["examples"]) - seed_ids) == 2 for r in later)


def test_evol_instruct_run(tmp_path):
    result = run(tmp_path, method="evol-instruct", num=5)
    rows = load(result.output).records
    assert len(rows) == 5
    assert all(r.meta["evolution"] for r in rows) and all(len(r.meta["examples"]) == 1 for r in rows)
    assert rows[0].instruction.startswith("Explain ") and rows[0].output.startswith("An evolved answer")


def test_rouge_similarity_gives_the_same_rows(tmp_path):
    a = load(run(tmp_path / "a").output).records
    b = load(run(tmp_path / "b", similarity="rouge").output).records
    assert [r.instruction for r in a] == [r.instruction for r in b]


def test_prompts_over_the_context_are_counted_not_fatal(tmp_path, tiny_model_dir):
    result = run(tmp_path, engine="transformers", model=str(tiny_model_dir), num=1, max_batches=1,
                 max_tokens=500, prompts_per_batch=2, seed_examples=30)
    assert result.stats.rejected["prompt_too_long"] == 2 and result.stats.accepted == 0


def test_config_section_rejects_unknown_keys(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("generate:\n  num: 3\n  temprature: 0.5\n")
    with pytest.raises(ConfigError, match=r"line 3: generate.temprature"):
        ConfigFile(cfg).build("generate")


def test_cli_command_with_config_file(tmp_path):
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"generate:\n  engine: fake\n  model: {FAKE}\n  prompts_per_batch: 2\n")
    result = CliRunner().invoke(app, ["generate", "--seeds", str(SEED_TASKS), "--num", "4", "--out",
                                      str(tmp_path / "r"), "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "wrote 4 rows" in result.output
    assert len(load(tmp_path / "r" / "generate" / "generated.jsonl").records) == 4


def test_a_copied_template_is_used_and_recorded(tmp_path):
    mine = tmp_path / "my_tasks.jinja"
    mine.write_text((ROOT / "generate" / "templates" / "self_instruct_tasks.jinja").read_text() + "\nBe brief.\n")
    rows = load(run(tmp_path, tasks_template=str(mine), num=3).output).records
    assert rows[0].meta["templates"]["tasks"]["name"] == str(mine)
    broken = tmp_path / "broken.jinja"
    broken.write_text("Come up with {{ exampels }}")
    with pytest.raises(ConfigError, match="'exampels' is undefined"):
        run(tmp_path / "b", tasks_template=str(broken))


def test_magpie_writes_queries_from_the_pre_query_template_without_seeds(tmp_path):
    script = {"pre_query": "<|im_start|>user\n",
              "rules": [{"match": "<|im_start|>user", "outputs": [
                  "Explain how {words} works, in one short paragraph.", "Explain how the moon moves the tides each day.",
                  "hi", {"text": "Describe the history of {words} and", "finish_reason": "length"}]},
                        {"match": "", "outputs": ["Here is a clear explanation of it.", {"text": "It is",
                                                                                            "finish_reason": "length"}]}]}
    fake = tmp_path / "magpie_fake.json"
    fake.write_text(json.dumps(script))
    opts = GenerateOptions(engine="fake", model=str(fake), num=6, method="magpie")
    result = generate(opts, tmp_path / "run")
    rows = load(result.output).records
    assert len(rows) == 6 and all(r.instruction.startswith("Explain how") for r in rows)
    meta = rows[0].meta
    assert meta["method"] == "magpie" and meta["examples"] == [] and len(meta["pre_query_hash"]) == 16
    assert meta["templates"]["pre_query"]["name"] == "teacher chat template"
    rejected = result.stats.rejected
    assert rejected["query_cut_off"] > 0 and rejected["too_short"] > 0 and rejected["output_cut_off"] > 0
    assert rejected["near_duplicate"] > 0
    assert result.stats.rows_per_1k_tokens > 0


def test_magpie_over_a_server_without_completions_says_so(tmp_path):
    from generate.methods.magpie import Magpie

    class ChatOnly:
        info = type("Info", (), {"engine": "openai"})()

    with pytest.raises(ConfigError, match="pre_query_template"):
        Magpie(GenerateOptions(method="magpie"))._prefix(type("T", (), {"teacher": ChatOnly()})())


def test_items_past_a_batch_need_wait_unscreened_for_the_next_batch():
    from types import SimpleNamespace

    from generate.filters import Origin
    from generate.methods.common import Candidate
    from generate.methods.self_instruct import SelfInstruct

    screened = []
    tools = SimpleNamespace(screen=lambda item, origin: screened.append(item) or item != "bad")
    method = SelfInstruct(options())
    origin = Origin((), "prompt")
    items = [(text, origin, Candidate("", examples=["seed-id"])) for text in ("a", "bad", "b", "c", "d")]
    first: list = []
    method._take(tools, items, first, need=2)
    assert [c.instruction for c in first] == ["a", "b"] and screened == ["a", "bad", "b"]
    assert [item for item, _, _ in method.spare] == ["c", "d"]
    later: list = []
    method._take(tools, method.spare, later, need=5)
    assert [c.instruction for c in later] == ["c", "d"] and later[0].examples == ["seed-id"] and method.spare == []


def test_progress_hears_of_every_finished_request():
    from seedling.teachers import Sampling, make_teacher

    from generate.filters import instruction_filters
    from generate.methods.common import Tools
    from generate.pool import Pool
    from generate.similarity import make_index
    from generate.tally import Tally

    heard = []
    tools = Tools(make_teacher("fake", str(FAKE)), Pool([], make_index("minhash")), Tally(), Sampling(),
                  instruction_filters(4, 150, None), 8000, 0.7, "self-instruct", {}, on_request=heard.append)
    chat_done = tools.ask(["Please come up with tasks", "Complete the following task. x"])
    raw_done = tools.ask(["<|im_start|>user\n"], raw=True)
    assert heard == chat_done + raw_done and tools.tally.tokens_out == sum(c.completion_tokens for c in heard)


def test_an_answer_stopped_in_a_loop_is_counted_not_kept_and_a_looping_list_is_cut_off(tmp_path):
    loop = "The document supports the claim.\n" * 3
    script = {"rules": [
        {"match": "come up with", "outputs": [
            "1. Describe {words} in two sentences.\n2. Explain why {words} matters.",
            {"text": "1. Summarize {words} for a child.\n2. Name {words} quickly.\n- The task is",
             "finish_reason": "repeats"}]},
        {"match": "complete the following task", "outputs": [
            "Input: <noinput>\nOutput: A good answer about {words}.", {"text": loop, "finish_reason": "repeats"}]}]}
    fake = tmp_path / "looping_fake.json"
    fake.write_text(json.dumps(script))
    result = generate(options(model=str(fake), num=6, prompts_per_batch=2), tmp_path / "run")
    rows = load(result.output).records
    assert len(rows) == 6 and not any("supports the claim" in r.output for r in rows)
    assert result.stats.rejected["output_repeats"] > 0 and result.stats.rejected["cut_off_item"] > 0
    assert not any(r.instruction.startswith("Name ") for r in rows)  # the looping list's last item was dropped
    spent = json.loads((tmp_path / "run" / "generate" / "state.json").read_text())["tally"]["spent"]
    assert 0 < spent["answers_output_repeats"] < spent["answers"] < result.stats.tokens_out
    assert spent["tasks"] + spent["answers"] == result.stats.tokens_out and 0 < spent["tasks_repeats"] < spent["tasks"]


def test_an_answer_the_audit_would_flag_is_rejected_by_its_check_and_another_task_takes_its_place(tmp_path):
    from seedling import quality

    placeholder = "Input: <noinput>\nOutput: N/A"
    loop = "Input: <noinput>\nOutput: " + "the cat sat on the mat and " * 8  # no engine stop: a loop that ran out
    script = {"rules": [
        {"match": "come up with", "outputs": [
            "1. Describe {words} in two sentences.\n2. Explain why {words} matters.\n3. Name a use of {words}."]},
        {"match": "complete the following task", "outputs": [
            placeholder, loop, "Input: <noinput>\nOutput: A good answer about {words}."]}]}
    fake = tmp_path / "flagged_fake.json"
    fake.write_text(json.dumps(script))
    result = generate(options(model=str(fake), num=6, prompts_per_batch=2, min_quality=0.7), tmp_path / "run")
    rows = load(result.output).records
    assert len(rows) == 6 and all(quality.score(r)[0] >= 0.7 for r in rows)
    assert result.stats.rejected["flagged_unanswered"] > 0 and result.stats.rejected["flagged_repetitive"] > 0
    spent = json.loads((tmp_path / "run" / "generate" / "state.json").read_text())["tally"]["spent"]
    assert spent["answers_flagged_repetitive"] > 0
    kept_all = load(generate(options(model=str(fake), num=6, prompts_per_batch=2), tmp_path / "all").output).records
    assert any(quality.score(r)[1] for r in kept_all)  # the default, 0, keeps what the checks flag


def test_answers_asked_for_grow_by_half_the_failures_seen():
    from seedling.teachers import Sampling, make_teacher

    from generate.filters import instruction_filters
    from generate.methods.common import Tools
    from generate.pool import Pool
    from generate.similarity import make_index
    from generate.tally import Tally

    tools = Tools(make_teacher("fake", str(FAKE)), Pool([], make_index("minhash")), Tally(), Sampling(),
                  instruction_filters(4, 150, None), 8000, 0.7, "self-instruct", {})
    assert tools.answers_for(10) == 10  # nothing seen yet: what is needed
    tools.ask_answers(["Complete the following task. x"] * 19)
    tools.tally.rows_made = 9  # half passed: 10 needed at a pass rate of 1/2 is 20, half the 10 extra asked
    assert tools.tally.answers_asked == 19 and tools.answers_for(10) == 15
    tools.tally.rows_made = 0
    assert tools.answers_for(10) == 40  # at most OVER_ASK times the rows needed


def test_a_later_round_sizes_its_requests_by_the_rows_per_request_of_earlier_rounds():
    from seedling.teachers import Sampling, make_teacher

    from generate.filters import instruction_filters
    from generate.methods.common import Tools
    from generate.pool import Pool
    from generate.similarity import make_index
    from generate.tally import Tally

    def tools(tally):
        return Tools(make_teacher("fake", str(FAKE)), Pool([], make_index("minhash")), tally, Sampling(),
                     instruction_filters(4, 150, None), 8000, 0.7, "self-instruct", {})

    first = tools(Tally())
    assert first.round_size(None, 32, 48, 2.0) == 16  # nothing seen: the prior's 2 rows a request
    first.tally.rows_made = 64  # 4 rows a request
    saved = first.tally.to_dict()  # state.json, read back by the next round's process
    assert tools(Tally.from_dict(saved)).round_size(None, 32, 48, 2.0) == 8


def test_interleaved_takes_every_lists_first_item_before_any_lists_second():
    from generate.methods.self_instruct import interleaved

    assert interleaved([["a1", "a2", "a3"], ["b1"], [], ["c1", "c2"]]) == ["a1", "b1", "c1", "a2", "c2", "a3"]

