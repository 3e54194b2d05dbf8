"""Command-line flags built from a config section's `flag()` fields (seedling.config), so an
option is declared once: its key, type, checks, default, flag and help live on the model."""

from __future__ import annotations

import inspect
import types
from pathlib import Path
from typing import Any, Callable, Literal, NamedTuple, Optional, Union, get_args, get_origin

import typer
from pydantic.fields import FieldInfo

from seedling.config import Section


def _marker(field: FieldInfo) -> dict | None:
    extra = field.json_schema_extra
    return extra.get("flag") if isinstance(extra, dict) else None


class Flag(NamedTuple):
    """One command-line flag: the config key it sets (`path`: a nested section's key, then its
    own), its field, its spellings, its help and the only commands that take it (none: all)."""

    path: tuple[str, ...]
    field: FieldInfo
    names: list[str]
    help: str
    commands: list[str]


def _takes(marker: dict, command: str | None) -> bool:
    return command is None or not marker["commands"] or command in marker["commands"]


def _names(key: str, marker: dict) -> list[str]:
    return marker["names"] or [f"--{key.replace('_', '-')}"]


def flag_fields(cls: type[Section], command: str | None = None) -> dict[str, Flag]:
    """The flags of `command` (every flag when None) that `cls`'s fields declare, by parameter
    name, in order; a nested section's (seedling.config.group) named key_flag."""
    flags = {}
    for key, field in cls.model_fields.items():
        marker = _marker(field)
        if marker is None or not _takes(marker, command):
            continue
        if "group" not in marker:
            flags[key] = Flag((key,), field, _names(key, marker), help_of(field), marker["commands"])
            continue
        prefix = key.replace("_", "-")
        for name, inner in flag_fields(field.annotation).items():
            names = [f"--{prefix}-{n[2:]}" for n in inner.names]
            help = f"{marker['group']} {inner.help[:1].lower()}{inner.help[1:]}"
            flags[f"{key}_{name}"] = Flag((key, *inner.path), inner.field, names, help, marker["commands"])
    return flags


def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else str  # str or dict (a mapping flag): the text form
    return annotation


def _is_list(field: FieldInfo) -> bool:
    return get_origin(_unwrap(field.annotation)) is list


def _flag_type(field: FieldInfo) -> Any:
    """On the command line a list is a comma-separated string (or the flag repeated) and a choice
    a string: the model checks both, so a wrong value gets the same message from a flag and from
    a config file."""
    kind = _unwrap(field.annotation)
    if _marker(field).get("repeat"):
        return list[str]
    if kind in (bool, int, float):
        return kind
    if get_origin(kind) is Literal or get_origin(kind) is list or kind is str:
        return str
    raise TypeError(f"no flag type for {field.annotation!r}")


def help_of(field: FieldInfo) -> str:
    """A field's help, "{default}" in it replaced by the field's default, so the help cannot drift
    from it."""
    return (field.description or "").replace("{default}", f"(default: {field.default})")


def option(cls: type[Section], name: str) -> Any:
    """The typer option of one flag; unset flags are None so the config file's value stands."""
    flag = flag_fields(cls)[name]
    return typer.Option(None, *flag.names, help=flag.help)


def flag_parameters(cls: type[Section], command: str) -> list[inspect.Parameter]:
    return [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option(cls, name),
                              annotation=Optional[_flag_type(flag.field)])
            for name, flag in flag_fields(cls, command).items()]


def _value(field: FieldInfo, value: Any) -> Any:
    if value is None or not _is_list(field):
        return value
    if _marker(field).get("repeat"):
        return value or None  # not given: typer's empty list
    return [s.strip() for s in value.split(",") if s.strip()]  # an empty string is an empty list


def flag_values(cls: type[Section], given: dict[str, Any]) -> dict[str, Any]:
    """The flags as config values: lists split or gathered, a nested section's flags in its
    mapping (only those given, so its file values stand)."""
    flags, values = flag_fields(cls), {}
    for name, value in given.items():
        flag = flags[name]
        value = _value(flag.field, value)
        if len(flag.path) == 1:
            values[name] = value
        elif value is not None:
            values.setdefault(flag.path[0], {})[flag.path[1]] = value
    return values


ConfigParameter = inspect.Parameter(
    "config", inspect.Parameter.KEYWORD_ONLY, annotation=Optional[Path],
    default=typer.Option(None, "--config", "-c", help="YAML config; flags override its values."))


def command(cls: type[Section], name: str, head: list[inspect.Parameter],
            body: Callable[..., None]) -> Callable[..., None]:
    """A typer callback taking `head` (the command's own arguments), every flag of `cls` that
    `name` takes, and --config; it calls body(**head values, flags=..., config=...)."""
    own = [p.name for p in head]

    def callback(**given: Any) -> None:
        config = given.pop("config")
        fixed = {key: given.pop(key) for key in own}
        body(**fixed, flags=flag_values(cls, given), config=config)

    callback.__signature__ = inspect.Signature([*head, *flag_parameters(cls, name), ConfigParameter])
    callback.__doc__ = unwrapped(body.__doc__)
    return callback


def unwrapped(doc: str | None) -> str | None:
    """A docstring's paragraphs each on one line: typer rewraps the first paragraph of a command's
    help to the terminal but keeps the source's line breaks in the others, so they broke mid-line."""
    if doc is None:
        return None
    return "\n\n".join(" ".join(part.split()) for part in inspect.cleandoc(doc).split("\n\n"))
