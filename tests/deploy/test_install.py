"""`pip install .` from the ranges pyproject.toml declares, as a user without the lock installs briefbot.

The lock pins versions CI has tested; a user's install resolves the ranges afresh, so a dependency's new
release (lxml 6.2 dropping the extra article extraction relied on) breaks it while the suite stays green.
This test installs the project that way into a clean virtual environment and reads an article with it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import venv
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.deploy.dockerfile import replay_build_context
from tests.deploy.install import Installed, installed_or_skip


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_an_install_from_the_declared_ranges_reads_an_article_and_keeps_its_store_in_the_users_folder(tmp_path):
    src = replay_build_context(tmp_path / "src")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    installed = Installed(env_dir, {"HOME": str(tmp_path / "home"), "DISCORD_TOKEN": ""})
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

    # No DATABASE_PATH and no PACKS_DIR: the packs shipped inside the package seed the store (the article's
    # candidates need their names), which goes to the user's data folder, not site-packages; the log says so.
    work = tmp_path / "work"
    work.mkdir()
    read = installed.reads_an_article(work)
    store = tmp_path / "home" / ".local" / "share" / "briefbot" / "briefbot.db"
    assert store.is_file()
    assert f"store: {store} (SQLite)" in read.stderr
    site_packages = Path(installed.python("import bot, pathlib; print(pathlib.Path(bot.__file__).parents[1])").strip())
    assert not (site_packages / "data").exists()


FAILED_INSTALL = subprocess.CompletedProcess(["pip"], 1, "", "ERROR: No matching distribution found for lxml>=99")


def test_a_failed_install_skips_only_when_the_index_does_not_answer(monkeypatch):
    with socket.socket() as closed:  # a port nobody listens on: the index is unreachable
        closed.bind(("127.0.0.1", 0))
        monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{closed.getsockname()[1]}/simple/")
    with pytest.raises(pytest.skip.Exception, match=r"SKIPPED LOUDLY: the package index is unreachable"):
        installed_or_skip(FAILED_INSTALL, "the install")


class _Index(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(404)  # any answer at all means the index is there
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_failed_install_fails_when_the_index_answers(monkeypatch):
    """A range nothing satisfies says "No matching distribution" too: with the index up, that is a failure."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{server.server_address[1]}/simple/")
        with pytest.raises(pytest.fail.Exception, match=r"lxml>=99"):
            installed_or_skip(FAILED_INSTALL, "the install")
    finally:
        server.shutdown()
        server.server_close()
