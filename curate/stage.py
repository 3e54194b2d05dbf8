"""What `seedling run` calls in curate (loaded through the `seedling.stages` entry point):
curate a file into a directory, audit one generation round for the next one's steering, and
say which embedder a config uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curate import files
from curate.options import CurateOptions
from seedling.curate_audit import DiversityFigures
from seedling.run.rounds import AllRows, Region, Round
from seedling.run.summaries import CurateSummary


class CurateStage:
    """The curate plugin (seedling.run.layout.CuratePlugin)."""

    OPTIONS = CurateOptions  # the `curate:` config section
    OUTPUTS = files.OUTPUTS  # the files it writes, by role (seedling.run.layout)

    def describe(self, opts: CurateOptions) -> dict[str, Any]:
        """The embedder a config names, as the run manifest records it (nothing is loaded)."""
        from seedling.models import model_revision, resolve_embedder

        if opts.embedder in ("static", "minilm"):
            path = resolve_embedder(None)
            name = "all-MiniLM-L6-v2" + (" (model2vec static, distilled from it)" if opts.embedder == "static" else "")
        else:
            path, name = resolve_embedder(opts.embedder), opts.embedder
        return {"name": name, "path": str(path), "revision": model_revision(path), "license": "Apache-2.0"
                if opts.embedder in ("static", "minilm") else None}

    def run(self, data: Path, out: Path, opts: CurateOptions, reference: Path | None = None,
            overrides: Path | None = None) -> CurateSummary:
        """Curate `data` into `out` (kept, removed, audit.json/html, steering.json), then apply a
        person's decisions from `overrides` (default: overrides.jsonl in `out`)."""
        from curate import overrides as decisions
        from curate.outputs import write_data, write_report
        from curate.pipeline import curate
        from seedling.formats import load
        from seedling.overrides import OVERRIDES

        refs = load(reference).records if reference else None
        result = curate(load(data).records, opts, reference=refs)
        decisions.apply(result, overrides or out / OVERRIDES)
        write_data(result, out)
        write_report(result, out, data.name)
        return CurateSummary(rows=result.audit.rows, kept=result.audit.kept, removed=result.audit.removed)

    def audit_round(self, data: Path, bounds: list[int], k: int, opts: CurateOptions, reference: Path | None,
                    out: Path) -> Round:
        """Audit the rows of rounds 1..`k` of `data` (rows [0, bounds[k]) in acceptance order) into
        `out`, and measure round k's new rows alone, so rounds compare on equal terms.
        Returns round k's line of rounds.json; `out`/steering.json steers the next round."""
        from curate.bias.steering import region_hint
        from curate.diversity import scores
        from curate.diversity.hint_effect import drop_narrowing, hint_effects
        from curate.outputs import write_report
        from curate.pipeline import curate
        from seedling.formats import load

        rows = load(data).records[: bounds[k]]
        new = rows[bounds[k - 1]:]
        refs = load(reference).records if reference else None
        result = curate(rows, opts, reference=refs)
        vectors = result.instruction_vectors[len(rows) - len(new):]  # the round's rows are the last ones
        effects = hint_effects(new, vectors)
        dropped = drop_narrowing(result.steering, effects)
        write_report(result, out, f"{data.name}, rounds 1-{k}")
        audit = result.audit
        landed = {region_hint(c["central"]): c["rows_landed"]
                  for c in (audit.coverage.reference_clusters if audit.coverage else [])}
        for e in effects:
            e.rows_landed = landed.get(e.hint)
        chosen = [r.meta["steering"] for r in new if "chosen_among" in (r.meta.get("steering") or {})]
        return Round(
            round=k, rows_new=len(new), rows_total=len(rows),
            new_rows=DiversityFigures(**scores.pairwise(vectors, opts.sample),
                                      **scores.distinct_n([r.instruction for r in new])),
            all_rows=AllRows(vendi=audit.diversity.all.vendi, vendi_per_row=audit.diversity.all.vendi_per_row,
                             cluster_entropy=audit.clusters.entropy, clusters=audit.clusters.k,
                             coverage_share=audit.coverage.covered_share if audit.coverage else None,
                             rows_with_group_mention=audit.bias.rows_with_any_mention),
            hints_next=result.steering.requests(), hints_used=effects, hints_dropped=[d.hint for d in dropped],
            regions_next=[Region(hint=t.request, seed_examples=t.instructions, rows_landed=t.rows_landed)
                          for t in result.steering.missing_topics],
            chosen_among=max((m["chosen_among"] for m in chosen), default=None),
            aimed_rows=sum(1 for m in chosen if m.get("aimed_at")) if chosen else None)


STAGE = CurateStage()
