"""How a tune run reports its evaluation: figures named for what they are, intervals with their n."""

from seedling.artifacts import Difference, SeedRun
from tune.cli import difference_line, seeds_line


def test_the_terminal_names_the_paired_figure_and_calls_only_what_its_interval_shows():
    unclear = Difference(mean=-0.0381, ci95=[-0.09, 0.01], n=5, improved=3, differs=False)
    line = difference_line(unclear)
    assert "mean over examples" in line and "n = 5" in line and "no clear difference" in line
    clear = unclear.model_copy(update={"ci95": [-0.06, -0.01], "differs": True})
    assert difference_line(clear).endswith("student better; better on 3 of 5")
    assert "no interval" in difference_line(unclear.model_copy(update={"ci95": None, "n": 1}))
    seeds = [SeedRun(seed=0, steps=1, nll_per_token=1.5), SeedRun(seed=1, steps=1, nll_per_token=1.7)]
    assert seeds_line(seeds).endswith("seed 0 1.5, seed 1 1.7; sd across seeds 0.1414")
    assert "finds a difference of 0.0300 or more" in difference_line(clear.model_copy(update={"detectable": 0.03}))


def test_progress_goes_to_a_file_as_lines_with_rows_per_second():
    import io

    from tune.progress import RowMeter

    stream = io.StringIO()
    with RowMeter("held-out NLL, student", 10, stream=stream, every=0.0) as meter:
        for _ in range(5):
            meter.advance(2)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "held-out NLL, student: 10 rows"
    assert any("4/10 rows" in line and "rows/s" in line and "left" in line for line in lines[1:-1])
    assert lines[-1].startswith("held-out NLL, student: 10/10 rows in") and lines[-1].endswith("rows/s")


def _app():
    import typer

    from tune.cli import register

    app = typer.Typer()
    register(app)
    app.command("other")(lambda: None)  # with one command typer would drop the command's name
    return app


def test_sample_and_check_flags_reach_the_options(monkeypatch, tmp_path):
    import sys
    from types import SimpleNamespace

    from typer.testing import CliRunner

    seen = {}
    # the real tune.run imports TRL (seconds, for nothing here); None back: a process with nothing to show
    monkeypatch.setitem(sys.modules, "tune.run", SimpleNamespace(run_tune=lambda data, out, opts, resume:
                                                                 seen.update(opts=opts)))
    app = _app()
    result = CliRunner().invoke(app, ["tune", "x.jsonl", "--out", str(tmp_path), "--no-samples", "--no-checks"])
    assert result.exit_code == 0, result.output
    assert (seen["opts"].samples, seen["opts"].checks) == (0, "off")
    result = CliRunner().invoke(app, ["tune", "x.jsonl", "--out", str(tmp_path), "--samples", "2", "--checks"])
    assert result.exit_code == 0, result.output
    assert (seen["opts"].samples, seen["opts"].checks) == (2, "auto")


def test_every_tune_flag_says_its_default():
    from typer.testing import CliRunner

    text = " ".join(CliRunner().invoke(_app(), ["tune", "--help"], env={"COLUMNS": "200"}).output.split())
    for flag in ("--epochs", "--lr", "--batch-size", "--max-length", "--lora-r", "--seed", "--samples"):
        line = text[text.index(flag):][:200]
        assert "(default:" in line, line
    assert "(default: 8)" in text and "(default: 0.0002)" in text


def test_seeds_train_the_student_once_per_seed_on_the_same_rows(tiny_model_dir, tmp_path, monkeypatch):
    import json

    from seedling import Record, save
    from tune.options import TuneOptions
    from tune.run import run_tune

    data = tmp_path / "data.jsonl"
    save([Record(f"Name fruit number {i}.", f"Fruit {i} is a mango.") for i in range(24)], data)
    o = TuneOptions(student=str(tiny_model_dir), learning_rate=3e-2, max_steps=2, batch_size=8, max_length=64,
                    lora_r=4, save_steps=100, dtype="float32", warmup_ratio=0, checks="off", samples=0,
                    eval_fraction=0.25, seeds=[3, 4])
    out = tmp_path / "run"
    seeds = run_tune(data, out, o).seeds
    assert [s.seed for s in seeds] == [3, 4] and all(s.steps == 2 for s in seeds)
    assert seeds[0].per_example.keys() == seeds[1].per_example.keys() and seeds[0].per_example
    assert seeds[0].per_example != seeds[1].per_example  # another seed, another student
    assert json.loads((out / "seeds/seed-4/tune-config.json").read_text())["options"]["seeds"] == [4]
    assert list((out / "seeds/base-eval").glob("nll-*.json"))  # the base model scored once for both

    monkeypatch.setattr("tune.run.train", lambda *a, **k: (_ for _ in ()).throw(AssertionError("trained again")))
    from tune.run import Prepared, other_seed, prepare

    prep: Prepared = prepare(data, o)
    assert other_seed(prep, out, o, 4, out / "seeds/base-eval") == seeds[1]  # a finished seed is read back


def test_a_small_file_holds_out_enough_rows_to_measure_and_never_over_a_third():
    from tune.data import holdout_fraction

    assert holdout_fraction(1000, 0.1, 20) == 0.1  # 100 rows held out: enough
    assert holdout_fraction(100, 0.1, 20) == 0.2
    assert holdout_fraction(44, 0.1, 20) == 1 / 3  # 20 of 44 would leave too little to train on
    assert holdout_fraction(44, 0.0, 20) == 0.0 and holdout_fraction(44, 0.1, 0) == 0.1


def test_a_batch_that_ends_all_at_once_still_shows_it_is_moving(tiny_model_dir):
    import io

    from seedling import Record
    from seedling.models import load_causal_lm
    from tune.evaluate import generate
    from tune.progress import RowMeter

    model, tokenizer = load_causal_lm(tiny_model_dir, dtype="float32")
    stream, steps = io.StringIO(), []
    with RowMeter("greedy replies", 2, stream=stream, every=0.0) as meter:
        replies = generate(model, tokenizer, [Record("Say hi.", "-"), Record("Count to three.", "-")], 5,
                           lambda k: (steps.append(k), meter.note(f"token {k} of at most 5")))
        meter.advance(2)
    assert len(replies) == 2 and steps[:2] == [1, 2] and steps[-1] <= 5
    assert "greedy replies: token 1 of at most 5" in stream.getvalue()


def _student_with_a_real_adapter(tiny_model_dir):
    """The tiny model under a LoRA adapter whose weights are not zero, so base and student differ."""
    import torch
    from peft import LoraConfig, get_peft_model

    from seedling.models import load_causal_lm

    model, tokenizer = load_causal_lm(tiny_model_dir, dtype="float32")
    student = get_peft_model(model, LoraConfig(r=4, target_modules="all-linear", task_type="CAUSAL_LM"))
    torch.manual_seed(0)
    with torch.no_grad():
        for name, p in student.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    return student.eval(), tokenizer


def test_base_and_student_reply_in_one_batch_as_they_would_apart(tiny_model_dir, tmp_path):
    from seedling import Record
    from tune.base_cache import BaseCache
    from tune.evaluate import base_of, both, generate
    from tune.options import TuneOptions

    model, tokenizer = _student_with_a_real_adapter(tiny_model_dir)
    rows = [Record("Say hi.", "-"), Record("Count to three, please, in French.", "-")]
    opts = TuneOptions(max_new_tokens=6)
    with base_of(model):
        base_apart = generate(model, tokenizer, rows, 6)
    student_apart = generate(model, tokenizer, rows, 6)
    assert base_apart != student_apart  # else the test could not tell the adapters apart
    cache = BaseCache(tmp_path, model, opts)
    assert both(model, tokenizer, rows, opts, cache) == (base_apart, student_apart)
    assert cache.lookup("replies", rows) == base_apart  # stored for the next student


def test_a_student_scores_with_its_adapter_folded_in_and_keeps_its_weights(tiny_model_dir, on_cpu):
    """Folded or not, the same NLL (float error); the model's weights come back bit for bit,
    for a float32 model and for a bf16 one widened while it scores."""
    import pytest
    import torch
    from peft import LoraConfig, get_peft_model

    from seedling.models import load_causal_lm
    from seedling.nll import answer_nll, encode_pair, scoring_weights
    from seedling.record import Record
    from tune.evaluate import folded_adapter

    rows = [Record("Translate into French: the cat sleeps.", "Le chat dort."), Record("Name a colour.", "Blue.")]
    for dtype in (torch.float32, torch.bfloat16):
        model, tokenizer = load_causal_lm(str(tiny_model_dir), dtype="float32")
        student = get_peft_model(model.to(dtype), LoraConfig(r=4, target_modules="all-linear", task_type="CAUSAL_LM",
                                                              init_lora_weights=False)).eval()
        pairs = [encode_pair(tokenizer, r, 128) for r in rows]
        before = {name: t.clone() for name, t in student.state_dict().items()}
        with scoring_weights(student):
            adapter = answer_nll(student, pairs)
            with folded_adapter(student):
                assert student.base_model.model.model.layers[0].self_attn.q_proj.merged
                folded = answer_nll(student, pairs)
        assert [n for n, _ in folded] == pytest.approx([n for n, _ in adapter], rel=1e-5)
        after = student.state_dict()
        assert all(torch.equal(before[name], after[name]) and before[name].dtype == after[name].dtype
                   for name in before)
        assert not student.base_model.model.model.layers[0].self_attn.q_proj.merged
