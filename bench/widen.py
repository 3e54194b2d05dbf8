"""Does generation widen the data? Prints one JSON line.

    python bench/widen.py                                  # 1 seed, unsteered / steered / persona
    python bench/widen.py --seeds 0,1,2                    # the issue's three seeds

Each variant grows the demo's generate section (configs/demo.yaml) in its rounds, as
`seedling run` does: after each round curate audits the rows so far against the seed tasks
the teacher was shown (the run's split), and for `steered` that audit's steering.json steers
the next round (`steered-5`: with 5 steering examples a prompt instead of 3). `unsteered` never
steers; `persona` uses `method: persona` unsteered, `persona-steered` steered after round 1;
`persona-when-steered` is self-instruct in round 1 and persona from round 2, steered by the
in-context examples alone (`steered_method: persona`, `steer_hints: 0`).
Round 1 is never steered, so a variant with the options of one run before it (steered after
unsteered, persona-steered after persona) starts from a copy of that round 1. Per round:
the new rows' Vendi score per row, mean cosine distance and distinct-2, coverage of the seed
tasks after the round, and accepted rows per 1K output tokens of that round, with where those
tokens went (task lists, answers, and answers rejected by reason). One vLLM engine
(the embedded teacher; or transformers) serves every variant and seed; its start is reported,
not counted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curate.options import CurateOptions  # noqa: E402
from curate.stage import STAGE as CURATE  # noqa: E402
from generate.options import GenerateOptions  # noqa: E402
from generate.runner import generate  # noqa: E402
from generate.stage import round_targets  # noqa: E402
from seedling import load  # noqa: E402
from seedling.info import cpu_name  # noqa: E402
from seedling.run.split import SEEDS, split_seeds  # noqa: E402
from seedling.teachers import engine_parameters, make_teacher  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {"unsteered": {}, "steered": {}, "steered-5": {"steer_examples": 5}, "persona": {"method": "persona"},
            "persona-steered": {"method": "persona"},
            "persona-when-steered": {"steered_method": "persona", "steer_hints": 0}}
STEERED = {"steered", "steered-5", "persona-steered", "persona-when-steered"}
DEFAULT_VARIANTS = "unsteered,steered,persona"
FIGURES = ("vendi_per_row", "mean_cosine_distance", "distinct_2", "coverage", "rows_per_1k_tokens")


def demo_sections(config: Path) -> tuple[dict, CurateOptions, dict]:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    return data.get("generate", {}), CurateOptions(**data.get("curate", {})), data.get("run", {})


def run_variant(name: str, seed: int, teacher, base: dict, curate_opts: CurateOptions, seeds: Path,
                rounds: int, out: Path, first: tuple[Path, dict] | None = None) -> tuple[list[dict], tuple[Path, dict]]:
    """Grow one run directory round by round; each round's figures, and round 1's directory and
    figures. Round 1 is never steered, so a variant with the same options starts from a copy of
    `first` (the teachers draw by seed and prompt: it would write the same rows again)."""
    opts = GenerateOptions(**{**base, **VARIANTS[name], "seeds": str(seeds), "seed": seed})
    bounds = [0, *round_targets(opts.num, rounds)]
    steering, tokens_before, spent_before, lines = None, 0, Counter(), []
    if first is not None:
        shutil.copytree(first[0], out)
        lines.append(first[1])
        tally = json.loads((out / "generate" / "state.json").read_text())["tally"]
        tokens_before, spent_before = tally["tokens_out"], Counter(tally.get("spent", {}))
        steering = str(out / "round-1" / "steering.json") if name in STEERED else None
    for k in range(2 if first else 1, rounds + 1):
        result = generate(opts.model_copy(update={"num": bounds[k], "steering": steering}), out, teacher=teacher)
        entry = CURATE.audit_round(result.output, bounds, k, curate_opts, seeds, out / f"round-{k}").model_dump()
        tokens = result.stats.tokens_out - tokens_before
        tokens_before = result.stats.tokens_out
        spent = Counter(json.loads((out / "generate" / "state.json").read_text())["tally"].get("spent", {}))
        spent_round, spent_before = dict((spent - spent_before).most_common()), spent
        new = entry["new_rows"]
        lines.append({"round": k, "steered": steering is not None, "rows": entry["rows_new"],
                      "vendi_per_row": new.get("vendi_per_row"), "mean_cosine_distance": new.get("mean_cosine_distance"),
                      "distinct_2": new.get("distinct_2"), "coverage": entry["all_rows"]["coverage_share"],
                      "tokens_out": tokens, "rows_per_1k_tokens": round(1000 * entry["rows_new"] / tokens, 2)
                      if tokens else None, "tokens_by_use": spent_round, "hints_next": entry["hints_next"][:6],
                      **({"hints_dropped": entry["hints_dropped"]} if entry.get("hints_dropped") else {}),
                      **({"aimed_rows": entry["aimed_rows"]} if entry.get("aimed_rows") is not None else {})})
        if k == 1:
            first = (out.with_name(f"{out.name}.round-1"), lines[0])
            shutil.copytree(out, first[0])
        if name in STEERED:
            steering = str(out / f"round-{k}" / "steering.json")
    if name.startswith("persona"):
        lines[-1]["persona_groups"] = persona_balance(result.output)
    return lines, first


def persona_balance(rows_file: Path) -> dict:
    """Rows per persona axis and group, from each row's provenance."""
    counts = Counter()
    for r in load(rows_file).records:
        p = r.meta.get("persona") or {}
        counts[f"{p.get('axis')}:{p.get('group')}"] += 1
    return dict(counts.most_common())


def summarize(runs: dict[str, list[list[dict]]]) -> dict:
    """Each variant's median over seeds of every figure, per round."""
    out = {}
    for name, per_seed in runs.items():
        out[name] = [{f: _median([s[k][f] for s in per_seed]) for f in FIGURES} | {"round": k + 1}
                     for k in range(len(per_seed[0]))]
    base = out.get("unsteered")
    if base:
        first = base[0]["vendi_per_row"]
        for name, rounds in out.items():
            for r in rounds:
                if first and r["vendi_per_row"] is not None:
                    r["vendi_per_row_vs_unsteered_round_1"] = round(r["vendi_per_row"] / first - 1, 4)
    return out


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 4) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "demo.yaml")
    parser.add_argument("--seeds", default="0", help="generation seeds, comma-separated")
    parser.add_argument("--variants", default=DEFAULT_VARIANTS,
                        help=f"of {', '.join(VARIANTS)}; steered-5 shows 5 steering examples a prompt instead of 3")
    parser.add_argument("--rounds", type=int, help="default: the config's run.rounds")
    parser.add_argument("--num", type=int, help="rows in all rounds (default: the config's generate.num)")
    parser.add_argument("--engine", default="vllm", choices=["vllm", "transformers"],
                        help="transformers where other jobs share the cores: vLLM's CPU threads wait on each other")
    parser.add_argument("--out", type=Path, help="keep the run directories here, and each finished variant's "
                                                 "figures in finished.jsonl (default: a temporary directory)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    base, curate_opts, run = demo_sections(args.config)
    base.update({"engine": args.engine, **({"num": args.num} if args.num else {})})
    rounds = args.rounds or run.get("rounds", 2)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        where = args.out or Path(tmp)
        split_seeds(ROOT / "data" / "seed_tasks.jsonl", None, run.get("eval_fraction", 0.1), run.get("seed", 0), where)
        t = time.perf_counter()
        wanted = {"max_model_len": base.get("max_model_len"), "seed": 0, "batch_size": base.get("batch_size", 16)}
        teacher = make_teacher(args.engine, None, **{k: v for k, v in wanted.items() if k in engine_parameters(args.engine)})
        engine_s = time.perf_counter() - t
        t = time.perf_counter()
        runs: dict[str, list[list[dict]]] = {}
        try:
            for seed in (int(s) for s in args.seeds.split(",")):
                firsts: dict[str, tuple[Path, dict]] = {}  # round 1 by the variant's options
                for name in args.variants.split(","):
                    same = json.dumps(VARIANTS[name], sort_keys=True)
                    with contextlib.redirect_stdout(sys.stderr):  # stdout is for the one JSON line
                        lines, firsts[same] = run_variant(name, seed, teacher, base, curate_opts, where / SEEDS,
                                                          rounds, where / f"{name}-{seed}", firsts.get(same))
                    runs.setdefault(name, []).append(lines)
                    if args.out:  # a run cut short still leaves the variants it finished
                        with (args.out / "finished.jsonl").open("a", encoding="utf-8") as f:
                            f.write(json.dumps({"variant": name, "seed": seed, "rounds": lines}) + "\n")
        finally:
            teacher.close()
    print(json.dumps({"bench": "widen", "cpu": cpu_name(), "load_1min": [round(load_before, 2),
                                                                         round(os.getloadavg()[0], 2)],
                      "engine": args.engine, "num": base.get("num"), "dtype": teacher.info.extra.get("dtype"),
                      "engine_start_s": round(engine_s, 1),
                      "config": str(args.config.relative_to(ROOT) if args.config.is_relative_to(ROOT) else args.config),
                      "seeds": args.seeds, "rounds": rounds, "median_over_seeds": summarize(runs), "runs": runs,
                      "bench_s": round(time.perf_counter() - t, 1)}))


if __name__ == "__main__":
    main()
