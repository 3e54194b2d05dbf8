"""The base model's half of an evaluation, computed once per run. Every student of a run is
judged on the same held-out rows against the same base model, so the base's NLLs and greedy
replies come out the same for each; on a CPU they are half of a student's evaluation time.
The key holds everything they depend on: the base weights, dtype and device, the settings
that shape batches and replies, and the rows themselves. A file that cannot be read (edited
by hand, say) is computed again and replaced."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Callable

from seedling.formats.atomic import write_text
from seedling.models import model_revision
from seedling.nll import scoring_dtype
from seedling.record import Record
from tune.options import TuneOptions

log = logging.getLogger(__name__)


class BaseCache:
    def __init__(self, folder: Path | None, model, opts: TuneOptions):
        base = getattr(model, "peft_config", {}).get("default")
        path = Path(base.base_model_name_or_path) if base else None
        self.folder = folder if path is not None and path.is_dir() else None  # None: nothing is cached
        self.identity: dict[str, Any] = {}
        if self.folder is not None:
            param = next(model.parameters())
            self.identity = {"base": model_revision(path), "dtype": str(param.dtype), "device": param.device.type,
                             "nll_dtype": scoring_dtype(model),
                             "max_length": opts.max_length, "eval_batch_size": opts.eval_batch_size,
                             "max_new_tokens": opts.max_new_tokens}

    def _path(self, kind: str, records: list[Record]) -> Path:
        key = json.dumps({**self.identity, "kind": kind,
                          "rows": [[r.id, r.prompt, r.output] for r in records]}, sort_keys=True)
        return self.folder / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:20]}.json"

    def lookup(self, kind: str, records: list[Record]) -> Any:
        """The cached value for these rows, or None when there is none (or no cache)."""
        if self.folder is None:
            return None
        path = self._path(kind, records)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("recomputing the base model's %s: %s cannot be read (%s)", kind, path, exc)
            return None

    def store(self, kind: str, records: list[Record], value: Any) -> None:
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_text(self._path(kind, records), json.dumps(value))

    def get(self, kind: str, records: list[Record], compute: Callable[[], Any]) -> Any:
        """The cached value for these rows, or `compute()`'s, stored for the next student."""
        value = self.lookup(kind, records)
        if value is None:
            value = compute()
            self.store(kind, records, value)
        return value
