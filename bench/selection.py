"""Benchmark scoring and selection on real answers rated by a strong judge; prints one JSON line.

    python bench/selection.py --data ../shared/data/alpaca-eval-dev            # all parts
    python bench/selection.py --data DIR --parts agreement,speed,select        # no students

DATA is AlpacaEval's layout (answers.jsonl.gz: several models' answers to each instruction,
each with the judge's probability that it beats a strong reference; references.jsonl).
Everything below is held out by instruction: fold 0 of the training script's split
(sha256(instruction) mod 4) is left out of a quality model trained here on the other folds
(scripts/train_quality.py --exclude-fold 0), and only fold 0 is scored.

- agreement: share of clear pairs (judge probabilities >= 0.5 apart) and of such pairs of
  similar length (ratio 0.8-1.25) that each score orders as the judge does: the learned score
  (as curate gives it, reading the other answers to each instruction, and of each row alone),
  the heuristic quality column, "the longer answer", and, with --ifd-rows, IFD and the answer
  NLL on that many rows (slow: a causal LM over every row).
- speed: the learned scorer's rows/s on --speed-rows rows (features, embedding and the pool's
  consensus included, nothing cached), and the greedy selection on 100K random vectors.
- select: `seedling curate POOL --select N` on fold 0's answers (N = the share 1,000 of 11,876
  is of the whole set), the mean judge probability of the chosen rows against random,
  longest-first and knowing-the-model (by its leaderboard win rate) choices of N, and the
  whole curate's wall time.
- pairs: per held-out instruction its best-judged answer beside a clearly weaker real one, or
  beside a rambling continuation; `--select` as many rows as instructions; the good share.
- students: from fold 0's answers, N selected rows against N random ones, a LoRA student on
  each through `seedling tune` (same steps, seed), scored on the reference answers of
  --eval-tasks instructions of the other folds: the paired difference of held-out NLL per
  token (random minus selected: above 0, the selected rows taught more) with its interval.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import seedling  # noqa: E402,F401  (offline environment)
from seedling.device import cpu_capability  # noqa: E402
from seedling.info import cpu_name  # noqa: E402
from seedling import quality  # noqa: E402
from curate.scores.learned import LearnedScorer  # noqa: E402
from curate.select import greedy  # noqa: E402
from seedling.formats import load, save  # noqa: E402
from seedling.record import Record  # noqa: E402
from seedling.stats import paired_diff  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from train_quality import agreement, fold_of  # noqa: E402

HELD_OUT = 0  # the fold every figure is measured on
SHARE = 1000 / 11876  # the 1,000 of the dev set's answers, as a share of any pool


def read(data: Path) -> tuple[list[dict], list[dict]]:
    with gzip.open(data / "answers.jsonl.gz", "rt", encoding="utf-8") as f:
        answers = [json.loads(line) for line in f]
    references = [json.loads(line) for line in (data / "references.jsonl").open(encoding="utf-8")]
    return answers, references


def train_model(data: Path, work: Path) -> Path:
    out = work / f"quality-without-fold-{HELD_OUT}"
    if not (out / "card.json").is_file():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "train_quality.py"), str(data), "--out", str(out),
                        "--exclude-fold", str(HELD_OUT)], check=True, stdout=subprocess.DEVNULL)
    return out


def records_of(rows: list[dict]) -> list[Record]:
    return [Record(r["instruction"], r["output"]) for r in rows]


def agreement_part(rows: list[dict], model: Path, ifd_rows: int) -> dict:
    idx = np.arange(len(rows))
    records = records_of(rows)
    scorer = LearnedScorer(model, cache=None)
    scorer.see_pool(records)
    alone = scorer.score(records, lambda n: None)
    learned = np.array([v["learned"] for v in scorer.in_pool(alone)])
    heuristic = np.array([quality.score(r)[0] for r in records])
    length = np.array([len(r["output"]) for r in rows], dtype=float)
    out = {"rows": len(rows), "learned": agreement(learned, rows, idx),
           "learned_row_alone": agreement(np.array([v["learned"] for v in alone]), rows, idx),
           "heuristic_quality": agreement(heuristic, rows, idx), "longer_answer": agreement(length, rows, idx)}
    if ifd_rows:
        from curate.scores.ifd import IFDScorer

        by: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            by.setdefault(r["instruction"], []).append(i)
        some = [i for members in list(by.values())[: max(1, ifd_rows // 30)] for i in members][:ifd_rows]
        values = IFDScorer(None).score([records[i] for i in some])
        ifd = np.full(len(rows), np.nan)
        nll = np.full(len(rows), np.nan)
        for i, v in zip(some, values):
            ifd[i] = -v["ifd"] if v["ifd"] is not None else np.nan
            nll[i] = -v["answer_nll"] if v["answer_nll"] is not None else np.nan
        keep = np.array(some)
        out["ifd_lower_first"] = agreement(np.nan_to_num(ifd, nan=-9e9), rows, keep)
        out["answer_nll_lower_first"] = agreement(np.nan_to_num(nll, nan=-9e9), rows, keep)
        out["learned_on_ifd_rows"] = agreement(learned, rows, keep)
    return out


def speed_part(rows: list[dict], n: int) -> dict:
    records = records_of((rows * (n // len(rows) + 1))[:n])
    scorer = LearnedScorer(cache=None)
    scorer.embedder  # loading the embedder is not scoring
    started = time.perf_counter()
    values = []
    scorer.see_pool(records)
    for start in range(0, n, scorer.chunk):
        values += scorer.score(records[start:start + scorer.chunk], lambda k: None)
    scorer.in_pool(values)
    seconds = time.perf_counter() - started
    return {"learned_rows": n, "learned_s": round(seconds, 2), "learned_rows_per_s": round(n / seconds, 1),
            "greedy_100k": selection_speed()}


def select_part(rows: list[dict], model: Path, work: Path) -> dict:
    """`seedling curate --select N` on the held-out pool against three other ways to pick N."""
    n = max(1, round(SHARE * len(rows)))
    pool = work / "pool.jsonl"
    save([Record(r["instruction"], r["output"]) for r in rows], pool)
    started = time.perf_counter()
    _seedling("curate", str(pool), "--out", str(work / "curated"), "--select", str(n), "--learned-model", str(model))
    wall = time.perf_counter() - started
    prob = {Record(r["instruction"], r["output"]).id: r["judge_win_prob"] for r in rows}
    chosen = load(work / "curated" / "selected.jsonl").records
    audit = json.loads((work / "curated" / "audit.json").read_text())
    p = np.array([r["judge_win_prob"] for r in rows])
    by_length = np.argsort([-len(r["output"]) for r in rows], kind="stable")[:n]
    by_model = np.argsort([-r["generator_lc_win_rate"] for r in rows], kind="stable")[:n]
    rng = np.random.default_rng(0)
    random_means = [float(p[rng.choice(len(rows), n, replace=False)].mean()) for _ in range(20)]
    return {"pool": len(rows), "n": n, "chosen": len(chosen), "curate_wall_s": round(wall, 1),
            "timings_s": audit["timings_s"], "filled_similar": audit["selection"].get("filled_similar"),
            "mean_judge_prob": {"seedling": round(float(np.mean([prob[r.id] for r in chosen])), 4),
                                "random": round(float(np.mean(random_means)), 4),
                                "longest": round(float(p[by_length].mean()), 4),
                                "knowing_the_model": round(float(p[by_model].mean()), 4)},
            "instructions_reached": len({r.instruction for r in chosen})}


def pairs_part(rows: list[dict], model: Path, work: Path) -> dict:
    """Per held-out instruction its best-judged answer and one other: a clearly weaker real one
    (judge probability >= 0.5 lower), a degenerate one (the instruction echoed, then sentences
    of other tasks' answers: a rambling continuation), or a continuation as a base model writes
    it (more instructions, none answered; not a kind the training script builds).
    `seedling curate --select N` on the 2N rows; the share of chosen rows that are the good ones."""
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["instruction"], []).append(r)
    rng = random.Random(1)
    sentences = [s for r in rows for s in r["output"].replace("\n", " ").split(". ") if len(s) > 20]
    out = {}
    others = list(by)
    for kind in ("weaker", "degenerate", "continuation"):
        pool, good = [], set()
        for instruction, answers in by.items():
            best = max(answers, key=lambda r: r["judge_win_prob"])
            if kind == "weaker":
                weaker = [r for r in answers if r["judge_win_prob"] <= best["judge_win_prob"] - 0.5]
                if not weaker:
                    continue
                other = rng.choice(weaker)["output"]
            elif kind == "degenerate":
                other = instruction + "\n" + ". ".join(rng.sample(sentences, 8)) + "."
            else:
                other = "\n\n".join(rng.sample([o for o in others if o != instruction], 5))
            good.add(Record(instruction, best["output"]).id)
            pool += [Record(instruction, best["output"]), Record(instruction, other)]
        save(pool, work / f"pairs-{kind}.jsonl")
        _seedling("curate", str(work / f"pairs-{kind}.jsonl"), "--out", str(work / f"pairs-{kind}"), "--select",
                  str(len(good)), "--learned-model", str(model))
        chosen = load(work / f"pairs-{kind}" / "selected.jsonl").records
        out[kind] = {"tasks": len(good), "chosen": len(chosen),
                     "good_share": round(sum(r.id in good for r in chosen) / max(1, len(chosen)), 4)}
    return out


def students_part(rows: list[dict], references: list[dict], model: Path, work: Path, n: int, steps: int,
                  eval_tasks: int, max_length: int, seeds: list[int]) -> dict:
    held = [Record(r["instruction"], r["output"]) for r in references if fold_of(r["instruction"]) != HELD_OUT]
    held = random.Random(0).sample(held, min(eval_tasks, len(held)))
    save(held, work / "held.jsonl")
    pool = work / "pool.jsonl"
    save(records_of(rows), pool)
    _seedling("curate", str(pool), "--out", str(work / "students-curated"), "--select", str(n), "--learned-model",
              str(model))
    chosen = load(work / "students-curated" / "selected.jsonl").records
    kept = load(work / "students-curated" / "kept.jsonl").records
    prob = {Record(r["instruction"], r["output"]).id: r["judge_win_prob"] for r in rows}
    (work / "tune.yaml").write_text("tune:\n  samples: 0\n  checks: \"off\"\n  save_steps: 1000\n")
    arms = {seed: {"selected": chosen, "random": random.Random(seed).sample(kept, len(chosen))} for seed in seeds}
    per_seed = {seed: students_of_seed(work, arms[seed], prob, seed, steps, max_length) for seed in seeds}
    differences = [r["random_minus_selected"]["mean"] for r in per_seed.values()]
    return {"pool": len(rows), "n": len(chosen), "steps": steps, "seeds": per_seed,
            "random_minus_selected_by_seed": {"mean": round(float(np.mean(differences)), 4),
                                              "min": round(min(differences), 4), "max": round(max(differences), 4)}}


def students_of_seed(work: Path, arms: dict[str, list[Record]], prob: dict[str, float], seed: int, steps: int,
                     max_length: int) -> dict:
    """One seed's students (the random arm drawn and both trained with it), scored on the held-out references."""
    per_example, base = {}, {}
    for arm, chosen_rows in arms.items():
        name = f"{arm}-seed{seed}"
        save(chosen_rows, work / f"{name}.jsonl")
        shutil.rmtree(work / name, ignore_errors=True)  # a student of an earlier bench run: this bench's own output
        _seedling("tune", str(work / f"{name}.jsonl"), "--out", str(work / name), "--eval-file",
                  str(work / "held.jsonl"), "--max-steps", str(steps), "--batch-size", "8", "--max-length",
                  str(max_length), "--seed", str(seed), "-c", str(work / "tune.yaml"))
        nll = json.loads((work / name / "eval.json").read_text())["nll"]
        per_example[arm] = {e["id"]: e["student"] for e in nll["per_example"]}
        base = {e["id"]: e["base"] for e in nll["per_example"]}
    ids = sorted(set(per_example["selected"]) & set(per_example["random"]))
    return {"held_out": len(ids),
            "mean_judge_prob": {arm: round(float(np.mean([prob.get(r.id, np.nan) for r in v])), 4)
                                for arm, v in arms.items()},
            "nll": {arm: round(float(np.mean([v[i] for i in ids])), 4) for arm, v in per_example.items()}
            | {"base": round(float(np.mean([base[i] for i in ids])), 4)},
            "random_minus_selected": paired_diff([per_example["random"][i] for i in ids],
                                                 [per_example["selected"][i] for i in ids]).model_dump()}


def selection_speed(n: int = 100_000, dim: int = 256) -> dict:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    score, labels = rng.random(n), rng.integers(0, 30, size=n)
    t = time.perf_counter()
    picked = greedy(x, score, labels, np.arange(n), int(0.3 * n), 0.77)
    total = time.perf_counter() - t
    return {"candidates": n, "dim": dim, "budget": int(0.3 * n), "chosen": len(picked.chosen),
            "greedy_s": picked.summary["greedy_seconds"], "with_reasons_s": round(total, 2)}


def _seedling(*args: str) -> None:
    """The CLI as a user runs it, from this checkout's environment."""
    subprocess.run([sys.executable, "-m", "seedling", *args], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "alpaca-eval-dev")
    parser.add_argument("--parts", default="agreement,speed,select,pairs,students")
    parser.add_argument("--ifd-rows", type=int, default=0, help="rows IFD scores in the agreement part (slow)")
    parser.add_argument("--speed-rows", type=int, default=10_000)
    parser.add_argument("--max-length", type=int, default=384, help="tokens per training row (longer rows are cut)")
    parser.add_argument("--n", type=int, default=32, help="rows each student trains on")
    parser.add_argument("--steps", type=int, default=8, help="LoRA steps per student")
    parser.add_argument("--seeds", default="0",
                        help="comma-separated: each draws the random arm and trains both students with it")
    parser.add_argument("--eval-tasks", type=int, default=160,
                        help="held-out reference answers the students are scored on")
    parser.add_argument("--work", type=Path, default=Path("runs/bench-selection"))
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    args.work.mkdir(parents=True, exist_ok=True)
    answers, references = read(args.data)
    rows = [r for r in answers if fold_of(r["instruction"]) == HELD_OUT and r["output"].strip()]
    out = {"bench": "select", "cpu": f"{cpu_name()}, {cpu_capability()}", "cores": len(os.sched_getaffinity(0)),
           "load_avg_at_start": round(os.getloadavg()[0], 1), "held_out_fold": HELD_OUT}
    model = train_model(args.data, args.work) if parts - {"speed"} else None
    if "agreement" in parts:
        out["agreement"] = agreement_part(rows, model, args.ifd_rows)
    if "speed" in parts:
        out["speed"] = speed_part(rows, args.speed_rows)
    if "select" in parts:
        out["select"] = select_part(rows, model, args.work)
    if "pairs" in parts:
        out["pairs"] = pairs_part(rows, model, args.work)
    if "students" in parts:
        out["students"] = students_part(rows, references, model, args.work, args.n, args.steps, args.eval_tasks,
                                        args.max_length, [int(x) for x in args.seeds.split(",")])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
