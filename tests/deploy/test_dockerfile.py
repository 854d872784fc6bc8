"""The Dockerfile, checked as far as a machine without a container engine allows.

The instructions are read and their key properties checked (fast), then the image's install step is
replayed: the build stage's COPYs into a clean directory, its `uv sync` run by the same uv release into a
fresh virtual environment, and the installed `briefbot` run with the runtime stage's settings (slow).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.deploy.dockerfile import ROOT, dockerignore, read_dockerfile, replay_build_context, unlocked_installs
from tests.deploy.install import PACKS, Installed, dev_uv, installed_or_skip

LOCKED_INSTALL = "RUN uv sync --locked --no-dev --no-editable"


def test_the_image_builds_on_python_3_11_slim_in_two_stages():
    build, runtime = read_dockerfile()
    assert build.base == runtime.base == "python:3.11-slim"
    assert build.name == "build"
    assert "uv.lock" in [source for i in build.all("COPY") for source in i.copy_parts()[0]]
    copied = [inst.copy_parts() for inst in runtime.all("COPY")]
    assert (["/opt/briefbot"], "/opt/briefbot", {"from": "build"}) in copied


def test_the_bot_runs_as_a_non_root_user():
    runtime = read_dockerfile()[-1]
    user = runtime.last("USER")
    assert user is not None
    assert user.text.split(":")[0] not in {"root", "0"}
    # USER comes after every RUN, so nothing at run time has root's rights.
    keywords = [i.keyword for i in runtime.instructions]
    assert keywords.index("USER") > max(n for n, k in enumerate(keywords) if k == "RUN")


def test_the_store_is_on_the_data_volume_and_the_packs_are_in_the_image():
    runtime = read_dockerfile()[-1]
    volume = runtime.last("VOLUME")
    assert volume is not None and (volume.exec_form or volume.text.split()) == ["/data"]
    env = runtime.env()
    assert env["DATABASE_PATH"].startswith("/data/")
    packs = [
        dest for sources, dest, _ in (i.copy_parts() for i in runtime.all("COPY")) if sources == ["bot/seed_packs"]
    ]
    assert packs == [env["PACKS_DIR"]]


def test_stop_sends_sigterm_straight_to_briefbot():
    """Exec form: briefbot is PID 1 and gets `docker stop`'s SIGTERM itself, with no shell to swallow it."""
    runtime = read_dockerfile()[-1]
    assert runtime.last("STOPSIGNAL").text == "SIGTERM"
    entrypoint, cmd = runtime.last("ENTRYPOINT"), runtime.last("CMD")
    assert entrypoint.exec_form == ["briefbot"], "ENTRYPOINT must be in exec (JSON) form"
    assert cmd.exec_form == ["run"], "CMD must be in exec (JSON) form"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["briefbot"] == "bot.cli:main"


def test_every_copied_path_exists_and_reaches_the_build_context():
    ignored = dockerignore()
    assert {".git", ".venv", "bench", "tests", "data/*.db"} <= set(ignored)
    for stage in read_dockerfile():
        for inst in stage.all("COPY"):
            sources, _, flags = inst.copy_parts()
            if "from" in flags:
                continue
            for source in sources:
                assert (ROOT / source).exists(), source
                assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source


def test_the_image_installs_exactly_uv_lock_with_the_uv_dev_py_pins():
    build = read_dockerfile()[0]
    assert unlocked_installs(build) == []
    syncs = [shlex.split(i.text) for i in build.all("RUN") if i.text.startswith("uv sync")]
    assert syncs and all("--locked" in sync for sync in syncs), "the image must install uv.lock's versions"
    dev_pin = re.search(r'^UV_VERSION = "([^"]+)"$', (ROOT / "dev.py").read_text(encoding="utf-8"), re.MULTILINE)
    assert dev_pin is not None
    assert any(f"uv=={dev_pin[1]}" in shlex.split(i.text) for i in build.all("RUN")), "uv as pinned in dev.py"


@pytest.mark.parametrize(
    "install",
    [
        "RUN pip install .",
        "RUN /opt/briefbot/bin/pip install --quiet .",
        "RUN python -m pip install -r requirements.txt",
        "RUN pip install uv==0.13.9 && pip install 'discord.py>=2.7'",
        "RUN pip install uv && uv sync --locked --no-dev --no-editable",
        "RUN uv pip install .",
        "RUN uv sync --no-dev --no-editable",
        "RUN uv sync --locked --upgrade --no-editable",
        "RUN /opt/briefbot/bin/pip install -e .",
    ],
)
def test_an_install_from_ranges_is_caught(tmp_path, install):
    """The check above fails a Dockerfile that lets the resolver choose, whichever way it is written."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert LOCKED_INSTALL in text
    (tmp_path / "Dockerfile").write_text(text.replace(LOCKED_INSTALL, install), encoding="utf-8")
    assert unlocked_installs(read_dockerfile(tmp_path / "Dockerfile")[0]) != []


@pytest.mark.parametrize(
    "install",
    [
        "RUN pip install --require-hashes -r requirements.txt && pip install --no-deps .",
        "RUN python -m pip install uv==0.13.9 && uv sync --frozen --no-dev",
    ],
)
def test_other_exact_installs_pass(tmp_path, install):
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(text.replace(LOCKED_INSTALL, install), encoding="utf-8")
    assert unlocked_installs(read_dockerfile(tmp_path / "Dockerfile")[0]) == []


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_image_install_step_installs_the_locked_versions_and_reads_an_article(tmp_path):
    build, runtime = read_dockerfile()
    src = replay_build_context(tmp_path / "src")
    env_dir = tmp_path / "opt-briefbot"
    # The build stage's settings for uv, but with uv's cache kept (the image drops it) and this python 3.11.
    uv_env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV" and not k.startswith("UV_")}
    uv_env |= {k: v for k, v in build.env().items() if k != "UV_NO_CACHE"}
    uv_env |= {"UV_PROJECT_ENVIRONMENT": str(env_dir), "UV_PYTHON": sys.executable}
    uv = str(dev_uv())
    runs = [shlex.split(i.text) for i in build.all("RUN") if i.text.startswith("uv ")]
    assert runs
    for run in runs:
        done = subprocess.run(
            [uv, *run[1:]], cwd=src, env=uv_env, capture_output=True, text=True, timeout=540, check=False
        )
        installed_or_skip(done, f"the image's `{shlex.join(run)}`")

    data = tmp_path / "data"
    data.mkdir()
    settings = runtime.env()
    installed = Installed(
        env_dir,
        {
            "DATABASE_PATH": str(data / Path(settings["DATABASE_PATH"]).name),
            "PACKS_DIR": str(PACKS),
            "DISCORD_TOKEN": "",
        },
    )
    # Every distribution installed is the version uv.lock names, and the test tools are not among them.
    # (The lock may hold two versions of a package, each for its own Python versions.)
    lock: dict[str, set[str]] = {}
    for package in tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))["package"]:
        lock.setdefault(package["name"], set()).add(package["version"])
    versions = json.loads(
        installed.python(
            "import importlib.metadata as m, json, re;"
            "print(json.dumps({re.sub(r'[-_.]+', '-', d.metadata['Name']).lower(): d.version"
            " for d in m.distributions()}))"
        )
    )
    assert len(versions) > 40
    assert {name: version for name, version in versions.items() if version not in lock.get(name, ())} == {}
    assert installed.holds_no_test_tools()

    helped = installed.briefbot("--help", cwd=data)
    assert helped.returncode == 0, helped.stderr
    assert "pack" in helped.stdout and "run" in helped.stdout
    schema = installed.briefbot("pack", "schema", cwd=data)
    assert schema.returncode == 0, schema.stderr
    assert '"$schema"' in schema.stdout
    # The packed migrations and seed pack work from the installed package: the console seeds the store.
    about = installed.briefbot("console", cwd=data, stdin="/about\n")
    assert about.returncode == 0, about.stderr
    assert "Operation 1027" in about.stdout, about.stdout
    assert str(ROOT) not in installed.python("import bot; print(bot.__file__)")
    installed.reads_an_article(data)
