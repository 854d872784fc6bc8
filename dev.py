#!/usr/bin/env python3
"""Set up and run briefbot on a fresh machine with nothing but Python 3.11+.

    python3 dev.py bot [briefbot args]   # the bot; without DISCORD_TOKEN, the offline console
    python3 dev.py test [pytest args]    # ruff check, ruff format --check, mypy, then the whole pytest suite
    python3 dev.py bench [bench args]    # the benchmarks (docs/contributors/benchmarks.md)
    python3 dev.py typecheck [mypy args] # mypy --strict over bot/ and cogs/ alone (`test` runs it too)
    python3 dev.py lock [uv lock args]   # re-resolve uv.lock after editing pyproject.toml; --upgrade,
                                         # --upgrade-package NAME (docs/contributors/testing.md)

The first call installs uv (pinned below) from PyPI into `.venv-tools/`, then creates `.venv` and installs
exactly the versions in `uv.lock`, the project itself editable. Later calls reinstall only when
`pyproject.toml` or `uv.lock` changed, so the commands stay quick and need nothing installed by hand.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".briefbot-installed"
LOCK = ROOT / "uv.lock"

# uv installs from the lock; dev.py installs this exact release of it from PyPI, apart from .venv so that
# syncing the project never touches the tool doing the syncing.
UV_VERSION = "0.13.9"
TOOLS = ROOT / ".venv-tools"
TOOLS_BIN = TOOLS / ("Scripts" if os.name == "nt" else "bin")
UV = TOOLS_BIN / ("uv.exe" if os.name == "nt" else "uv")

COMMANDS = ("bot", "test", "bench", "typecheck", "lock")

# What `python3 dev.py test` runs, in order, before pytest; the first that fails stops it. Each is a
# command in .venv's bin.
TYPECHECK = ["mypy"]
TEST_CHECKS: list[list[str]] = [
    ["ruff", "check", "."],
    ["ruff", "format", "--check", "."],
    TYPECHECK,
]


def step(message: str) -> None:
    """Say what the set-up is doing, one line per step, on stderr (stdout stays the command's own)."""
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def uv_env() -> dict[str, str]:
    """The environment uv runs in: this machine's python only, never a downloaded one."""
    return {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_PROJECT_ENVIRONMENT": str(VENV)}


def ensure_uv() -> Path:
    """Install the pinned uv into .venv-tools when it is missing or another version."""
    if UV.exists():
        found = subprocess.run([str(UV), "--version"], capture_output=True, text=True, check=False).stdout.split()
        if found[1:2] == [UV_VERSION]:
            return UV
    if not (TOOLS_BIN / "python").exists():
        step(f"creating {TOOLS.name}/ for uv")
        venv.create(TOOLS, with_pip=True)
    step(f"installing uv {UV_VERSION} into {TOOLS.name}/ from PyPI")
    pip = [str(TOOLS_BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, f"uv=={UV_VERSION}"], check=True)
    return UV


def ensure_environment() -> None:
    """Create .venv and install uv.lock's versions into it when missing or out of date."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 the machine has
        sys.exit(f"briefbot needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    digest = hashlib.sha256()
    for part in (ROOT / "pyproject.toml", LOCK):
        digest.update(part.read_bytes() if part.exists() else b"")
    wanted = f"{digest.hexdigest()} uv {UV_VERSION} {sys.executable}"
    if STAMP.exists() and STAMP.read_text() == wanted and (BIN / "python").exists():
        return
    if not LOCK.exists():
        sys.exit("dev.py: uv.lock is missing; run `python3 dev.py lock` and commit it")
    started = time.monotonic()
    uv = str(ensure_uv())
    if not (BIN / "python").exists():
        step("creating .venv")
        subprocess.run(
            [uv, "venv", "--quiet", "--clear", "--python", sys.executable, str(VENV)], env=uv_env(), check=True
        )
    # --locked: install exactly uv.lock, and stop if pyproject.toml changed without it being re-locked.
    sync = [uv, "sync", "--locked", "--extra", "test", "--python", sys.executable]
    plan = subprocess.run([*sync, "--dry-run"], env=uv_env(), cwd=ROOT, capture_output=True, text=True)
    if plan.returncode != 0:
        if "needs to be updated" not in plan.stderr:
            sys.exit(plan.stderr)
        sys.exit("dev.py: uv.lock does not match pyproject.toml; run `python3 dev.py lock` and commit uv.lock")
    count = re.search(r"Would install (\d+) packages?", plan.stderr)
    if count:
        plural = "" if count[1] == "1" else "s"
        step(f"installing {count[1]} locked package{plural} into .venv (about 15 s the first time) …")
    else:
        step("bringing .venv up to date with uv.lock …")
    subprocess.run([*sync, "--quiet"], env=uv_env(), cwd=ROOT, check=True)
    STAMP.write_text(wanted)
    step(f"done in {time.monotonic() - started:.1f} s")


def lock(args: list[str]) -> int:
    """Re-resolve uv.lock from pyproject.toml with the pinned uv (`--upgrade`, `--upgrade-package NAME`)."""
    uv = str(ensure_uv())
    return subprocess.call([uv, "lock", "--python", sys.executable, *args], env=uv_env(), cwd=ROOT)


def main(argv: list[str]) -> int:
    """Dispatch `bot`, `test`, `bench`, `typecheck` or `lock`; anything else is a mistake worth naming."""
    if not argv or argv[0] not in COMMANDS:
        if argv:
            print(f"dev.py: unknown command: {argv[0]}", file=sys.stderr)
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "lock":
        return lock(argv[1:])
    ensure_environment()
    if argv[0] == "bot":
        # Run where the operator stands, so `-o pack.yaml` or a backup path lands there; the checkout's .env
        # still applies, and the default data paths are absolute (inside the checkout).
        env = {"BRIEFBOT_ENV_FILE": str(ROOT / ".env"), **os.environ}
        return subprocess.call([str(BIN / "briefbot"), *argv[1:]], env=env)
    os.chdir(ROOT)
    if argv[0] == "bench":
        return subprocess.call([str(BIN / "python"), "-m", "bench", *argv[1:]])
    if argv[0] == "typecheck":
        return subprocess.call([str(BIN / TYPECHECK[0]), *TYPECHECK[1:], *argv[1:]])
    for check in TEST_CHECKS:
        if subprocess.call([str(BIN / check[0]), *check[1:]]) != 0:
            return 1
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *argv[1:]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
