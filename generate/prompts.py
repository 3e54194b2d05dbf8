"""Prompt templates: Jinja files users copy and edit; each row records the name and hash used.

A template is a name of a file shipped in generate/templates/ (`self_instruct_tasks`) or a
path to a user's own `.jinja` file. Undefined variables are errors, so a typo in a copied
template fails on the first prompt instead of silently rendering empty text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from seedling.errors import ConfigError
from seedling.text import text_hash

SHIPPED = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Template:
    name: str
    source: str

    @property
    def hash(self) -> str:
        return text_hash(self.source)[:16]

    def render(self, **values: Any) -> str:
        try:
            return _compiled(self.source).render(**values).strip()
        except jinja2.TemplateError as exc:
            raise ConfigError(f"template {self.name}: {exc}") from None

    def uses(self, variable: str) -> bool:
        """Whether the template reads `variable`: a copy made before a variable existed ignores
        it silently, which the caller may need to refuse."""
        return variable in jinja2.meta.find_undeclared_variables(jinja2.Environment().parse(self.source))

    def provenance(self) -> dict[str, str]:
        return {"name": self.name, "hash": self.hash}


@functools.lru_cache(maxsize=32)
def _compiled(source: str) -> jinja2.Template:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    return env.from_string(source)


def load_template(spec: str) -> Template:
    path = Path(spec).expanduser()
    if not (path.suffix == ".jinja" or path.exists()):
        path = SHIPPED / f"{spec}.jinja"
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        shipped = ", ".join(sorted(p.stem for p in SHIPPED.glob("*.jinja")))
        raise ConfigError(f"template {spec!r}: no such file; shipped templates: {shipped}") from None
    try:
        jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"{path}: line {exc.lineno}: template syntax error: {exc.message}") from None
    name = path.stem if path.parent == SHIPPED else str(path)
    return Template(name, source)
