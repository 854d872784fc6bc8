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
