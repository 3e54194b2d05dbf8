"""Everything a tune run can be told, as one typed config section (`tune:` in a YAML file)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from seedling.config import Section, flag, group, section
from seedling.teachers.options import TeacherOptions

TUNE, EVAL = ("tune",), ("eval",)  # flags only `seedling tune` or only `seedling eval` takes


@section("tune")
class TuneOptions(Section):
    moved = {"judge_engine": "judge: {engine: ...}",
             "judge_model": "judge: {model: ...}",
             "judge_base_url": "judge: {base_urls: ...}"}
    student: Optional[str] = flag(None, "Base model dir or cached hub id (default: embedded SmolLM2-135M-Instruct).",
                                  commands=TUNE)
    dtype: str = flag("auto", "auto, float32 or bfloat16; auto takes bf16 only where the hardware runs it natively "
                              "{default}.")
    trust_remote_code: bool = False
    """Run the student's own Python code when loading it."""
    train_rows: Optional[int] = flag(None, "Train on a seeded sample of this many rows (default: all).", ge=1,
                                     commands=TUNE)
    lora_r: int = flag(16, "LoRA rank {default}.", ge=1, commands=TUNE)
    lora_alpha: int = Field(32, ge=1)
    """LoRA scale: the adapter's update is multiplied by lora_alpha / lora_r."""
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    """Dropout on the LoRA layers' input."""
    target_modules: str | list[str] = "all-linear"
    """Layers that get an adapter: PEFT's all-linear, or their names."""
    qlora: bool = False
    """A 4-bit base through bitsandbytes; needs a CUDA GPU."""
    learning_rate: float = flag(2e-4, "Peak learning rate {default}.", names=("--lr",), gt=0, commands=TUNE)
    epochs: float = flag(1.0, "Passes over the training rows {default}.", gt=0, commands=TUNE)
    max_steps: int = flag(-1, "Steps to train; overrides --epochs (default: by epochs).", commands=TUNE)
    batch_size: int = flag(8, "Rows a step {default}.", ge=1, commands=TUNE)
    grad_accum: int = Field(1, ge=1)
    """Steps whose gradients add up before one optimiser step."""
    max_length: int = flag(512, "Tokens a row is cut to, in training and scoring {default}.", ge=16, commands=TUNE)
    packing: Optional[bool] = None
    """Pack rows padding-free (default: on a GPU with a variable-length attention kernel, else off)."""
    warmup_ratio: float = Field(0.03, ge=0, lt=1)
    """Share of the steps that warm the learning rate up, rounded down to whole steps: none on a run under
    1/ratio steps."""
    weight_decay: float = Field(0.0, ge=0)
    """AdamW's weight decay."""
    lr_scheduler: str = "linear"
    """transformers' learning-rate schedule after the warm-up."""
    gradient_checkpointing: Optional[bool] = None
    """Recompute activations to save memory (default: off; on a GPU turned on once memory runs out)."""
    seed: int = flag(0, "Seed of training, sampling and the split {default}.", commands=TUNE)
    seeds: Optional[list[int]] = Field(None, min_length=1)
    """Train each student once per seed (the first in out/, the others in out/seeds/seed-N/) on the same rows
    and held-out set, so the report shows how far another seed moves the result (default: once, at seed)."""
    save_steps: Optional[int] = flag(None, "Checkpoint every N steps (default: 10 on a CPU, 200 on a GPU).",
                                      ge=1, commands=TUNE)
    save_total_limit: int = Field(2, ge=1)
    """Checkpoints kept; older ones are deleted."""
    logging_steps: Optional[int] = Field(None, ge=1)
    """Log the loss every N steps (default: 1 on a CPU; on a GPU 10, or fewer on a run under 500 steps)."""
    merge: bool = flag(False, "Also write merged/ (base + adapter) (default: no).", names=("--merge",), commands=TUNE)
    eval_fraction: float = Field(0.1, ge=0, lt=1)
    """Share of the rows held out by id hash when there is no eval_file."""
    eval_min_rows: int = Field(20, ge=0)
    """Rows held out at least, where eval_fraction gives fewer (never over a third of the data): an interval
    from 4 held-out rows cannot show any difference a short run makes."""
    eval_file: Optional[str] = flag(None, "Held-out file (default: a split of the data by id hash, "
                                          "tune.eval_fraction).", commands=TUNE)
    decontaminate_threshold: float = Field(0.5, gt=0, le=1)
    """Word 3-gram Jaccard to a held-out row at which a training row is dropped."""
    eval_max_rows: int = flag(200, "Held-out rows scored at most {default}.", ge=1, commands=TUNE)
    eval_batch_size: int = Field(8, ge=1)
    """Held-out rows a scoring pass."""
    samples: int = flag(4, "Held-out instructions answered by base and student side by side {default}.",
                        names=("--samples",), ge=0, commands=TUNE)
    max_new_tokens: int = flag(128, "Reply length for samples, checks and the judged answers {default}.", ge=1)
    checks: Literal["auto", "off"] = "auto"
    """Verifiable instruction checks: greedy replies to prompts that state a constraint."""
    judge: TeacherOptions = group(TeacherOptions, "Judge", "The judge's teacher, for seedling eval and a run's judge "
                                  "step, which compares the run's paired students only when judge.engine is named: "
                                  "the embedded 135M model reads no verdict, and on a CPU the replies and verdicts "
                                  "cost minutes. Not part of a student's identity: changing it re-judges, it never "
                                  "retrains.", commands=EVAL)
    judge_rows: int = flag(100, "Held-out instructions judged {default}.", names=("--max-rows",), commands=EVAL,
                           ge=1)
    judge_template: Optional[str] = flag(None, "Judge prompt, a Jinja file (default: tune/judge_prompt.j2).",
                                         commands=EVAL)

    def identity(self) -> dict:
        """The options that make a student: all but the held-out file's path and the judge's."""
        return self.model_dump(exclude={"eval_file", *JUDGE_OPTIONS})


JUDGE_OPTIONS = ("judge", "judge_rows", "judge_template")
