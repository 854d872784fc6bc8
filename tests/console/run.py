"""Run the `briefbot` command as an operator would: a subprocess with its own settings and input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def operator_env(cwd: Path, **settings: str) -> dict[str, str]:
    """The environment of a test operator: a store in `cwd`, no packs and no token unless `settings` say so."""
    (cwd / "no-packs").mkdir(exist_ok=True)
    return {
        **os.environ,
        "DATABASE_PATH": str(cwd / "store.db"),
        "PACKS_DIR": str(cwd / "no-packs"),
        "DEFAULT_TOPIC": "crisis",
        "DISCORD_TOKEN": "",
        **settings,
    }


def briefbot(cwd: Path, *args: str, stdin: str = "", **settings: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in `cwd`, as `operator_env` sets it up."""
    env = operator_env(cwd, **settings)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )
