"""Discord stays at the edge: the domain loads and runs without discord.py, and nothing but the edge imports it.

Ruff's TID251 rule refuses such an import at lint time; these tests check what that rule cannot see: that
the domain does not load discord.py indirectly, and that the CLI (allowed to start the edge) still never
imports discord.py itself.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ["bot.services", "bot.briefing.service", "bot.curation.service", "bot.digests.runtime", "bot.console"]


def test_the_domain_loads_without_discord() -> None:
    probe = "; ".join(
        [f"import {module}" for module in DOMAIN]
        + ["import sys", "print(sorted(m for m in sys.modules if m.split('.')[0] in {'discord', 'cogs'}))"]
    )
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_only_the_edge_imports_discord() -> None:
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if "edge" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in {"discord", "cogs"}]
    assert offenders == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """The project's modules that `module` names in any import, lazy ones inside functions included."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            source = ".".join(p for p in (base, node.module or "") if p)
            # `from package import module` needs the module; the package's own code runs first either way.
            members = {f"{source}.{alias.name}" for alias in node.names}
            found.update(members & known if members <= known else {source} | (members & known))
    return (found & known) - {module}


def import_graph() -> dict[str, set[str]]:
    """Which of bot/'s and cogs/'s modules each imports, read from the source (a package is not its members)."""
    paths = {_module_name(p): p for folder in ("bot", "cogs") for p in sorted((ROOT / folder).rglob("*.py"))}
    return {module: _imports(path, module, set(paths)) for module, path in paths.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """A path round each knot of modules that import one another, found depth first (one per knot at least)."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(graph[module]):
            if target in path:
                circle = [*path[path.index(target) :], target]
                if not any(set(circle) == set(seen) for seen in found):
                    found.append(circle)
            elif target not in done:
                visit(target, [*path, target])
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    return found


def test_circles_are_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c", "a"]]


def test_no_module_imports_back_up() -> None:
    # A circle works only while nothing at import time needs the other half; the engines once had one.
    assert [" -> ".join(circle) for circle in circles(import_graph())] == []
