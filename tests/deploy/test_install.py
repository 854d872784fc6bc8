"""`pip install .` from the ranges pyproject.toml declares, as a user without the lock installs briefbot.

The lock pins versions CI has tested; a user's install resolves the ranges afresh, so a dependency's new
release (lxml 6.2 dropping the extra article extraction relied on) breaks it while the suite stays green.
This test installs the project that way into a clean virtual environment and reads an article with it.
"""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

import pytest

from tests.deploy.dockerfile import replay_build_context
from tests.deploy.install import PACKS, Installed, installed_or_skip


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_an_install_from_the_declared_ranges_reads_an_article_and_keeps_its_store_in_the_users_folder(tmp_path):
    src = replay_build_context(tmp_path / "src")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    installed = Installed(env_dir, {"HOME": str(tmp_path / "home"), "PACKS_DIR": str(PACKS), "DISCORD_TOKEN": ""})
    # From the copied sources (a build in the checkout would leave build/ behind). pip's cache is kept, and no
    # bytecode is compiled, which nothing here needs: 145 s -> 110 s for the whole test on a loaded machine.
    pip = [str(installed.bin_dir / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    done = subprocess.run(
        [*pip, "--no-compile", "."],
        cwd=src,
        env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    installed_or_skip(done, "`pip install .` from the declared ranges")
    assert installed.holds_no_test_tools()

    # No DATABASE_PATH: the store goes to the user's data folder, not site-packages, and the log says so.
    work = tmp_path / "work"
    work.mkdir()
    read = installed.reads_an_article(work)
    store = tmp_path / "home" / ".local" / "share" / "briefbot" / "briefbot.db"
    assert store.is_file()
    assert f"store: {store} (SQLite)" in read.stderr
    site_packages = Path(installed.python("import bot, pathlib; print(pathlib.Path(bot.__file__).parents[1])").strip())
    assert not (site_packages / "data").exists()
