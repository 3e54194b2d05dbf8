"""Magpie (Xu et al., 2024): an aligned model given only the start of a user turn writes a user's
query itself; then it answers that query. No seed tasks are shown.

The pre-query template is the model's own chat format up to where a user's words begin (for
SmolLM2's ChatML: its default system turn, then "<|im_start|>user\\n"), taken from the teacher's
chat template unless `pre_query_template` sets it (an OpenAI-compatible server does not share its
template). The queries come from raw completion, not chat; they pass the same filters and
near-duplicate check as other methods' instructions, and the answers the same output checks.
"""

from __future__ import annotations

from dataclasses import replace

from seedling.errors import ConfigError
from seedling.text import text_hash

from generate.filters import Origin
from generate.methods.common import Candidate, Tools
from generate.parse import clean

PRIOR_ROWS_PER_QUERY = 0.5  # before any is seen: about every other query survives the filters
QUERY_TOKENS = 96  # a user's query is short; a longer one has run on past its turn


class Magpie:
    name = "magpie"
    needs_seeds = False

    def __init__(self, opts, steering=None):
        if steering is not None and steering.hints:
            raise ConfigError("magpie shows the model no examples or requests, so it cannot be steered; "
                              "use self-instruct or evol-instruct for coverage-guided rounds (run.rounds: 1)")
        self.opts = opts
        self.templates = {"pre_query": {"name": "teacher chat template" if opts.pre_query_template is None
                                        else "generate.pre_query_template",
                                        "hash": text_hash(opts.pre_query_template or "")[:16]}}

    def _prefix(self, tools: Tools) -> str:
        if self.opts.pre_query_template is not None:
            return self.opts.pre_query_template
        read = getattr(tools.teacher, "pre_query_template", None)
        if read is None:
            raise ConfigError(f"the {tools.teacher.info.engine} engine cannot read the model's chat template; set "
                              "generate.pre_query_template to the text that starts a user turn")
        return read()

    def batch(self, batch_no: int, tools: Tools, need: int):
        prefix = self._prefix(tools)
        n = tools.round_size(self.opts.prompts_per_batch, need, self.opts.max_batch, PRIOR_ROWS_PER_QUERY)
        sampling = replace(tools.sampling, max_tokens=min(QUERY_TOKENS, tools.sampling.max_tokens))
        origin = Origin((), prefix)
        candidates = []
        want = tools.answers_for(need)
        extra = {"pre_query_hash": text_hash(prefix)[:16]}
        for completion in tools.ask([prefix] * n, sampling, raw=True):
            query = tools.item(completion, clean, "query_cut_off")
            if query is None:
                continue
            if len(candidates) < want and tools.screen(query, origin):
                candidates.append(Candidate(query, extra=extra))
        if not candidates:
            return []
        return tools.answer(candidates, [c.instruction for c in candidates], batch_no)
