"""Typed config from YAML plus flags: unknown keys are errors that name the file and line.

Each command owns a section of the file (`convert:`, `stats:`, `run:`, and the stages' own);
a section is a pydantic model with `extra="forbid"`. Flags the user gave override the file.
The sections are listed, not collected from whatever happens to be imported: the core's in
CORE_SECTIONS, each stage's as the `OPTIONS` of its `seedling.stages` plugin.
"""

from __future__ import annotations

import functools
import pkgutil
from pathlib import Path
from typing import Any, ClassVar, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from seedling.errors import ConfigError


class Section(BaseModel):
    """Base of every config section: a typo is an error, not a silently ignored key. A key's help
    is the docstring under it (a flag's, the help given to `flag()`)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    section_name: ClassVar[str] = ""
    moved: ClassVar[dict[str, str]] = {}  # a key of an older version: how it is spelt now


def flag(default: Any = None, help: str = "", *, names: tuple[str, ...] = (), commands: tuple[str, ...] = (),
         repeat: bool = False, **checks: Any) -> Any:
    """A config key that is also a command-line flag: the one declaration gives the key, its checks,
    the flag and its help (seedling.flags builds the commands from it). `names`: the flag's
    spellings when not --key-name; `commands`: the only commands that take it (default: all);
    `repeat`: a list given as the flag repeated, not comma-separated."""
    marker = {"names": list(names), "commands": list(commands), "repeat": repeat}
    return Field(default, description=help, json_schema_extra={"flag": marker}, **checks)


def group(cls: type[Section], title: str, help: str, *, commands: tuple[str, ...] = ()) -> Any:
    """A nested section (a `key:` mapping in the file) whose flag fields are this section's flags
    too, spelt --key-flag: the judge's `TeacherOptions` give --judge-engine and --judge-model.
    `title` heads each of their helps; `commands`: the only commands that take them."""
    marker = {"group": title, "commands": list(commands)}
    return Field(default_factory=cls, description=help, json_schema_extra={"flag": marker})


def _merged(values: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The file's values with the flags given (not None) on top; a nested section's flags are
    merged into its mapping, not put in its place."""
    merged = dict(values)
    for key, value in overrides.items():
        if value is None:
            continue
        nested = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = {**merged[key], **value} if nested else value
    return merged


def section(name: str):
    """Name a model's config section: the key it sits under in a config file."""

    def name_it(cls: type[Section]) -> type[Section]:
        cls.section_name = name
        return cls

    return name_it


class InputOptions(Section):
    """Config keys for reading the input, shared by the commands that read a dataset."""

    format: Optional[str] = flag(None, "Input row format (default: detected from the fields).",
                                 names=("--format", "--from"))
    map: Optional[Union[str, dict[str, str]]] = flag(
        None, "Your columns onto a format's fields: instruction=text,output=Answer1 (also input, system; the "
              "other columns go to meta).")
    json_path: Optional[str] = flag(None, "Key of the list of records in a JSON object, dotted (default: the only "
                                          "list of records inside).")
    skip_invalid: bool = flag(False, "Skip bad rows, counting them and showing the first.", names=("--skip-invalid",))
    split: Optional[str] = flag(None, "Split of a DatasetDict directory or sheet of an Excel workbook, or all "
                                 "(default: train, or the first sheet holding anything, saying so).")


CORE_SECTIONS = ("seedling.cli:ConvertOptions", "seedling.cli:StatsOptions", "seedling.run.options:RunOptions")


@functools.cache
def sections() -> dict[str, type[Section]]:
    """Every section a config file may hold, by name: the core's and each installed stage's."""
    classes = [pkgutil.resolve_name(target) for target in CORE_SECTIONS]
    from seedling.run.layout import plugins

    classes += [stage.OPTIONS for stage in plugins()]
    return {cls.section_name: cls for cls in classes}


class ConfigFile:
    """A parsed YAML config that remembers where each key was, for error messages."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            text = self.path.read_text(encoding="utf-8")
            self.node = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data = yaml.safe_load(text) or {}
        except FileNotFoundError:
            raise ConfigError(f"{self.path}: no such config file") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{self.path}: not valid UTF-8 ({exc.reason})") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else "?"
            raise ConfigError(f"{self.path}: {where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
        if not isinstance(self.data, dict):
            raise ConfigError(f"{self.path}: line 1: expected a mapping of sections, got {type(self.data).__name__}")
        if "manifest_version" in self.data and isinstance(self.data.get("config"), dict):
            # A run's manifest.json (JSON is YAML) holds the whole config it ran with.
            self.data = self.data["config"]
            self.node = next(v for k, v in self.node.value if k.value == "config")
        unknown = sorted(set(self.data) - set(sections()))
        if unknown:
            raise ConfigError(
                f"{self.path}: line {self.line_of((unknown[0],))}: unknown section {unknown[0]!r}; "
                f"known: {', '.join(sorted(sections()))}"
            )

    def line_of(self, loc: tuple[Any, ...]) -> int:
        """Line of the deepest key in `loc` that exists in the file (1-based)."""
        node, line = self.node, 1
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == str(key)), None)
                if match is None:
                    break
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def build(self, name: str, overrides: dict[str, Any] | None = None) -> Section:
        values = self.data.get(name) or {}
        if not isinstance(values, dict):
            raise ConfigError(f"{self.path}: line {self.line_of((name,))}: section {name!r} must be a mapping")
        return build_section(name, values, overrides, self)


def build_section(
    name: str,
    values: dict[str, Any],
    overrides: dict[str, Any] | None = None,
    origin: ConfigFile | None = None,
) -> Section:
    """Validate a section; flags given on the command line (not None) win over the file."""
    cls = sections()[name]
    for old in sorted(set(values) & set(cls.moved)):
        place = f"{origin.path}: line {origin.line_of((name, old))}: " if origin is not None else ""
        raise ConfigError(f"{place}{name}.{old} is spelt {cls.moved[old]} now")
    merged = _merged(values, overrides or {})
    try:
        return cls.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        from_file = origin is not None and err["loc"] and err["loc"][0] in values
        place = f"{origin.path}: line {origin.line_of((name, *err['loc']))}: " if from_file else "flag: "
        raise ConfigError(f"{place}{name}.{key}: {err['msg']}") from None
