"""The tune stage on the tiny random model: learning, masking, saving, NaN, resume, refusals."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from seedling import Record, save
from seedling.nll import completion_nll, encode_pair
from tune.data import split_holdout, to_prompt_completion
from tune.options import TuneOptions
from tune.run import run_tune
from tune.train import TuneError, build_trainer, load_student, train

TOY = [Record(f"Say the code word number {i}.", f"The code word is apple{i}.") for i in range(8)]


def opts(tiny_model_dir, **kw):
    base = dict(student=str(tiny_model_dir), learning_rate=3e-2, max_steps=20, batch_size=8, max_length=64,
                lora_r=8, save_steps=100, dtype="float32", warmup_ratio=0, checks="off", samples=0)
    return TuneOptions(**{**base, **kw})


def test_a_few_steps_reduce_the_loss_on_a_memorised_toy_set(tiny_model_dir, tmp_path):
    _, _, result = train(TOY, opts(tiny_model_dir), tmp_path, resume=False)
    assert result.steps == 20
    assert result.last_loss < result.first_loss - 0.1
    logged = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [m["step"] for m in logged] == list(range(1, 21))
    assert all(m["lr"] is not None and m["tokens"] for m in logged)


def test_only_the_response_tokens_carry_loss(tiny_model_dir, tmp_path, on_cpu):
    o = opts(tiny_model_dir)
    model, tokenizer, choice = load_student(o)
    trainer = build_trainer(TOY, o, tmp_path, model, tokenizer, choice)
    batch = next(iter(trainer.get_train_dataloader()))  # flat on a CPU: rows end to end (tune/speed.py)
    starts = (batch["position_ids"][0] == 0).nonzero().flatten().tolist() + [batch["input_ids"].shape[1]]
    assert len(starts) == len(TOY) + 1
    for a, b in zip(starts, starts[1:]):
        ids, labels = batch["input_ids"][0, a:b].tolist(), batch["labels"][0, a:b].tolist()
        record = next(r for r in TOY if encode_pair(tokenizer, r, 64)[0] == ids)
        expected_ids, n_prompt = encode_pair(tokenizer, record, 64)
        assert labels[:n_prompt] == [-100] * n_prompt
        assert labels[n_prompt:] == expected_ids[n_prompt:]
        assert tokenizer.decode(expected_ids[n_prompt:]).startswith(record.output)


def test_nll_matches_the_model_loss_on_the_reference(tiny_model_dir):
    from seedling.models import load_causal_lm

    model, tokenizer = load_causal_lm(str(tiny_model_dir), dtype="float32")
    (nll, tokens), = completion_nll(model, tokenizer, TOY[:1], batch_size=4, max_length=64)
    ids, n_prompt = encode_pair(tokenizer, TOY[0], 64)
    labels = torch.tensor([[-100] * n_prompt + ids[n_prompt:]], device=model.device)
    with torch.no_grad():
        loss = model(input_ids=torch.tensor([ids], device=model.device), labels=labels).loss
    assert tokens == len(ids) - n_prompt
    assert nll / tokens == pytest.approx(float(loss), rel=1e-4)
    batched = completion_nll(model, tokenizer, TOY, batch_size=3, max_length=64)
    single = [completion_nll(model, tokenizer, [r], batch_size=1, max_length=64)[0] for r in TOY]
    assert [round(n, 3) for n, _ in batched] == [round(n, 3) for n, _ in single]


def test_saved_adapter_reloads_with_the_same_logits(tiny_model_dir, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model, _, _ = train(TOY, opts(tiny_model_dir, max_steps=5), tmp_path, resume=False)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    reloaded = PeftModel.from_pretrained(base, tmp_path / "adapter").to(model.device).eval()
    ids = torch.tensor([[1, 20, 30, 40, 50]], device=model.device)
    model.eval()
    with torch.no_grad():
        assert torch.allclose(model(input_ids=ids).logits, reloaded(input_ids=ids).logits, atol=1e-5)
        with model.disable_adapter():
            assert not torch.allclose(model(input_ids=ids).logits, reloaded(input_ids=ids).logits, atol=1e-5)


def test_nan_loss_stops_with_a_clear_message_and_keeps_the_last_good_checkpoint(tiny_model_dir, tmp_path):
    with pytest.raises(TuneError, match=r"loss became nan at step 2; .* last good checkpoint is .*checkpoint-1"):
        train(TOY, opts(tiny_model_dir, learning_rate=1e30, max_steps=5, save_steps=1), tmp_path, resume=False)
    assert sorted(p.name for p in (tmp_path / "checkpoints").glob("checkpoint-*")) == ["checkpoint-1"]
    assert not (tmp_path / "adapter").exists()


def test_holdout_split_is_stable_under_reordering():
    records = [Record(f"task {i}", f"answer {i}") for i in range(200)]
    train_a, held_a = split_holdout(records, 0.1, seed=0)
    train_b, held_b = split_holdout(list(reversed(records)), 0.1, seed=0)
    assert {r.id for r in held_a} == {r.id for r in held_b}
    assert 5 <= len(held_a) <= 40 and not {r.id for r in held_a} & {r.id for r in train_a}


def test_prompt_completion_rows_carry_system_and_input():
    row = to_prompt_completion(Record("Translate.", "Bonjour.", "Hello.", meta={"system": "Be brief."}))
    assert row["prompt"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Translate.\n\nHello."}]
    assert row["completion"] == [{"role": "assistant", "content": "Bonjour."}]


def test_run_writes_eval_and_refuses_to_mix_runs(tiny_model_dir, tmp_path):
    data = tmp_path / "data.jsonl"
    save([Record(f"Name fruit number {i}.", f"Fruit {i} is a mango.") for i in range(40)], data)
    out = tmp_path / "run"
    o = opts(tiny_model_dir, max_steps=3, eval_fraction=0.2, samples=2, checks="auto", max_new_tokens=4)
    summary = run_tune(data, out, o)
    ev = json.loads((out / "eval.json").read_text())
    assert ev["nll"]["n"] == ev["held_out"] == summary.data.held_out_rows > 0
    assert ev["data"]["train_rows"] + ev["held_out"] == 40
    assert {"nll_per_token", "perplexity"} <= set(ev["nll"]["base"]) and "difference" in ev["nll"]
    assert len(ev["samples"]) == 2 and {"base", "student", "reference"} <= set(ev["samples"][0])
    assert ev["checks"]["prompts"] >= 16 and ev["checks"]["constraints"] >= 16
    card = (out / "adapter" / "README.md").read_text()
    assert str(tiny_model_dir) in card and ev["data"]["fingerprint"] in card
    assert (out / "loss.svg").read_text().startswith("<svg") and "NLL per token" in (out / "eval.md").read_text()

    with pytest.raises(TuneError, match="already holds this run's checkpoints; pass --resume"):
        run_tune(data, out, o)
    with pytest.raises(TuneError, match=r"different config \(changed: learning_rate\)"):
        run_tune(data, out, opts(tiny_model_dir, max_steps=3, eval_fraction=0.2, samples=2, checks="auto",
                                 max_new_tokens=4, learning_rate=1e-3), resume=True)


def test_eval_file_rows_are_removed_from_training(tiny_model_dir, tmp_path):
    rows = [Record(f"Name fruit number {i}.", f"Fruit {i} is a mango.") for i in range(12)]
    save(rows, tmp_path / "train.jsonl")
    save(rows[:3], tmp_path / "eval.jsonl")
    summary = run_tune(tmp_path / "train.jsonl", tmp_path / "run",
                       opts(tiny_model_dir, max_steps=1, eval_file=str(tmp_path / "eval.jsonl")))
    assert summary.data.removed_as_overlapping_eval == summary.data.decontamination.exact == 3
    assert summary.data.train_rows == 9 and summary.held_out == 3


def _tune_cmd(data, out, tiny, cfg, *extra):
    return [sys.executable, "-m", "seedling", "tune", str(data), "--out", str(out), "--student", str(tiny),
            "--max-steps", "30", "--save-steps", "5", "--batch-size", "4", "--lr", "3e-2",
            "--config", str(cfg), *extra]


@pytest.mark.slow
def test_kill_and_resume_gives_the_same_run(tiny_model_dir, tmp_path):
    data, cfg = tmp_path / "data.jsonl", tmp_path / "c.yaml"
    save([Record(f"Code word {i}?", f"The code word is apple{i}.") for i in range(24)], data)
    cfg.write_text("tune:\n  checks: 'off'\n  samples: 0\n  eval_fraction: 0.2\n  warmup_ratio: 0\n"
                   "  dtype: float32\n  max_length: 64\n  lora_dropout: 0.0\n")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    whole = tmp_path / "whole"
    subprocess.run(_tune_cmd(data, whole, tiny_model_dir, cfg), check=True, env=env, capture_output=True, timeout=300)

    cut = tmp_path / "cut"
    proc = subprocess.Popen(_tune_cmd(data, cut, tiny_model_dir, cfg), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 240
    while not (cut / "checkpoints" / "checkpoint-10" / "trainer_state.json").exists():
        assert proc.poll() is None and time.time() < deadline, "the run ended before it could be killed"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (cut / "adapter").exists()

    with pytest.raises(subprocess.CalledProcessError):
        subprocess.run(_tune_cmd(data, cut, tiny_model_dir, cfg), check=True, env=env, capture_output=True, timeout=300)
    subprocess.run(_tune_cmd(data, cut, tiny_model_dir, cfg, "--resume"), check=True, env=env, capture_output=True, timeout=300)

    a, b = (json.loads((d / "eval.json").read_text()) for d in (whole, cut))
    assert a["train"]["steps"] == b["train"]["steps"] == 30 and b["train"]["resumed_from"] >= 10
    steps = [json.loads(line)["step"] for line in (cut / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 31))
    assert b["train"]["last_loss"] == pytest.approx(a["train"]["last_loss"], rel=1e-3)
    assert b["nll"]["student"]["nll_per_token"] == pytest.approx(a["nll"]["student"]["nll_per_token"], rel=1e-3)


def test_a_short_run_spends_no_step_at_learning_rate_zero(tiny_model_dir, tmp_path):
    o = opts(tiny_model_dir, max_steps=6, warmup_ratio=0.03)
    model, tokenizer, choice = load_student(o)
    trainer = build_trainer(TOY, o, tmp_path, model, tokenizer, choice)
    trainer.create_optimizer_and_scheduler(num_training_steps=6)
    rates = []
    for _ in range(6):
        rates.append(trainer.lr_scheduler.get_last_lr()[0])
        trainer.optimizer.step()
        trainer.lr_scheduler.step()
    assert all(rate > 0 for rate in rates), rates


def test_a_long_run_keeps_whole_warm_up_steps():
    from tune.train import total_steps, warmup_steps

    assert warmup_steps(6, 0.03) == 0
    assert warmup_steps(100, 0.03) == 3
    assert total_steps(TuneOptions(student="x", epochs=2, grad_accum=2), batches_per_epoch=5) == 5


def test_students_sharing_a_base_cache_score_the_base_once_and_alike(tiny_model_dir, tmp_path, monkeypatch):
    import tune.evaluate

    rows = [Record(f"Name fruit number {i}.", f"Fruit {i} is a mango.") for i in range(12)]
    save(rows, tmp_path / "train.jsonl")
    save(rows[:3], tmp_path / "eval.jsonl")
    cache = tmp_path / "base-eval"
    o = opts(tiny_model_dir, max_steps=2, eval_file=str(tmp_path / "eval.jsonl"), samples=2, checks="auto",
             max_new_tokens=4)
    first = run_tune(tmp_path / "train.jsonl", tmp_path / "a", o, base_cache=cache)
    assert sorted(p.name.split("-")[0] for p in cache.iterdir()) == ["nll", "replies"]  # samples and checks: one batch

    calls = []
    real = tune.evaluate.completion_nll
    monkeypatch.setattr(tune.evaluate, "completion_nll", lambda *a, **k: calls.append(1) or real(*a, **k))
    other = opts(tiny_model_dir, max_steps=2, eval_file=str(tmp_path / "eval.jsonl"), samples=2, checks="auto",
                 max_new_tokens=4, learning_rate=1e-2)
    cached = run_tune(tmp_path / "train.jsonl", tmp_path / "b", other, base_cache=cache)
    assert len(calls) == 1  # the student's NLLs only: the base's came from the cache
    fresh = run_tune(tmp_path / "train.jsonl", tmp_path / "c", other)
    assert cached.nll.base == fresh.nll.base == first.nll.base
    assert [s.base for s in cached.samples] == [s.base for s in fresh.samples]
    assert cached.checks.base == fresh.checks.base and cached.nll.student == fresh.nll.student

    nll_file = next(cache.glob("nll-*.json"))
    nll_file.write_text('[[1.5, 3], [2.')  # cut short: read again as a miss, not a crash
    again = run_tune(tmp_path / "train.jsonl", tmp_path / "d", other, base_cache=cache)
    assert again.nll.base == first.nll.base and json.loads(nll_file.read_text())
