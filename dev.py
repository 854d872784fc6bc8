#!/usr/bin/env python3
"""Set up and run briefbot on a fresh machine with nothing but Python 3.11+.

    python3 dev.py bot [briefbot args]   # the bot; without DISCORD_TOKEN, the offline console
    python3 dev.py test [pytest args]    # ruff, then the whole test suite
    python3 dev.py bench [bench args]    # the benchmarks (README, "Benchmarks")

The first call creates `.venv` and installs the project with its test tools; later calls reinstall only
when `pyproject.toml` changed, so both commands stay quick and need nothing installed by hand.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".briefbot-installed"


def ensure_environment() -> None:
    """Create the virtual environment and install the project when missing or out of date."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 the machine has
        sys.exit(f"briefbot needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    print("installing briefbot and its test tools into .venv …", file=sys.stderr)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    """Dispatch `bot`, `test` or `bench`."""
    if not argv or argv[0] not in {"bot", "test", "bench"}:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_environment()
    if argv[0] == "bot":
        # Run where the operator stands, so `-o pack.yaml` or a backup path lands there; the checkout's .env
        # still applies, and the default data paths are absolute (inside the checkout).
        env = {"BRIEFBOT_ENV_FILE": str(ROOT / ".env"), **os.environ}
        return subprocess.call([str(BIN / "briefbot"), *argv[1:]], env=env)
    os.chdir(ROOT)
    if argv[0] == "bench":
        return subprocess.call([str(BIN / "python"), "-m", "bench", *argv[1:]])
    for check in (["check", "."], ["format", "--check", "."]):
        if subprocess.call([str(BIN / "ruff"), *check]) != 0:
            return 1
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *argv[1:]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
