"""Training settings by device: the CPU keeps TRL's defaults, a GPU gets the fast ones, an
explicit config wins, and running out of GPU memory turns gradient checkpointing on."""

import json

import pytest
import torch

from seedling import Record
from tune import train as train_module
from tune.options import TuneOptions
from tune.speed import training_settings
from tune.train import TuneError, sft_config, train

TOY = [Record(f"Say the code word number {i}.", f"The code word is apple{i}.") for i in range(8)]


def test_the_cpu_trains_without_checkpointing_and_logs_every_step(tmp_path):
    s = training_settings(TuneOptions(), "cpu", "float32", flash_attention=True)
    assert s == {"gradient_checkpointing": False, "logging_steps": 1, "save_steps": 10, "packing": False,
                 "attn_implementation": None}
    config = sft_config(TuneOptions(), tmp_path, "float32", "cpu")
    assert not config.gradient_checkpointing and not config.packing and config.logging_steps == 1
    assert config.save_steps == 10 and config.train_sampling_strategy == "random"


def test_a_gpu_with_flash_attention_trains_padding_free_without_checkpointing():
    s = training_settings(TuneOptions(), "cuda", "bfloat16", flash_attention=True)
    assert s["packing"] and s["packing_strategy"] == "bfd" and s["attn_implementation"] == "flash_attention_2"
    assert not s["gradient_checkpointing"] and s["logging_steps"] == 10 and s["save_steps"] == 200


def test_a_gpu_without_flash_attention_groups_rows_by_length_instead_of_packing():
    s = training_settings(TuneOptions(), "cuda", "bfloat16", flash_attention=False)
    assert not s["packing"] and s["attn_implementation"] is None
    assert s["train_sampling_strategy"] == "group_by_length" and not s["gradient_checkpointing"]


def test_explicit_settings_win_on_a_gpu():
    o = TuneOptions(gradient_checkpointing=True, packing=False, save_steps=7, logging_steps=3)
    s = training_settings(o, "cuda", "bfloat16", flash_attention=True)
    assert s["gradient_checkpointing"] and not s["packing"] and s["attn_implementation"] is None
    assert (s["save_steps"], s["logging_steps"]) == (7, 3)


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
