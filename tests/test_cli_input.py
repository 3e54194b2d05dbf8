"""The first hour with one's own data, as a user types it: one set of input flags in every
command, what reading did said once, help that explains itself."""

import gzip
import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from seedling import load
from seedling.cli import app
from tests.helpers.paths import GOLDEN, SEED_TASKS
from tests.helpers.static_model import build_tiny_static

runner = CliRunner()


def invoke(target, *args):
    result = runner.invoke(target, [str(a) for a in args], env={"COLUMNS": "200"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def stages():
    from curate.cli import register as register_curate
    from generate.cli import register as register_generate

    stage_app = typer.Typer()
    register_curate(stage_app)
    register_generate(stage_app)
    return stage_app


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_version_and_help_without_type_tags_on_flags(stages):
    from importlib.metadata import version

    assert invoke(app, "--version").output.strip() == f"seedling {version('seedling')}"
    for target, command in ((app, "convert"), (app, "stats"), (stages, "audit")):
        text = invoke(target, command, "--help").output
        assert "--skip-invalid" in text and "<bool>" not in text and "--map" in text and "--format" in text
    assert "magpie" in invoke(stages, "generate", "--help").output


def test_audit_offers_no_removal_options(stages):
    text = invoke(stages, "audit", "--help").output
    assert not {"--template-variants", "--conflicts", "--min-quality"} & set(text.split())
    assert "--template-variants" in invoke(stages, "curate", "--help").output


def test_convert_takes_format_as_every_other_command_does(tmp_path):
    for flag in ("--format", "--from"):
        result = invoke(app, "convert", GOLDEN / "contract.jsonl", tmp_path / f"{flag}.jsonl", flag, "alpaca")
        assert result.exit_code == 0, result.output
        assert load(tmp_path / f"{flag}.jsonl").records[0].source == "imported:alpaca"


def test_convert_maps_columns_and_says_what_reading_did(tmp_path):
    src = write_jsonl(tmp_path / "qa.jsonl", [{"text": "Capital of France?", "Answer1": "Paris</s>", "Answer2": "P"}])
    result = invoke(app, "convert", src, tmp_path / "out.csv", "--map", "instruction=text,output=Answer1")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "mapped text -> instruction, Answer1 -> output" in out and "stripped 1 end-of-text markers" in out
    assert [(r.instruction, r.output) for r in load(tmp_path / "out.csv").records] == [("Capital of France?", "Paris")]


def test_map_and_json_path_as_config_keys(tmp_path):
    doc = {"info": {"v": 1}, "rows": [{"q": "a", "a": "b"}], "other": [{"x": 1}]}
    src = tmp_path / "export.json"
    src.write_text(json.dumps(doc, indent=2))
    config = tmp_path / "c.yaml"
    config.write_text("stats:\n  map: {instruction: q, output: a}\n  json_path: rows\n")
    figures = json.loads(invoke(app, "stats", src, "--config", config, "--json").output)
    assert (figures["records"], figures["format"]) == (1, "alpaca")
    assert figures["notes"] == ["mapped q -> instruction, a -> output"]


def test_convert_writes_gzip_csv_and_sharegpt_and_says_what_alpaca_drops(tmp_path):
    sharegpt = GOLDEN / "sharegpt.json"
    invoke(app, "convert", sharegpt, tmp_path / "out.jsonl.gz")
    assert (tmp_path / "out.jsonl.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert len(gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()).splitlines()) == 2
    invoke(app, "convert", SEED_TASKS, tmp_path / "seeds.csv")
    assert load(tmp_path / "seeds.csv").records == load(SEED_TASKS).records
    invoke(app, "convert", sharegpt, tmp_path / "sg.jsonl", "--to", "sharegpt")
    assert load(tmp_path / "sg.jsonl").format == "sharegpt"
    result = invoke(app, "convert", sharegpt, tmp_path / "a.json", "--to", "alpaca")
    assert "alpaca rows cannot hold system prompt (1 rows)" in " ".join(result.output.split())


def test_a_bad_row_error_says_how_to_skip_it(tmp_path):
    src = write_jsonl(tmp_path / "d.jsonl", [{"instruction": "a", "output": "b"}, {"instruction": "c", "output": " "}])
    proc = subprocess.run([sys.executable, "-m", "seedling", "stats", str(src)], capture_output=True, text=True,
                          timeout=120, env={"COLUMNS": "200", "PATH": "", "PYTHONPATH": ":".join(sys.path)})
    out = " ".join(proc.stdout.split())
    assert proc.returncode == 2 and "d.jsonl: line 2: field 'output' is empty" in out
    assert "--skip-invalid skips such rows" in out and "Traceback" not in proc.stderr


def test_unfamiliar_file_to_an_audit_in_one_command(stages, tmp_path):
    """A pretty-printed export with its own column names: one `audit` with `--map`."""
    rows = [{"text": f"Question {i}: what is {i} plus {i}?", "Answer1": f"{2 * i}<|endoftext|>", "Answer2": "?"}
            for i in range(12)]
    src = tmp_path / "export.json"
    src.write_text(json.dumps({"Meta_Info": {"source": "someone"}, "data": rows}, indent=2))
    static = build_tiny_static(tmp_path / "static")
    result = invoke(stages, "audit", src, "--map", "instruction=text,output=Answer1", "--out", tmp_path / "report",
                    "--embedder", static, "--cache", tmp_path / "cache", "--tiers", "exact")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "read the 12 records under 'data'" in out and "stripped 12 end-of-text markers" in out
    audit = json.loads((tmp_path / "report" / "audit.json").read_text())
    assert audit["input"]["format"] == "alpaca" and audit["input"]["notes"]


def test_the_skip_hint_is_offered_only_where_the_flag_exists(tmp_path):
    from seedling.errors import DataError
    from seedling.formats import Source

    src = write_jsonl(tmp_path / "d.jsonl", [{"instruction": "a", "output": " "}])
    with pytest.raises(DataError) as caught:
        list(Source(src))  # as tune and generate read: they have no --skip-invalid
    assert not caught.value.skippable
