"""Run the `briefbot` command as an operator would: a subprocess with its own settings and input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def briefbot(cwd: Path, *args: str, stdin: str = "", **settings: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in `cwd`, with a store there, no packs and no token unless `settings` say so."""
    (cwd / "no-packs").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_PATH": str(cwd / "store.db"),
        "PACKS_DIR": str(cwd / "no-packs"),
        "DEFAULT_TOPIC": "crisis",
        "DISCORD_TOKEN": "",
        **settings,
    }
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
