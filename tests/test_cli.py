"""The CLI as a user runs it: convert, stats, info, config files, errors, stage plugins."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from seedling import load
from seedling.cli import app
from seedling.errors import ConfigError, DataError
from tests.helpers.paths import SEED_TASKS

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_convert_seed_tasks_to_alpaca_and_back_keeps_ids(tmp_path):
    alpaca = tmp_path / "alpaca.json"
    result = invoke("convert", SEED_TASKS, alpaca, "--to", "alpaca")
    assert result.exit_code == 0, result.output
    assert "wrote 175 records (self_instruct -> alpaca)" in result.output
    back = tmp_path / "back.jsonl"
    assert invoke("convert", alpaca, back).exit_code == 0
    assert [r.id for r in load(back).records] == [r.id for r in load(SEED_TASKS).records]


def test_stats_json_counts_the_seed_tasks():
    result = invoke("stats", SEED_TASKS, "--json")
    figures = json.loads(result.output)
    assert figures["records"] == 175 and figures["unique_ids"] == 175
    assert figures["format"] == "self_instruct" and figures["sources"] == {"seed": 175}
    assert figures["with_input"] == 175 - 50
    assert figures["fields"]["instruction"]["chars"]["min"] > 0


def test_stats_table_is_readable():
    result = invoke("stats", SEED_TASKS)
    assert "175 records (self_instruct in jsonl)" in " ".join(result.output.split())  # wrapped where the path is long
    assert "Lengths" in result.output and "instruction" in result.output


def test_config_file_supplies_options_and_flags_win(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("convert:\n  to: alpaca\n")
    invoke("convert", SEED_TASKS, tmp_path / "a.json", "--config", cfg)
    assert set(json.loads((tmp_path / "a.json").read_text())[0]) == {"instruction", "input", "output"}
    invoke("convert", SEED_TASKS, tmp_path / "m.jsonl", "--config", cfg, "--to", "messages")
    assert "messages" in json.loads((tmp_path / "m.jsonl").read_text().splitlines()[0])


def test_config_typo_names_file_and_line(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("# options\nconvert:\n  to: alpaca\n  skip_invalide: true\n")
    with pytest.raises(ConfigError, match=r"c.yaml: line 4: convert.skip_invalide: Extra inputs are not permitted"):
        invoke("convert", SEED_TASKS, tmp_path / "a.json", "--config", cfg)
    cfg.write_text("convrt:\n  to: alpaca\n")
    with pytest.raises(ConfigError, match=r"line 1: unknown section 'convrt'"):
        invoke("convert", SEED_TASKS, tmp_path / "a.json", "--config", cfg)
    cfg.write_text("stats:\n  skip_invalid: [1]\n")
    with pytest.raises(ConfigError, match=r"line 2: stats.skip_invalid: Input should be a valid boolean"):
        invoke("stats", SEED_TASKS, "--config", cfg)
    cfg.write_text("stats: {skip_invalid: true\n")
    with pytest.raises(ConfigError, match=r"c.yaml: line 2: invalid YAML"):
        invoke("stats", SEED_TASKS, "--config", cfg)


def test_yaml_is_loaded_safely(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("stats: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        invoke("stats", SEED_TASKS, "--config", cfg)


def test_bad_input_through_the_real_command_is_one_clear_line(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"instruction": "a", "output": "b"}\n{"instruction": "c"\n')
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "seedling", "convert", str(src), str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "error:" in proc.stdout and "bad.jsonl: line 2: invalid JSON" in " ".join(proc.stdout.split())
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not out.exists()


def test_convert_skip_invalid_reports_what_it_skipped(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"instruction": "a", "output": "b"}\n{"instruction": "c"}\n')
    result = invoke("convert", src, tmp_path / "o.jsonl", "--skip-invalid")
    assert "skipped 1 invalid rows" in result.output and "wrote 1 records" in result.output
    with pytest.raises(DataError):
        invoke("convert", src, tmp_path / "o2.jsonl")


def test_info_reports_compute_engines_and_models():
    facts = json.loads(invoke("info", "--json").output)
    assert facts["compute"]["cpu capability"] in {"AVX2", "AVX512", "DEFAULT", "NO AVX", "ZVECTOR", "VSX"} or facts["compute"]["cpu capability"]
    assert facts["compute"]["dtype chosen"].split()[0] in {"float32", "bfloat16", "float16"}
    assert set(facts["engines"]) == {"vllm", "transformers", "openai"}
    assert facts["engines"]["transformers"].startswith("transformers ")
    assert "teacher" in json.dumps(facts["models"]) and "embedder" in json.dumps(facts["models"])


def test_stage_commands_come_from_entry_points(monkeypatch):
    import typer

    from seedling import cli

    class FakeEntryPoint:
        def load(self):
            def register(app: typer.Typer):
                @app.command("hello-stage")
                def hello():
                    typer.echo("stage says hello")

            return register

    monkeypatch.setattr(cli, "entry_points", lambda group: [FakeEntryPoint()] if group == "seedling.commands" else [])
    local_app = typer.Typer()
    monkeypatch.setattr(cli, "app", local_app)

    @local_app.command()
    def other():
        pass

    cli.load_stage_commands()
    assert runner.invoke(local_app, ["hello-stage"]).output == "stage says hello\n"


def test_run_from_help_names_every_step_the_run_has():
    from seedling.run.runner import STEPS

    result = CliRunner().invoke(app, ["run", "--help"])
    text = "".join(result.output.replace("│", "").split())  # the help box wraps the list anywhere
    assert result.exit_code == 0 and all(step.name in text for step in STEPS) and "judge" in text


def test_a_key_of_an_older_version_says_how_it_is_spelt_now(tmp_path):
    from seedling.config import ConfigFile

    cfg = tmp_path / "c.yaml"
    cfg.write_text("curate:\n  select: 0.5\n  judge_model: judge.txt\ntune:\n  judge_engine: fake\n")
    with pytest.raises(ConfigError, match=r"c.yaml: line 3: curate.judge_model is spelt judge: \{model: ...\} now"):
        ConfigFile(cfg).build("curate")
    with pytest.raises(ConfigError, match=r"line 5: tune.judge_engine is spelt judge: \{engine: ...\} now"):
        ConfigFile(cfg).build("tune")


def test_a_typer_without_the_help_hook_leaves_its_help_as_it_is(monkeypatch):
    """Before 0.29 typer's options have no `display_type_rich`: the CLI must still load."""
    import typer.core

    from seedling import cli

    class OldOption:
        pass

    monkeypatch.setattr(typer.core, "TyperOption", OldOption)
    cli._no_type_for_flags()
    assert not hasattr(OldOption, "display_type_rich")
