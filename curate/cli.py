"""`seedling curate IN --out DIR` and `seedling audit IN`, added through `register(app)`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from seedling.cli import (ConfigOption, FormatOpt, JsonPathOpt, MapOpt, SkipOpt, SplitOpt, console, load_input,
                          options)


def _run(src: Path, flags: dict, config: Optional[Path]):
    from curate.pipeline import curate as run_curate
    from curate.scores import score_pool
    from curate.select import check_budget
    from seedling.formats import load

    opts = options("curate", config, **flags)
    loaded = load_input(src, opts)
    reference = load(opts.reference).records if opts.reference else None
    check_budget(opts.select, len(loaded.records))
    started = time.perf_counter()
    scores = score_pool(loaded.records, opts, console)  # its own progress bar, before the spinner
    if not console.is_terminal:  # the spinner below shows nothing in a log
        console.print(f"auditing {len(loaded.records)} rows", highlight=False)
    with console.status(f"auditing {len(loaded.records)} rows"):
        result = run_curate(loaded.records, opts, reference=reference, model_scores=scores)
    result.audit["input"] = {"path": str(src), "format": loaded.format, "container": loaded.container,
                             "skipped_invalid": len(loaded.skipped), "notes": loaded.notes,
                             "prompt_only": loaded.prompt_only}
    result.audit["timings_s"]["total"] = round(time.perf_counter() - started, 3)
    return result


def _flags(tiers, embedder, semantic_threshold, near_threshold, template_variants, conflicts, min_quality,
           reference, clusters, cache, format, skip_invalid, split, map=None, json_path=None, **scoring) -> dict:
    for name in ("scores", "select_by", "fields"):
        if scoring.get(name) is not None:
            scoring[name] = [s.strip() for s in scoring[name].split(",") if s.strip()]
    return dict(**scoring, tiers=[t.strip() for t in tiers.split(",") if t.strip()] if tiers is not None else None,
                embedder=embedder, semantic_threshold=semantic_threshold, near_threshold=near_threshold,
                template_variants=template_variants, conflicts=conflicts, min_quality=min_quality, reference=reference,
                clusters=clusters, cache=cache, format=format, skip_invalid=skip_invalid, split=split,
                map=map, json_path=json_path)


TiersOpt = typer.Option(None, help="Dedup tiers to run, comma-separated: exact,near,semantic (default all).")
EmbedderOpt = typer.Option(None, help="static (default, distilled once from MiniLM), minilm, or a model directory.")
SemanticOpt = typer.Option(None, help="Semantic cosine threshold (default: the embedder's calibrated one).")
FieldsOpt = typer.Option(None, help="Fields the semantic tier compares, comma-separated: instruction, input, "
                                    "output (default: every part of rows with an informative answer; the "
                                    "prompts when most rows have none).")
NearOpt = typer.Option(None, help="MinHash near-duplicate Jaccard threshold (default 0.7).")
VariantsOpt = typer.Option(None, help="Template variants (same example and answer, another template): keep "
                                      "(default) or remove.")
ConflictsOpt = typer.Option(None, help="Conflicts (same prompt, different answers): flag (default, all kept) or "
                                       "keep-one.")
MinQualityOpt = typer.Option(None, help="Remove rows whose heuristic quality is below this (0-1).")
ReferenceOpt = typer.Option(None, help="Reference dataset for coverage and the bias comparison (group shares, "
                                       "pronouns, associations; e.g. data/seed_tasks.jsonl).")
ClustersOpt = typer.Option(None, help="Number of clusters (default: round(sqrt(n/2)) in [2, 30]).")
CacheOpt = typer.Option(None, help="Embedding cache directory (default: seedling's cache).")
ExecutorOpt = typer.Option(None, help="local (default) or ray: embeddings and MinHash signatures as Ray Data "
                                      "map_batches on the cluster at --ray-address (else RAY_ADDRESS, else a local one).")
RayAddressOpt = typer.Option(None, help="Address of an existing Ray cluster for --executor ray.")
SelectOpt = typer.Option(None, help="Choose this many rows (a count, or a share of the pool like 0.3): "
                                    "selected.jsonl + selection.jsonl (why each row was chosen or left).")
ScoresOpt = typer.Option(None, help="Model scorers, comma-separated: learned, ifd, judge (default: learned when "
                                    "--select is given, judge when --judge-model is; empty string for none).")
LearnedModelOpt = typer.Option(None, help="Quality model directory for the learned score (from "
                                           "scripts/train_quality.py; default: the shipped one).")
SelectByOpt = typer.Option(None, help="Score parts --select multiplies, comma-separated: quality, learned, ifd, "
                                      "end_nll, judge (default: quality, learned and judge where they ran).")
CounterfactualOpt = typer.Option(None, help="Add counterfactual copies of the kept rows that mention this axis "
                                            "(gender): swapped pronouns, nouns, titles, names; meta.counterfactual_of.")
IfdModelOpt = typer.Option(None, help="Causal LM for IFD: a local dir or cached hub id (default: the embedded SmolLM2).")
JudgeModelOpt = typer.Option(None, help="Turn the LLM judge on with this model (a fake-teacher script for the fake engine).")
JudgeEngineOpt = typer.Option(None, help="Judge engine: vllm, transformers, openai or fake (default: vllm if installed).")
JudgeTemplateOpt = typer.Option(None, help="Judge prompt: a Jinja file (copy curate/scores/judge.j2).")


def register(app: typer.Typer) -> None:
    @app.command("curate")
    def curate_command(
        src: Path = typer.Argument(..., help="Dataset file or datasets directory."),
        out: Path = typer.Option(..., "--out", "-o", help="Output directory."),
        tiers: Optional[str] = TiersOpt, embedder: Optional[str] = EmbedderOpt,
        semantic_threshold: Optional[float] = SemanticOpt, fields: Optional[str] = FieldsOpt,
        near_threshold: Optional[float] = NearOpt,
        template_variants: Optional[str] = VariantsOpt, conflicts: Optional[str] = ConflictsOpt,
        min_quality: Optional[float] = MinQualityOpt,
        reference: Optional[str] = ReferenceOpt, clusters: Optional[int] = ClustersOpt,
        cache: Optional[str] = CacheOpt, format: Optional[str] = FormatOpt,
        skip_invalid: Optional[bool] = SkipOpt, split: Optional[str] = SplitOpt,
        map: Optional[str] = MapOpt, json_path: Optional[str] = JsonPathOpt,
        select: Optional[float] = SelectOpt, select_by: Optional[str] = SelectByOpt,
        scores: Optional[str] = ScoresOpt, learned_model: Optional[str] = LearnedModelOpt,
        ifd_model: Optional[str] = IfdModelOpt,
        judge_model: Optional[str] = JudgeModelOpt, judge_engine: Optional[str] = JudgeEngineOpt,
        judge_template: Optional[str] = JudgeTemplateOpt,
        counterfactual: Optional[str] = CounterfactualOpt, executor: Optional[str] = ExecutorOpt,
        ray_address: Optional[str] = RayAddressOpt, config: Optional[Path] = ConfigOption,
    ) -> None:
        """Dedup, score and audit a dataset: kept.jsonl, removed.jsonl (with reasons), audit.json/html;
        with --select N also selected.jsonl and selection.jsonl."""
        from curate import overrides
        from curate.outputs import write_data, write_report
        from curate.report.terminal import show
        from seedling.overrides import OVERRIDES

        result = _run(src, _flags(tiers, embedder, semantic_threshold, near_threshold, template_variants,
                                  conflicts, min_quality, reference, clusters, cache, format, skip_invalid, split,
                                  map=map, json_path=json_path, fields=fields, select=select, select_by=select_by,
                                  scores=scores, learned_model=learned_model, ifd_model=ifd_model,
                                  judge_model=judge_model,
                                  judge_engine=judge_engine, judge_template=judge_template,
                                  counterfactual=counterfactual, executor=executor, ray_address=ray_address), config)
        overrides.apply(result, out / OVERRIDES)
        written = write_data(result, out) + write_report(result, out, src.name)
        show(result.audit, console)
        console.print("wrote " + ", ".join(str(p) for p in written))

    @app.command("audit")
    def audit_command(
        src: Path = typer.Argument(..., help="Dataset file or datasets directory."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Report directory (default: ./<name>-audit)."),
        tiers: Optional[str] = TiersOpt, embedder: Optional[str] = EmbedderOpt,
        semantic_threshold: Optional[float] = SemanticOpt, fields: Optional[str] = FieldsOpt,
        near_threshold: Optional[float] = NearOpt,
        reference: Optional[str] = ReferenceOpt, clusters: Optional[int] = ClustersOpt,
        cache: Optional[str] = CacheOpt, format: Optional[str] = FormatOpt,
        skip_invalid: Optional[bool] = SkipOpt, split: Optional[str] = SplitOpt,
        map: Optional[str] = MapOpt, json_path: Optional[str] = JsonPathOpt,
        scores: Optional[str] = ScoresOpt, learned_model: Optional[str] = LearnedModelOpt,
        ifd_model: Optional[str] = IfdModelOpt,
        judge_model: Optional[str] = JudgeModelOpt, judge_engine: Optional[str] = JudgeEngineOpt,
        judge_template: Optional[str] = JudgeTemplateOpt,
        executor: Optional[str] = ExecutorOpt, ray_address: Optional[str] = RayAddressOpt,
        config: Optional[Path] = ConfigOption,
    ) -> None:
        """Report on a dataset without changing it: terminal summary, audit.json, audit.html.

        Removal options belong to `seedling curate`, which writes the kept and removed rows."""
        from curate.outputs import write_report
        from curate.report.terminal import show

        result = _run(src, _flags(tiers, embedder, semantic_threshold, near_threshold, None, None, None,
                                  reference, clusters, cache, format, skip_invalid, split,
                                  map=map, json_path=json_path, fields=fields, scores=scores,
                                  learned_model=learned_model, ifd_model=ifd_model,
                                  judge_model=judge_model,
                                  judge_engine=judge_engine, judge_template=judge_template,
                                  executor=executor, ray_address=ray_address), config)
        target = out or Path(f"{src.name.split('.')[0]}-audit")
        written = write_report(result, target, src.name)
        show(result.audit, console)
        console.print("wrote " + ", ".join(str(p) for p in written) + " (data unchanged)")
