"""Train the learned quality model (curate/scores/learned.py) from a strong judge's verdicts.

    .venv/bin/python scripts/train_quality.py ../shared/data/alpaca-eval-dev   # ~1-2 min on 2 cores

DATA is a directory with `answers.jsonl.gz`: rows of `instruction`, `output`, `generator` and
`judge_win_prob` (the judge's probability that the answer beats a strong reference answer),
several answers to each instruction (AlpacaEval's layout). The target is `judge_win_prob`;
a ridge regression over the features with one free intercept per instruction, so only the
differences between answers to the same instruction teach it (an instruction's difficulty
does not). Degenerate answers built from the training rows (cut mid-way, another task's
answer, a drifting continuation) are added with target 0, so the model also learns what the
judge's data never shows it. A second model is trained the same way with one more feature,
each answer's agreement with the other answers to its instruction (`features.consensus`);
curate uses it where a prompt has several answers in the pool (`pool_` weights).

Held-out figures come from 4 folds split by instruction hash (no instruction in both sides):
pairwise agreement with the judge on clear pairs (probabilities >= 0.5 apart), on such pairs
of similar length (length ratio 0.8-1.25), and on good-vs-degenerate pairs. They go into
card.json beside the weights, with the data's hash and the training settings."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import gzip  # noqa: E402
import hashlib  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import seedling  # noqa: E402,F401  (offline environment)
from seedling.device import cpu_capability  # noqa: E402
from seedling.info import cpu_name  # noqa: E402
from curate.embedders import load_embedder  # noqa: E402
from curate.scores import features  # noqa: E402
from curate.scores.learned import EMBEDDER, MODEL_DIR, POOL, QualityModel  # noqa: E402
from seedling.text import normalize  # noqa: E402

ALPHA = 10.0  # ridge penalty, chosen by the 4-fold figures (3 and 30 were no better)
SHAPE_WEIGHT = 0.3  # standardised shape columns against hashed rows of length 1
FIXED = 30.0  # the per-instruction intercept columns' scale: large, so the penalty barely touches them
CLEAR, MATCHED = 0.5, (0.8, 1.25)
FOLDS = 4


def fold_of(instruction: str) -> int:
    return int(hashlib.sha256(instruction.encode("utf-8")).hexdigest(), 16) % FOLDS


def degenerate(rows: list[dict], seed: int = 0) -> list[dict]:
    """One broken answer per instruction and kind, from answers to it and to others: cut
    mid-way, another task's answer, the prompt echoed and continued with other answers'
    sentences, and such a drifting continuation without the echo."""
    rng = random.Random(seed)
    by_instruction: dict[str, list[dict]] = {}
    for row in rows:
        by_instruction.setdefault(row["instruction"], []).append(row)
    instructions = list(by_instruction)
    made = []
    for instruction, answers in by_instruction.items():
        best = max(answers, key=lambda r: r["judge_win_prob"])["output"]
        words = best.split(" ")
        others = [rng.choice(by_instruction[rng.choice(instructions)])["output"] for _ in range(3)]
        sentences = [s for o in others for s in o.replace("\n", " ").split(". ") if s.strip()]
        variants = {
            "cut": " ".join(words[:max(1, int(len(words) * rng.uniform(0.2, 0.5)))]),
            "other": others[0],
            "ramble": instruction + " " + ". ".join(rng.sample(sentences, min(len(sentences), 12))),
            "drift": ". ".join(rng.sample(sentences, min(len(sentences), 10))),
        }
        made += [{"instruction": instruction, "output": text, "generator": f"degenerate:{kind}",
                  "judge_win_prob": 0.0, "degenerate": kind} for kind, text in variants.items() if text.strip()]
    return made


def fit(words, shape: np.ndarray, target: np.ndarray, groups: np.ndarray) -> dict[str, np.ndarray]:
    from sklearn.linear_model import Ridge

    mean, scale = shape.mean(0), shape.std(0)
    scale[scale == 0] = 1.0
    _, group = np.unique(groups, return_inverse=True)
    fixed = sp.csr_matrix((np.full(len(group), FIXED), (np.arange(len(group)), group)))
    design = sp.hstack([words, sp.csr_matrix((shape - mean) / scale * SHAPE_WEIGHT), fixed]).tocsr()
    coef = Ridge(alpha=ALPHA).fit(design, target).coef_
    return {"words": coef[:features.HASH_DIMS].astype(np.float32),
            "shape": (coef[features.HASH_DIMS:features.HASH_DIMS + shape.shape[1]] * SHAPE_WEIGHT).astype(np.float32),
            "shape_mean": mean.astype(np.float32), "shape_scale": scale.astype(np.float32)}


def raw_score(weights, words, shape) -> np.ndarray:
    return QualityModel.raw(weights, words, shape)


def agreement(score: np.ndarray, rows: list[dict], idx: np.ndarray) -> dict[str, float]:
    """Share of clear pairs (and of length-matched clear pairs) the score orders as the judge does."""
    by: dict[str, list[int]] = {}
    for i in idx:
        by.setdefault(rows[i]["instruction"], []).append(int(i))
    right, matched = [], []
    for members in by.values():
        for a, b in itertools.combinations(members, 2):
            pa, pb = rows[a]["judge_win_prob"], rows[b]["judge_win_prob"]
            if abs(pa - pb) < CLEAR:
                continue
            good, bad = (a, b) if pa > pb else (b, a)
            ok = 1.0 if score[good] > score[bad] else 0.5 if score[good] == score[bad] else 0.0
            right.append(ok)
            ratio = len(rows[good]["output"]) / max(1, len(rows[bad]["output"]))
            if MATCHED[0] <= ratio <= MATCHED[1]:
                matched.append(ok)
    return {"clear_pairs": len(right), "agreement": round(float(np.mean(right)), 4),
            "length_matched_pairs": len(matched), "length_matched_agreement": round(float(np.mean(matched)), 4)}


def degenerate_agreement(score, rows, idx) -> dict[str, float]:
    """Per kind: share of instructions whose best-judged answer outscores its degenerate one."""
    best: dict[str, int] = {}
    for i in idx:
        task = rows[i]["instruction"]
        if "degenerate" not in rows[i] and (task not in best or
                                             rows[i]["judge_win_prob"] > rows[best[task]]["judge_win_prob"]):
            best[task] = int(i)
    wins: dict[str, list[float]] = {}
    for i in idx:
        kind = rows[i].get("degenerate")
        if kind and rows[i]["instruction"] in best:
            wins.setdefault(kind, []).append(float(score[best[rows[i]["instruction"]]] > score[i]))
    return {kind: round(float(np.mean(v)), 4) for kind, v in sorted(wins.items())}


def cross_validate(words, shape, target, groups, folds, rows, is_real) -> tuple[np.ndarray, list[dict]]:
    """Held-out raw scores of every row (each fold scored by a model trained on the others), and
    each fold's agreement figures."""
    score, per_fold = np.zeros(len(rows)), []
    for k in sorted(set(folds.tolist())):  # an excluded fold has no rows
        train, test = np.where(folds != k)[0], np.where(folds == k)[0]
        weights = fit(words[train], shape[train], target[train], groups[train])
        score[test] = raw_score(weights, words[test], shape[test])
        per_fold.append(agreement(score, rows, test[is_real[test]]))
    return score, per_fold


def calibration(raw: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Platt scaling with the judge's probability as a soft label: raw score -> probability."""
    from sklearn.linear_model import LogisticRegression

    x = np.r_[raw, raw].reshape(-1, 1)
    y = np.r_[np.ones(len(raw)), np.zeros(len(raw))]
    weight = np.r_[target, 1 - target] + 1e-6
    model = LogisticRegression(C=1e4).fit(x, y, sample_weight=weight)
    return np.array([model.coef_[0, 0], model.intercept_[0]], dtype=np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="directory with answers.jsonl.gz (AlpacaEval layout)")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--exclude-fold", type=int, choices=range(FOLDS), default=None,
                        help="leave this fold's instructions out of the final model (for benchmarks on them)")
    args = parser.parse_args()
    started = time.perf_counter()
    source = args.data / "answers.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as f:
        real = [json.loads(line) for line in f]
    if args.exclude_fold is not None:
        real = [r for r in real if fold_of(r["instruction"]) != args.exclude_fold]
    rows = real + degenerate(real)
    embedder = load_embedder(EMBEDDER)
    words, shape = features.matrices([r["instruction"] for r in rows], [r["output"] for r in rows], embedder)
    target = np.array([r["judge_win_prob"] for r in rows])
    groups = np.array([r["instruction"] for r in rows])
    folds = np.array([fold_of(r["instruction"]) for r in rows])
    is_real = np.array(["degenerate" not in r for r in rows])
    with_consensus = np.column_stack([shape, features.consensus([normalize(g) for g in groups], words)])
    length = np.array([len(r["output"]) for r in rows], dtype=float)
    figures = {}
    for name, matrix in (("alone", shape), ("with_consensus", with_consensus)):
        score, per_fold = cross_validate(words, matrix, target, groups, folds, rows, is_real)
        figures[name] = {"pooled": {**agreement(score, rows, np.where(is_real)[0]),
                                    "degenerate": degenerate_agreement(score, rows, np.arange(len(rows)))},
                         "per_fold": per_fold}
    weights = fit(words, shape, target, groups)
    weights["calibration"] = calibration(raw_score(weights, words, shape), target)
    pool = fit(words, with_consensus, target, groups)
    pool["calibration"] = calibration(raw_score(pool, words, with_consensus), target)
    weights.update({POOL + name: value for name, value in pool.items()})
    args.out.mkdir(parents=True, exist_ok=True)
    from safetensors.numpy import save_file

    save_file(weights, str(args.out / "weights.safetensors"))
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip()
    card = {
        "name": "seedling-quality-ridge-v2",
        "weights_sha256": hashlib.sha256((args.out / "weights.safetensors").read_bytes()).hexdigest(),
        "data": {"name": "AlpacaEval answers of 30 models rated by weighted GPT-4-turbo against gpt4_1106_preview "
                         "(tatsu-lab/alpaca_eval, Apache-2.0), the half of its instructions in seedling's dev set",
                 "file_sha256": hashlib.sha256(source.read_bytes()).hexdigest(), "rows": len(real),
                 "instructions": len(set(groups[is_real])), "degenerate_rows_added": int((~is_real).sum()),
                 "excluded_fold": args.exclude_fold},
        "target": "judge_win_prob, ridge with a free intercept per instruction",
        "features": {"words": f"hashed word and punctuation 1-2 grams of the answer, {features.HASH_DIMS} dims, "
                              "L2 rows",
                     "embedder": f"{EMBEDDER} ({getattr(embedder, 'model_id', '')}), for prompt_cosine"},
        "shape": features.SHAPE, "alpha": ALPHA, "shape_weight": SHAPE_WEIGHT,
        "pool_model": "pool_* weights: the same features plus `consensus` (cosine of the answer's hashed words to the "
                      f"other answers to its prompt), used where a prompt has >= {features.CONSENSUS_MIN} answers",
        "held_out": {"folds": FOLDS, "split": "sha256(instruction) mod 4", **figures["alone"],
                     "with_consensus": figures["with_consensus"],
                     "longer_answer_wins": agreement(length, rows, np.where(is_real)[0])},
        "trained": {"commit": commit, "seconds": round(time.perf_counter() - started, 1),
                    "cpu": f"{cpu_name()}, {cpu_capability()}"},
    }
    (args.out / "card.json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"held_out": card["held_out"]["pooled"],
                      "with_consensus": card["held_out"]["with_consensus"]["pooled"],
                      "longer_answer_wins": card["held_out"]["longer_answer_wins"],
                      "seconds": card["trained"]["seconds"]}))


if __name__ == "__main__":
    main()
