"""No import cycle among the packages, counting the imports inside function bodies (where a
cycle hides from Python until a call) and leaving out those only a type checker reads."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("seedling", "generate", "curate", "tune", "view")


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that `name` (a module, or a name inside one) lives in."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imported(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # drop `if TYPE_CHECKING:` blocks
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module if path.name == "__init__.py" else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            names += [f"{base}.{alias.name}" for alias in node.names]
    return {owner for name in names if (owner := _owner(name, modules)) not in (None, module)}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {module: _imported(module, path, modules) for module, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        return exc.args[1]
    return None


def test_no_import_cycle():
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_check_finds_a_cycle_in_a_function_body():
    assert set(find_cycle({"a": {"b"}, "b": {"a"}, "c": {"a"}})) == {"a", "b"}
    graph = import_graph()
    assert "seedling.config" in graph["curate.options"]
    assert "curate.pipeline" in graph["curate.stage"]  # imported inside run(): counted


def test_no_test_module_imports_another():
    """Shared fakes, tiny models and paths live in tests/helpers/, so a test module can be read,
    moved or deleted alone."""
    offenders = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        module = f"tests.{path.stem}"
        for name in _imported(module, path, {f"tests.{p.stem}": p for p in (ROOT / "tests").glob("*.py")}):
            offenders.append(f"{path.name} imports {name}")
    assert not offenders, "; ".join(offenders)
