"""Curate stage: dedup (exact, near, semantic), diversity and coverage, bias audit, quality,
report. The public surface is small:

    from curate import curate, load_embedder, CurateOptions
    result = curate(records)                  # default: every tier, the static embedder
    result.kept, result.removed               # removed rows carry removed_by, reason, dup_of
    result.dedup.rethreshold(0.8)             # move the semantic threshold, no re-embedding
    result.audit                              # every figure (a CurateAudit), as written to audit.json

Any object with `.encode(list[str]) -> array` can be passed as `embedder=` (give it a
`model_id` to have its vectors cached, and pass `CurateOptions(semantic_threshold=...)`).
"""

from curate.embedders import load_embedder
from curate.options import CurateOptions
from curate.pipeline import CurateResult, curate

__all__ = ["CurateOptions", "CurateResult", "curate", "load_embedder"]
