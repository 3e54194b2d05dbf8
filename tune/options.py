"""Everything a tune run can be told, as one typed config section (`tune:` in a YAML file)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from seedling.config import Section, flag, group, section
from seedling.teachers.options import TeacherOptions

TUNE, EVAL = ("tune",), ("eval",)  # flags only `seedling tune` or only `seedling eval` takes


@section("tune")
class TuneOptions(Section):
    # What to train
    student: Optional[str] = flag(None, "Base model dir or cached hub id (default: embedded SmolLM2-135M-Instruct).",
                                  commands=TUNE)
    dtype: str = flag("auto", "auto, float32 or bfloat16; auto takes bf16 only where the hardware runs it natively "
                              "{default}.")
    trust_remote_code: bool = False
    train_rows: Optional[int] = flag(None, "Train on a seeded sample of this many rows (default: all).", ge=1,
                                     commands=TUNE)
    # LoRA
    lora_r: int = flag(16, "LoRA rank {default}.", ge=1, commands=TUNE)
    lora_alpha: int = Field(32, ge=1)
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: str | list[str] = "all-linear"
    qlora: bool = False  # 4-bit base through bitsandbytes; needs a CUDA GPU
    # Optimisation
    learning_rate: float = flag(2e-4, "Peak learning rate {default}.", names=("--lr",), gt=0, commands=TUNE)
    epochs: float = flag(1.0, "Passes over the training rows {default}.", gt=0, commands=TUNE)
    max_steps: int = flag(-1, "Steps to train; overrides --epochs (default: by epochs).", commands=TUNE)
    batch_size: int = flag(8, "Rows a step {default}.", ge=1, commands=TUNE)
    grad_accum: int = Field(1, ge=1)
    max_length: int = flag(512, "Tokens a row is cut to, in training and scoring {default}.", ge=16, commands=TUNE)
    packing: Optional[bool] = None  # None: padding-free on a GPU with flash-attention, else off (tune/speed.py)
    warmup_ratio: float = Field(0.03, ge=0, lt=1)  # rounded down to whole steps: none on a run under 1/ratio steps
    weight_decay: float = Field(0.0, ge=0)
    lr_scheduler: str = "linear"
    gradient_checkpointing: Optional[bool] = None  # None: off; on a GPU turned on once memory runs out (tune/speed.py)
    # the held-out split and the row sample; training too, unless `seeds` is set
    seed: int = flag(0, "Seed of training, sampling and the split {default}.", commands=TUNE)
    # Train each student once per seed (the first in out/, the others in out/seeds/seed-N/), same rows and
    # held-out set: the report then shows how far another seed moves the result. None: once, at `seed`.
    seeds: Optional[list[int]] = Field(None, min_length=1)
    # Checkpoints and logs
    save_steps: Optional[int] = flag(None, "Checkpoint every N steps (default: 10 on a CPU, 200 on a GPU).",
                                      ge=1, commands=TUNE)
    save_total_limit: int = Field(2, ge=1)
    logging_steps: Optional[int] = Field(None, ge=1)  # None: 1 on CPU, 10 on a GPU
    merge: bool = flag(False, "Also write merged/ (base + adapter) (default: no).", names=("--merge",), commands=TUNE)
    # Evaluation
    eval_fraction: float = Field(0.1, ge=0, lt=1)  # held out by id hash when no eval_file
    # ...but at least this many rows where the fraction gives fewer (never over a third of the data): an
    # interval from 4 held-out rows cannot show any difference a short run makes
    eval_min_rows: int = Field(20, ge=0)
    eval_file: Optional[str] = flag(None, "Held-out file (default: a split of the data by id hash, "
                                          "tune.eval_fraction).", commands=TUNE)
    decontaminate_threshold: float = Field(0.5, gt=0, le=1)  # word 3-gram Jaccard to a held-out row that drops a training row
    eval_max_rows: int = flag(200, "Held-out rows scored at most {default}.", ge=1, commands=TUNE)
    eval_batch_size: int = Field(8, ge=1)
    samples: int = flag(4, "Held-out instructions answered by base and student side by side {default}.",
                        names=("--samples",), ge=0, commands=TUNE)
    max_new_tokens: int = flag(128, "Reply length for samples, checks and the judged answers {default}.", ge=1)
    checks: Literal["auto", "off"] = "auto"  # verifiable instruction checks
    # A run's judge step: this engine compares the run's paired students answer by answer, as `seedling eval`
    # does. None (the default): no judge; the embedded 135M model reads
    # no verdict, and on a CPU two students' replies and the verdicts cost minutes. Not part of a student's
    # identity: turning the judge on or changing it re-judges, it never retrains.
    judge: TeacherOptions = group(TeacherOptions, "Judge", "The judge's teacher; a run asks it only when its "
                                  "engine is named.", commands=EVAL)
    judge_rows: int = flag(100, "Held-out instructions judged {default}.", names=("--max-rows",), commands=EVAL,
                           ge=1)
    judge_template: Optional[str] = flag(None, "Judge prompt, a Jinja file (default: tune/judge_prompt.j2).",
                                         commands=EVAL)

    def identity(self) -> dict:
        """The options that make a student: all but the held-out file's path and the judge's."""
        return self.model_dump(exclude={"eval_file", *JUDGE_OPTIONS})


JUDGE_OPTIONS = ("judge", "judge_rows", "judge_template")
