"""Commands built from a config section's flag() fields: one declaration gives the flag, its help,
its type and the config key."""

from __future__ import annotations

from typing import Literal, Optional

import typer
from pydantic import Field
from typer.testing import CliRunner

from curate.options import CurateOptions
from seedling.config import Section, flag
from seedling.flags import command, flag_fields


class Toy(Section):
    words: Optional[list[str]] = flag(None, "Words, comma-separated.")
    size: int = flag(3, "How many.", ge=1)
    mode: Literal["a", "b"] = flag("a", "Mode a or b.", commands=("full",))
    urls: list[str] = flag([], "A server (repeat for several).", names=("--url",), repeat=True)
    hidden: int = Field(0)


def _app(seen: list) -> typer.Typer:
    app = typer.Typer()

    def body(flags: dict, config) -> None:
        """Toy command."""
        seen.append(flags)

    for name in ("full", "lite"):
        app.command(name)(command(Toy, name, [], body))
    return app


def test_flags_come_from_the_model_with_their_help_and_commands():
    seen: list = []
    app = _app(seen)
    result = CliRunner().invoke(app, ["full", "--words", "x, y,", "--size", "5", "--mode", "b"])
    assert result.exit_code == 0, result.output
    assert seen == [{"words": ["x", "y"], "size": 5, "mode": "b", "urls": None}]
    assert Toy.model_validate({k: v for k, v in seen[0].items() if v is not None}).words == ["x", "y"]
    help_text = CliRunner().invoke(app, ["lite", "--help"]).output
    assert "Words, comma-separated." in help_text and "--mode" not in help_text and "--hidden" not in help_text
    assert CliRunner().invoke(app, ["lite", "--mode", "b"]).exit_code != 0


def test_unset_flags_are_none_so_the_config_file_value_stands():
    seen: list = []
    assert CliRunner().invoke(_app(seen), ["lite"]).exit_code == 0
    assert seen == [{"words": None, "size": None, "urls": None}]


def test_a_repeated_flag_gathers_a_list():
    seen: list = []
    assert CliRunner().invoke(_app(seen), ["lite", "--url", "a", "--url", "b"]).exit_code == 0
    assert seen[0]["urls"] == ["a", "b"]


def test_audit_takes_every_curate_flag_but_those_that_change_what_is_kept():
    removal = set(flag_fields(CurateOptions, "curate")) - set(flag_fields(CurateOptions, "audit"))
    assert removal == {"template_variants", "conflicts", "min_quality", "select", "select_by", "counterfactual"}


def test_the_cli_reference_is_written_from_the_declarations_and_is_current():
    from seedling.reference import render
    from tests.helpers.paths import ROOT

    page = render()
    near = CurateOptions.model_fields["near_threshold"].description
    assert f"| `--near-threshold` | {near} |" in page  # a command's flag, with the field's own help
    assert "| `near_threshold` | float | `0.7` | `--near-threshold` |" in page  # the config key it sets
    assert "| `dtype` | str | `'auto'` | config only |" in page
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == page, \
        "docs/cli.md is stale: run `python scripts/cli_docs.py` and commit the file"


def test_a_judge_takes_its_flags_and_keys_from_the_teacher_options(tmp_path):
    from seedling.cli import options
    from seedling.teachers.options import TeacherOptions
    from tune.options import TuneOptions

    teacher = {f"--judge-{n[2:]}" for flag in flag_fields(TeacherOptions).values() for n in flag.names}
    for cls, name in ((CurateOptions, "curate"), (TuneOptions, "eval")):
        names = {n for flag in flag_fields(cls, name).values() for n in flag.names}
        assert teacher <= names and "--judge-base-url" in names, cls
    config = tmp_path / "c.yaml"
    config.write_text("tune:\n  judge:\n    engine: fake\n    concurrency: 3\n")
    judge = options("tune", config, judge={"model": "script.json"}).judge
    assert (judge.engine, judge.model, judge.concurrency) == ("fake", "script.json", 3)  # merged, not replaced


def test_every_config_key_and_flag_has_help():
    import typer

    from seedling.cli import app, load_stage_commands
    from seedling.config import sections

    def keys(cls, path):
        for key, field in cls.model_fields.items():
            yield ".".join((*path, key)), field
            if isinstance(field.annotation, type) and issubclass(field.annotation, Section):
                yield from keys(field.annotation, (*path, key))

    bare = [key for name, cls in sections().items() for key, field in keys(cls, (name,)) if not field.description]
    assert not bare, f"config keys without help (a docstring under the field): {bare}"
    load_stage_commands()
    commands = typer.main.get_command(app).commands
    bare = [f"{name} {p.opts[0]}" for name, c in commands.items() for p in c.params
            if p.param_type_name == "option" and not p.help]
    assert not bare, f"flags without help: {bare}"


def test_a_key_help_is_the_docstring_under_it():
    class Documented(Section):
        size: int = 3
        """How many."""

    assert Documented.model_fields["size"].description == "How many."


def test_a_command_help_keeps_no_line_break_of_its_docstring():
    """typer rewraps only a help's first paragraph: the others broke where the source did."""
    from seedling.flags import unwrapped

    doc = """First line
    goes on.

    Second paragraph, (--a,
    --b) ends."""
    assert unwrapped(doc) == "First line goes on.\n\nSecond paragraph, (--a, --b) ends."
