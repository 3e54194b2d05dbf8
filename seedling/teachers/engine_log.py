"""Send an engine's own output (vLLM's and transformers' log lines and warnings, C++ notices
written straight to the process's stderr, weight-loading bars) to a log file in the run
directory, so the terminal shows seedling's progress alone; `--verbose` leaves it all on screen.

While the engine starts, file descriptors 1 and 2 point at the file (C++ code and tqdm write
there, past Python's sys.stderr); afterwards the engine libraries' Python loggers keep writing
to it (vLLM repeats some warnings on every call).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Iterator

LOGGERS = ("vllm", "transformers", "torch", "huggingface_hub")


@contextlib.contextmanager
def engine_output_to(path: Path | None) -> Iterator[None]:
    """Within the block everything goes to `path`; after it the libraries' loggers still do.
    None: leave the terminal as it is."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(path, "ab", buffering=0) as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
    _loggers_to(path)


def _loggers_to(path: Path) -> None:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, logging.StreamHandler)
                    and not isinstance(h, logging.FileHandler)]:
            logger.removeHandler(old)
        if not any(isinstance(h, logging.FileHandler) and h.baseFilename == handler.baseFilename
                   for h in logger.handlers):
            logger.addHandler(handler)
        logger.propagate = False
