"""Row sets for bench/curate.py built from data on disk (nothing downloaded)."""

from __future__ import annotations

import random
import re
import sysconfig
from collections import Counter
from pathlib import Path

from seedling.formats import load
from seedling.record import Record
from seedling.text import normalize, strip_markers

DOCSTRING = re.compile(r'"""(.{300,4000}?)"""', re.DOTALL)
TEMPLATES = [
    "Summarize what the passage says about {t}.", "Explain how {t} is used in the text below.",
    "What does the passage tell us about {t}?", "Write a short answer: why does the text mention {t}?",
    "List the key facts about {t} in this passage.", "Describe the role of {t} according to the text.",
    "Rewrite the part about {t} in plain English.", "Give an example related to {t} based on the passage.",
    "Identify the main claim about {t}.", "Answer the question about {t} using the passage.",
]
BASES = len(TEMPLATES)
TEMPLATES += [t.replace("the passage", "this documentation").replace("the text", "this excerpt") for t in TEMPLATES]
TEMPLATES += [f"{t} Be concise." for t in TEMPLATES]
DOC_WORD = re.compile(r"\b[a-z_][a-z_]{5,}\b")
WORD = re.compile(r"\b[a-z]{4,}\b")


def real_like(path: Path, rows: int, swap: float = 0.3, seed: int = 0) -> list[Record]:
    """`rows` rows: the real set, then copies of it in which `swap` of the rare words (in fewer
    than 1 % of the rows) are swapped for other rare words, one mapping a copy, in prompt and
    answer alike: each copy keeps the real set's structure (passages asked several questions,
    templates, one-word answers) without repeating its rows."""
    real = load(path).records
    seen = Counter(w for r in real for w in set(WORD.findall((r.prompt + " " + r.output).lower())))
    rare = sorted(w for w, c in seen.items() if c < 0.01 * len(real))
    rng, out, copy = random.Random(seed), list(real), 0
    while len(out) < rows:
        copy += 1
        chosen = rng.sample(rare, int(swap * len(rare)))
        mapping = dict(zip(chosen, rng.sample(rare, len(chosen))))
        swap_words = _swapper(mapping)
        out.extend(Record(swap_words(r.instruction), swap_words(r.output), input=swap_words(r.input),
                          source=r.source, meta={**r.meta, "copy": copy}) for r in real[:rows - len(out)])
    return out


def _swapper(mapping: dict[str, str]):
    def swap(text: str) -> str:
        return WORD.sub(lambda m: mapping.get(m.group(0), m.group(0)), text) if text else text
    return swap


def corpus(chars_needed: int) -> list[str]:
    """Distinct docstring passages of real English, from the stdlib first, then site-packages."""
    roots = [Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])]
    seen, out, total = set(), [], 0
    for root in roots:
        for f in sorted(root.rglob("*.py")):
            try:
                text = f.read_text(encoding="utf-8", errors="ignore")
            except OSError:
                continue
            for m in DOCSTRING.finditer(text):
                doc = " ".join(m.group(1).split())
                if len(doc) >= 300 and doc not in seen and sum(c.isalpha() for c in doc) > 0.7 * len(doc):
                    seen.add(doc)
                    out.append(doc)
                    total += len(doc)
            if total >= chars_needed:
                return out
    return out


def build(n: int, docs: list[str], seed: int = 0) -> tuple[list[Record], set[int], set[int]]:
    rng = random.Random(seed)
    pieces = list(dict.fromkeys(d[i:i + 650] for d in docs for i in range(0, len(d) - 300, 650)))
    rng.shuffle(pieces)  # libraries repeat docstring paragraphs: each piece of text appears once
    rows, shared, pos = [], set(), 0
    distinct = int(n * 0.95)
    while len(rows) < distinct and pos + 4 < len(pieces):
        passage = pieces[pos]
        words = DOC_WORD.findall(passage.lower()) or ["this"]
        group = 3 if rng.random() < 0.2 else 1
        # questions over one passage differ in topic AND base template (a "this documentation"
        # variant of the same question on the same topic would be the same task asked again)
        topics = rng.sample(sorted(set(words)), min(group, len(set(words))))
        bases = rng.sample(range(BASES), len(topics))
        asks = [TEMPLATES[b + BASES * rng.randrange(len(TEMPLATES) // BASES)].format(t=t) for b, t in zip(bases, topics)]
        for g, ask in enumerate(asks[:distinct - len(rows)]):
            rows.append(Record(ask, pieces[pos + 1 + g][:350], input=passage, source="generated"))
            if group > 1:
                shared.add(len(rows) - 1)
        pos += 1 + group
    copies = set()
    for i in rng.sample(range(len(rows)), n - len(rows)):
        r = rows[i]
        rows.append(Record(r.instruction.upper() + " ", r.output, input=r.input.replace(" ", "  "), source="generated"))
        copies.add(len(rows) - 1)
    return rows, shared, copies


QQP = re.compile(r"Question 1: (.*)\nQuestion 2: (.*)\n\nDo these two questions convey the same meaning")


def qqp_pairs(path: Path) -> list[tuple[str, str, bool]]:
    """(question, question, paraphrase?) from the T0 dev set's QQP rows, each pair once."""
    pairs = {}
    for r in load(path).records:
        if r.meta.get("template") == "glue_qqp_meaning" and (m := QQP.search(r.prompt)):
            pairs[(m.group(1).strip(), m.group(2).strip())] = normalize(strip_markers(r.output)) == "yes"
    return [(a, b, same) for (a, b), same in pairs.items() if normalize(a) != normalize(b)]
