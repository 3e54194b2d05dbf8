"""LoRA training through TRL's SFTTrainer, checkpointed, resumable, stopped on NaN."""

from __future__ import annotations

import gc
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedling.errors import SeedlingError
from seedling.formats.atomic import atomic_dir
from seedling.record import Record
from tune import varlen
from tune.callbacks import MetricsLog, NanGuard, keep_metrics_up_to
from tune.data import to_prompt_completion
from tune.files import ADAPTER, METRICS
from tune.options import TuneOptions
from tune.speed import flat_batches, gpu_logging_steps, training_settings


class TuneError(SeedlingError):
    """A tune run that cannot go on; the message says what is on disk and what to do."""


@dataclass
class TrainResult:
    """`first_loss` and `last_loss` are means over the first and last tenth of logged steps."""

    steps: int
    seconds: float
    first_loss: float | None
    last_loss: float | None
    resumed_from: int | None


def is_main_process() -> bool:
    """Rank 0, or the only process. Under `accelerate launch` (DDP) every process runs the
    same code and trains; only the main one writes the run's files and evaluates."""
    return int(os.environ.get("RANK", "0")) == 0


def leave_process_group() -> None:
    """Under `accelerate launch`, close this process's gloo group before it exits: a rank that
    left with its group alive sometimes aborted at exit ("terminate called without an active
    exception"), failing a launch whose training had finished."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def lora_config(opts: TuneOptions):
    from peft import LoraConfig

    return LoraConfig(
        r=opts.lora_r,
        lora_alpha=opts.lora_alpha,
        lora_dropout=opts.lora_dropout,
        target_modules=opts.target_modules,
        task_type="CAUSAL_LM",
    )


def sft_config(opts: TuneOptions, checkpoints: Path, dtype_name: str, device: str):
    from trl import SFTConfig

    settings = training_settings(opts, device, dtype_name)
    del settings["attn_implementation"], settings["flat_batches"]
    return SFTConfig(
        output_dir=str(checkpoints),
        per_device_train_batch_size=opts.batch_size,
        gradient_accumulation_steps=opts.grad_accum,
        learning_rate=opts.learning_rate,
        num_train_epochs=opts.epochs,
        max_steps=opts.max_steps,
        warmup_steps=0,  # set by build_trainer once the run's length is known (warmup_steps below)
        weight_decay=opts.weight_decay,
        lr_scheduler_type=opts.lr_scheduler,
        seed=opts.seed,
        data_seed=opts.seed,
        max_length=opts.max_length,
        bf16=dtype_name == "bfloat16",
        fp16=dtype_name == "float16",
        use_cpu=device == "cpu",
        logging_nan_inf_filter=False,  # the default hides NaN losses from the log, and so from us
        save_strategy="steps",
        save_total_limit=opts.save_total_limit,
        eval_strategy="no",  # evaluation is ours: base vs student, after training
        report_to=[],
        dataloader_num_workers=0,
        disable_tqdm=True,
        **settings,  # packing, checkpointing, log and save cadence: by device (tune/speed.py)
    )


def warmup_steps(total_steps: int, ratio: float) -> int:
    """Whole warm-up steps, rounded down: the linear warm-up runs its first step at learning rate 0,
    so a short run (fewer than 1/ratio steps) gets none rather than losing one of its few steps."""
    return int(total_steps * ratio)


def total_steps(opts: TuneOptions, batches_per_epoch: int) -> int:
    if opts.max_steps > 0:
        return opts.max_steps
    return max(1, math.ceil(opts.epochs * batches_per_epoch / opts.grad_accum))


def load_student(opts: TuneOptions):
    """The base model in the dtype this hardware runs well (4-bit for QLoRA on a GPU)."""
    from seedling.device import choose_dtype
    from seedling.models import load_causal_lm, resolve_causal_lm

    choice = choose_dtype(opts.dtype)
    if opts.qlora:
        if choice.device != "cuda":
            raise TuneError("qlora needs a CUDA GPU (bitsandbytes 4-bit); set qlora: false on CPU")
        from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

        path = resolve_causal_lm(opts.student)
        quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                   bnb_4bit_compute_dtype=choice.torch_dtype)
        model = AutoModelForCausalLM.from_pretrained(path, quantization_config=quant, use_safetensors=True,
                                                     trust_remote_code=opts.trust_remote_code)
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=opts.trust_remote_code)
        tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
        return model, tokenizer, choice
    attention = training_settings(opts, choice.device, choice.name)["attn_implementation"]
    if attention == varlen.NAME:
        varlen.register()
    model, tokenizer = load_causal_lm(opts.student, opts.dtype, opts.trust_remote_code,
                                      attn_implementation=attention)
    return model, tokenizer, choice


def last_checkpoint(checkpoints: Path) -> Path | None:
    from transformers.trainer_utils import get_last_checkpoint

    return Path(found) if checkpoints.is_dir() and (found := get_last_checkpoint(str(checkpoints))) else None


def build_trainer(records: list[Record], opts: TuneOptions, out: Path, model, tokenizer, choice, callbacks=()):
    """The SFTTrainer for these rows: LoRA on `model`, loss on completions only."""
    from datasets import Dataset
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()  # TRL's four passes over a few rows would print four bars a student
    from transformers.trainer_callback import PrinterCallback
    from trl import SFTTrainer

    flat = training_settings(opts, choice.device, choice.name)["flat_batches"]
    trainer = SFTTrainer(
        model=model,
        args=sft_config(opts, out / "checkpoints", choice.name, choice.device),
        train_dataset=Dataset.from_list([to_prompt_completion(r) for r in records]),
        data_collator=flat_batches(tokenizer) if flat else None,
        processing_class=tokenizer,
        peft_config=lora_config(opts),
        callbacks=list(callbacks),
    )
    if not len(trainer.train_dataset):
        raise TuneError(f"none of the {len(records)} training rows leaves room for its answer within max_length "
                        f"{opts.max_length} tokens: raise max_length")
    steps = total_steps(opts, len(trainer.get_train_dataloader()))
    trainer.args.warmup_steps = warmup_steps(steps, opts.warmup_ratio)
    if opts.logging_steps is None and choice.device == "cuda":
        trainer.args.logging_steps = gpu_logging_steps(steps)
    trainer.remove_callback(PrinterCallback)  # MetricsLog prints one readable line per step
    return trainer


def train(records: list[Record], opts: TuneOptions, out: Path, resume: bool) -> tuple[Any, Any, TrainResult]:
    """Train and save `out/adapter`; returns the PEFT model (adapter on) and tokenizer."""
    import torch

    checkpoints = out / "checkpoints"
    metrics = out / METRICS
    start_from = last_checkpoint(checkpoints) if resume else None
    main = is_main_process()
    if start_from is not None:
        step = json.loads((start_from / "trainer_state.json").read_text())["global_step"]
        if main:
            keep_metrics_up_to(metrics, step)
    elif main:
        metrics.unlink(missing_ok=True)

    model, tokenizer, choice = load_student(opts)
    guard = NanGuard()
    trainer = build_trainer(records, opts, out, model, tokenizer, choice, [MetricsLog(metrics), guard])
    started = time.perf_counter()
    try:
        trainer.train(resume_from_checkpoint=str(start_from) if start_from else None)
        out_of_memory = False
    except torch.OutOfMemoryError:
        if trainer.args.gradient_checkpointing or opts.gradient_checkpointing is not None:
            raise TuneError(f"out of GPU memory at batch_size {opts.batch_size}, max_length {opts.max_length} "
                            f"(gradient checkpointing {'on' if trainer.args.gradient_checkpointing else 'off'}); "
                            "lower one of them, or set gradient_checkpointing: true") from None
        out_of_memory = True
    if out_of_memory:  # outside the except block, so the failed step's tensors can be freed
        del trainer, model
        gc.collect()
        torch.cuda.empty_cache()
        print("out of GPU memory without gradient checkpointing: turning it on and resuming", flush=True)
        return train(records, opts.model_copy(update={"gradient_checkpointing": True}), out, resume=True)
    seconds = time.perf_counter() - started
    if guard.bad_step is not None:
        good = last_checkpoint(checkpoints)
        kept = f"the last good checkpoint is {good}" if good else "no checkpoint was saved before it"
        raise TuneError(
            f"loss became {guard.bad_loss} at step {guard.bad_step}; training stopped and {kept}. "
            "Lower the learning rate (or use float32) and run again with a new --out."
        )
    if main:
        with atomic_dir(out / ADAPTER) as tmp:
            trainer.model.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    tenth = max(1, len(losses) // 10)  # one step's loss is noisy at small batches; average a tenth
    result = TrainResult(
        steps=trainer.state.global_step,
        seconds=round(seconds, 1),
        first_loss=round(sum(losses[:tenth]) / tenth, 4) if losses else None,
        last_loss=round(sum(losses[-tenth:]) / tenth, 4) if losses else None,
        resumed_from=step if start_from is not None else None,
    )
    return trainer.model, tokenizer, result
