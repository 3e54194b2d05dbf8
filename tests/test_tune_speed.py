"""Training settings by device: the CPU keeps TRL's defaults, a GPU gets the fast ones, an
explicit config wins, and running out of GPU memory turns gradient checkpointing on."""

import json

import pytest
import torch

from seedling import Record
from tune import train as train_module
from tune import varlen
from tune.options import TuneOptions
from tune.speed import training_settings
from tune.train import TuneError, sft_config, train

TOY = [Record(f"Say the code word number {i}.", f"The code word is apple{i}.") for i in range(8)]


def test_the_cpu_trains_without_checkpointing_and_logs_every_step(tmp_path):
    s = training_settings(TuneOptions(), "cpu", "float32", attention="flash_attention_2")
    assert s == {"gradient_checkpointing": False, "logging_steps": 1, "save_steps": 10, "packing": False,
                 "attn_implementation": None, "flat_batches": True}
    config = sft_config(TuneOptions(), tmp_path, "float32", "cpu")
    assert not config.gradient_checkpointing and not config.packing and config.logging_steps == 1
    assert config.save_steps == 10 and config.train_sampling_strategy == "random"


def test_a_flat_batch_gives_each_row_the_logits_it_has_alone(tiny_model_dir, on_cpu):
    """Rows end to end must not see each other. Position ids that restart at each row keep them
    apart, once the cache is off (as TRL's `compute_loss` has it): running ones leak."""
    from seedling.models import load_causal_lm
    from tune.speed import flat_batches

    model, tokenizer = load_causal_lm(str(tiny_model_dir), "float32")
    rows = [tokenizer(t)["input_ids"] for t in ("a short row", "a much longer row of text than the first", "mid row")]
    flat = flat_batches(tokenizer)([{"input_ids": ids} for ids in rows])
    assert flat["input_ids"].shape == (1, sum(map(len, rows))) and "attention_mask" not in flat
    running = torch.arange(flat["input_ids"].shape[1])[None]
    with torch.no_grad():
        alone = torch.cat([model(input_ids=torch.tensor([ids])).logits[0] for ids in rows])
        kept_apart, leaking = (model(input_ids=flat["input_ids"], position_ids=p, use_cache=False).logits[0]
                               for p in (flat["position_ids"], running))
    assert (kept_apart - alone).abs().max() < 1e-5
    assert (leaking - alone).abs().max() > 1e-2


def test_a_training_step_on_flat_batches_has_the_loss_of_padded_ones(tiny_model_dir, tmp_path, monkeypatch, on_cpu):
    from seedling.device import choose_dtype
    from seedling.models import load_causal_lm
    from tune.train import build_trainer

    real = train_module.training_settings
    losses = {}
    for flat in (True, False):
        monkeypatch.setattr(train_module, "training_settings", lambda *a, **k: {**real(*a, **k), "flat_batches": flat})
        model, tokenizer = load_causal_lm(str(tiny_model_dir), "float32")
        opts = TuneOptions(student=str(tiny_model_dir), max_steps=1, batch_size=8, lora_dropout=0)
        trainer = build_trainer(TOY, opts, tmp_path / str(flat), model, tokenizer, choose_dtype("float32"))
        trainer.train()
        losses[flat] = trainer.state.log_history[0]["loss"]
        assert trainer.data_collator.padding_free is flat
    assert losses[True] == pytest.approx(losses[False], abs=1e-5)


def test_rows_whose_prompts_fill_max_length_are_refused_by_name(tiny_model_dir, tmp_path):
    from seedling.device import choose_dtype
    from seedling.models import load_causal_lm
    from tune.train import build_trainer

    model, tokenizer = load_causal_lm(str(tiny_model_dir), "float32")
    long = [Record("Describe " + "a very long prompt " * 20, "Short.")]
    with pytest.raises(TuneError, match="none of the 1 training rows .* max_length 16 tokens"):
        build_trainer(long, TuneOptions(student=str(tiny_model_dir), max_length=16), tmp_path, model, tokenizer,
                      choose_dtype("float32"))


@pytest.mark.parametrize("attention", ["flash_attention_2", varlen.NAME])
def test_a_gpu_with_a_varlen_kernel_trains_padding_free_without_checkpointing(attention):
    s = training_settings(TuneOptions(), "cuda", "bfloat16", attention=attention)
    assert s["packing"] and s["packing_strategy"] == "bfd" and s["attn_implementation"] == attention
    assert not s["gradient_checkpointing"] and s["logging_steps"] == 10 and s["save_steps"] == 200


def test_float32_on_a_gpu_is_not_padding_free():
    """Both kernels run only in half precision."""
    assert not training_settings(TuneOptions(), "cuda", "float32", attention=varlen.NAME)["packing"]


def test_a_gpu_without_a_varlen_kernel_groups_rows_by_length_instead_of_packing():
    s = training_settings(TuneOptions(), "cuda", "bfloat16", attention=None)
    assert not s["packing"] and s["attn_implementation"] is None
    assert s["train_sampling_strategy"] == "group_by_length" and not s["gradient_checkpointing"]


def test_explicit_settings_win_on_a_gpu():
    o = TuneOptions(gradient_checkpointing=True, packing=False, save_steps=7, logging_steps=3)
    s = training_settings(o, "cuda", "bfloat16", attention="flash_attention_2")
    assert s["gradient_checkpointing"] and not s["packing"] and s["attn_implementation"] is None
    assert (s["save_steps"], s["logging_steps"]) == (7, 3)
    packed = training_settings(TuneOptions(packing=True), "cuda", "bfloat16", attention=varlen.NAME)
    assert packed["attn_implementation"] == varlen.NAME  # packing asked for: padding-free, not a dense mask


def test_out_of_memory_without_checkpointing_turns_it_on_and_resumes(tiny_model_dir, tmp_path, monkeypatch):
    """As on a GPU: checkpointing starts off; the first run runs out of memory after a checkpoint."""
    from trl import SFTTrainer

    real_settings, real_train = train_module.training_settings, SFTTrainer.train
    monkeypatch.setattr(train_module, "training_settings", lambda o, *a, **k: {
        **real_settings(o, *a, **k), **({"gradient_checkpointing": False} if o.gradient_checkpointing is None else {})})
    seen = []

    def train_then_run_out(self, *args, **kwargs):
        seen.append(self.args.gradient_checkpointing)
        if len(seen) == 1:
            self.args.max_steps = 2  # a checkpoint at step 2, then the "GPU" is full
            real_train(self, *args, **kwargs)
            raise torch.OutOfMemoryError("CUDA out of memory")
        return real_train(self, *args, **kwargs)

    monkeypatch.setattr(SFTTrainer, "train", train_then_run_out)
    o = TuneOptions(student=str(tiny_model_dir), learning_rate=3e-2, max_steps=4, batch_size=8, max_length=64,
                    lora_r=8, save_steps=2, dtype="float32", warmup_ratio=0, checks="off", samples=0)
    _, _, result = train(TOY, o, tmp_path, resume=False)
    assert seen == [False, True] and result.steps == 4 and result.resumed_from == 2
    assert [json.loads(line)["step"] for line in (tmp_path / "metrics.jsonl").read_text().splitlines()] == [1, 2, 3, 4]

    seen.clear()
    with pytest.raises(TuneError, match="out of GPU memory at batch_size 8, max_length 64"):
        train(TOY, o.model_copy(update={"gradient_checkpointing": False}), tmp_path / "again", resume=False)


def test_a_short_gpu_run_still_logs_its_loss_curve():
    """Every 10th step on a long run; every step on a run under 100, so it has a curve at all."""
    from tune.speed import gpu_logging_steps

    assert [gpu_logging_steps(n) for n in (1, 4, 99, 100, 260, 499, 500, 10_000)] == [1, 1, 1, 2, 5, 9, 10, 10]
