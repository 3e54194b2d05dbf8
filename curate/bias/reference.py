"""The data against a reference dataset (`--reference`): each group's rate and share of its
axis, the female share of pronoun-leaning examples, and the data's strongest associations, each
beside the reference's figure. The reference is counted in independent examples too (rows
sharing a passage count once: dedup's shared-context groups). Both are samples, so differences
carry Newcombe 95% intervals and count as findings only when the interval excludes 0 and both
sides have enough examples."""

from __future__ import annotations

from curate.bias.associations import Scorer
from curate.bias.audit import skip_words
from curate.bias.lexicon import load
from curate.bias.representation import too_few
from curate.bias.scans import Scans, scan_all
from curate.bias.units import describe, from_dedup
from curate.dedup.prompts import analyse
from curate.dedup.shared_context import shared_context_groups
from seedling.record import Record
from seedling.stats import diff_ci, rate_ci


def _share_rows(counts, axis: str, groups: list[str]) -> int:
    return sum(counts[(axis, g)] for g in groups)


def compare(scans: Scans, reference: list[Record], bias: dict, min_rows: int) -> dict:
    """`bias` is the data's audit (its associations are looked up in the reference)."""
    lex = load()
    everything = list(range(len(reference)))
    units = from_dedup(len(reference), shared_context_groups(analyse(reference), everything), [], [])
    ref_scans = scan_all(reference, units=units)
    data_counts, ref_counts = scans.counts(), ref_scans.counts()
    n, n_ref = len(scans), len(ref_scans)
    axes = {}
    for axis, groups in lex.groups.items():
        m, m_ref = _share_rows(data_counts, axis, groups), _share_rows(ref_counts, axis, groups)
        enough = min(m, m_ref) >= min_rows
        entries = {}
        for g in groups:
            k, k_ref = data_counts[(axis, g)], ref_counts[(axis, g)]
            if not k and not k_ref:
                continue
            share = diff_ci(k, m, k_ref, m_ref)
            entries[g] = {"rows": k, "reference_rows": k_ref,
                          "rate": rate_ci(k, n), "reference_rate": rate_ci(k_ref, n_ref),
                          "share": rate_ci(k, m)["rate"], "reference_share": rate_ci(k_ref, m_ref)["rate"],
                          "share_difference": share,
                          "finding": ("more than the reference" if share["diff"] > 0 else "less than the reference")
                          if enough and share["differs"] else None}
        axes[axis] = {"rows_with_mention": m, "reference_rows_with_mention": m_ref,
                      "verdict": too_few(min(m, m_ref), min_rows) if not enough else
                      (f"{sum(bool(e['finding']) for e in entries.values())} groups differ" if any(
                          e["finding"] for e in entries.values()) else "no finding"),
                      "groups": entries}
    p = bias["pronouns"]
    rf = int((ref_scans.female_pronouns > ref_scans.male_pronouns).sum())
    rm = int((ref_scans.male_pronouns > ref_scans.female_pronouns).sum())
    n_p, n_p_ref = p["rows_female_leaning"] + p["rows_male_leaning"], rf + rm
    pron = diff_ci(p["rows_female_leaning"], n_p, rf, n_p_ref)
    pronouns = {"female_row_share": p["female_row_share"], "reference_female_row_share": rate_ci(rf, n_p_ref)["rate"],
                "reference_female_row_share_ci95": rate_ci(rf, n_p_ref)["ci95"], "difference": pron,
                "verdict": too_few(min(n_p, n_p_ref), min_rows) if min(n_p, n_p_ref) < min_rows else
                ("differs" if pron["differs"] else "no finding")}
    scorer = Scorer(ref_scans, skip_words(lex))
    assoc = {}
    for axis, a in bias["associations"].items():
        for g, fig in a["groups"].items():
            rows, others = scorer.sides(axis, lex.groups[axis], g)
            _, _, scores = scorer.scores(axis, lex.groups[axis], g) if len(rows) and len(others) else (None, None, {})
            assoc.setdefault(axis, {})[g] = [
                {"word": w["word"], "z": w["z"], "reference_z": round(scores[w["word"]][1], 2) if w["word"] in scores else None,
                 "reference_rows": len(rows)} for w in fig["words"]]
    return {"rows": len(reference), "evidence": describe(units, "shared_context"), "axes": axes, "pronouns": pronouns,
            "associations": assoc,
            "rule": "group shares of the axis' mentions, data minus reference, Newcombe 95% interval; "
                    "associations: the data's words with their z in the reference (None: the word is not in the "
                    "reference's rows for that axis)"}
