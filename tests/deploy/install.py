"""briefbot installed into a fresh virtual environment and run as a user runs it, for the slow install tests.

These tests need the package index (PyPI, or the one PIP_INDEX_URL names). When an install fails they ask
whether the index answers at all: only when it does not do they skip, loudly; otherwise the failure is
briefbot's and fails the test.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.dockerfile import ROOT

ARTICLE = ROOT / "tests" / "intake_data" / "gzero_article.html"
PACKS = ROOT / "bot" / "seed_packs"


def index_unreachable() -> str | None:
    """Why the package index cannot be reached from here, or None when it answers (with any HTTP status)."""
    url = os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple/"
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=15).close()
    except urllib.error.HTTPError:
        return None
    except OSError as exc:
        return f"{url}: {exc}"
    return None


def skip_if_index_unreachable(what: str, output: str) -> None:
    """Skip loudly, with the reason and what failed, when the index does not answer; else return."""
    why = index_unreachable()
    if why is not None:
        pytest.skip(f"SKIPPED LOUDLY: the package index is unreachable ({why}), so {what} was not tried:\n{output}")


def installed_or_skip(done: subprocess.CompletedProcess[str], what: str) -> None:
    """Pass when `done` succeeded; skip loudly when the index is unreachable; otherwise fail with its output."""
    if done.returncode != 0:
        skip_if_index_unreachable(what, done.stderr)
        pytest.fail(f"{what} failed while the package index is reachable:\n{done.stdout}\n{done.stderr}")


def dev_uv() -> Path:
    """The uv release dev.py pins (installed into .venv-tools by dev.py, as CI's `python3 dev.py test` does)."""
    spec = importlib.util.spec_from_file_location("briefbot_dev", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    try:
        uv: Path = dev.ensure_uv()
    except subprocess.CalledProcessError as exc:
        skip_if_index_unreachable("installing uv", str(exc))
        raise
    return uv


@dataclass
class Installed:
    """A virtual environment with briefbot installed, and the environment variables its command runs with."""

    env_dir: Path
    env: dict[str, str]

    @property
    def bin_dir(self) -> Path:
        return self.env_dir / ("Scripts" if os.name == "nt" else "bin")

    def python(self, code: str) -> str:
        """What `code` prints, run by the environment's python outside the source tree."""
        return subprocess.run(
            [str(self.bin_dir / "python"), "-c", code], cwd=self.env_dir, capture_output=True, text=True, check=True
        ).stdout

    def briefbot(self, *args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """The installed `briefbot`, from `cwd` and with no source tree on sys.path: only the install answers."""
        return subprocess.run(
            [str(self.bin_dir / "briefbot"), *args],
            input=stdin,
            cwd=cwd,
            env={"PATH": f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", **self.env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def reads_an_article(self, cwd: Path) -> subprocess.CompletedProcess[str]:
        """`briefbot source add` on a saved article: its title, and candidates that only its body text can give."""
        read = self.briefbot("source", "add", str(ARTICLE), cwd=cwd)
        assert read.returncode == 0, read.stderr
        found = re.search(r"^(.+): (\d+) candidates", read.stdout, re.MULTILINE)
        assert found, read.stdout + read.stderr
        assert "junta" in found[1], found[1]
        assert int(found[2]) > 0, read.stdout
        return read

    def holds_no_test_tools(self) -> bool:
        return (
            self.python("import importlib.util as u; print(u.find_spec('pytest') or u.find_spec('mypy'))") == "None\n"
        )
