"""The run's judge step: where `tune: judge: engine` names a judge, it compares the run's paired
students answer by answer (the curated student against the one on raw rows; the selected
against the random), as `seedling eval` does, on the held-out instructions. Its own step, so
turning the judge on or changing it re-judges the finished students and never retrains them."""

from __future__ import annotations

from typing import Any

from seedling.formats.atomic import write_json
from seedling.run.layout import plugin, stage_dir, stage_file
from seedling.run.split import HELD_OUT
from seedling.run.stages import JUDGE_PREFIX, RunContext
from seedling.run.summaries import Summary

JUDGED = "judge/judged.json"  # the core's own step: its names are the core's
PAIRS = (("tune", "compare-raw"), ("compare-selected", "compare-random"))  # (a, b): the win rate is a's


class JudgeSummary(Summary):
    win_rates: dict[str, float | None]


def pair_name(a: str, b: str) -> str:
    return f"{a} vs {b}"


class Judge:
    name, section = "judge", "tune"
    owns, outputs = ("judge",), (JUDGED,)

    def wanted(self, ctx: RunContext) -> bool:
        return ctx.opts["tune"].judge.engine is not None

    @staticmethod
    def pairs(ctx: RunContext) -> list[tuple[str, str]]:
        """The pairs whose two students this run trained."""
        return [(a, b) for a, b in PAIRS if all(ctx.path(stage_file(s, "eval")).exists() for s in (a, b))]

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        tune = ctx.dump("tune")
        return {"judge": {k: v for k, v in tune.items() if k.startswith(JUDGE_PREFIX)},
                "max_new_tokens": tune["max_new_tokens"], "dtype": tune["dtype"], "held_out": ctx.sha(HELD_OUT),
                "students": {s: ctx.sha(stage_file(s, "eval")) for pair in self.pairs(ctx) for s in pair}}

    def run(self, ctx: RunContext) -> JudgeSummary:
        judged = {pair_name(a, b): plugin("tune").judge(ctx.path(HELD_OUT), ctx.path(stage_dir(a)),
                                                        ctx.path(stage_dir(b)), ctx.opts["tune"], (a, b))
                  for a, b in self.pairs(ctx)}
        write_json(ctx.path(JUDGED), {name: result.model_dump(mode="json") for name, result in judged.items()})
        for result in judged.values():
            ctx.console.print(result.line)
        return JudgeSummary(win_rates={name: result.summary.win_rate for name, result in judged.items()})
