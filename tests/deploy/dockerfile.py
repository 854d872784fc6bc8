"""A small reader of the Dockerfile: enough to check its instructions and replay its steps without an engine."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Instruction:
    """One instruction: its keyword, its raw argument text and, for the JSON (exec) form, the parsed list."""

    keyword: str
    text: str

    @property
    def exec_form(self) -> list[str] | None:
        try:
            value = json.loads(self.text)
        except ValueError:
            return None
        return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None

    def copy_parts(self) -> tuple[list[str], str, dict[str, str]]:
        """A COPY's sources, destination and --flags."""
        words = self.exec_form or self.text.split()
        flags = dict(w[2:].split("=", 1) for w in words if w.startswith("--"))
        paths = [w for w in words if not w.startswith("--")]
        return paths[:-1], paths[-1], flags


@dataclass
class Stage:
    """The instructions from one FROM to the next."""

    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for inst in self.all("ENV"):
            values.update(dict(re.findall(r'(\w+)=("[^"]*"|\S+)', inst.text)))
        return {k: v.strip('"') for k, v in values.items()}


def read_dockerfile(path: Path = ROOT / "Dockerfile") -> list[Stage]:
    """The stages of a Dockerfile, with line continuations joined, comments dropped and ARGs before FROM applied."""
    logical: list[str] = []
    pending = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        keyword, _, text = line.strip().partition(" ")
        keyword, text = keyword.upper(), " ".join(text.split())
        if keyword == "ARG" and not stages:
            name, _, default = text.partition("=")
            args[name] = default
        elif keyword == "FROM":
            words = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], text).split()
            stages.append(Stage(words[0], words[2] if len(words) == 3 and words[1].upper() == "AS" else None))
        else:
            stages[-1].instructions.append(Instruction(keyword, text))
    return stages


def dockerignore(path: Path = ROOT / ".dockerignore") -> list[str]:
    """The patterns of .dockerignore (exclusions only: this project uses no `!` re-inclusions)."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


#: An exact pin, `name==version`, with nothing a resolver could widen.
PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!_-]+$")


def _is_pip(words: list[str], at: int) -> bool:
    """Whether `words[at]` is pip itself: `pip`, `pip3`, `/opt/venv/bin/pip` or `python -m pip`."""
    word = words[at]
    return bool(re.fullmatch(r"(.*/)?pip(3(\.\d+)?)?", word)) or (word == "pip" and at > 0 and words[at - 1] == "-m")


def unlocked_installs(stage: Stage) -> list[str]:
    """The commands in a stage's RUNs that install Python packages by ranges rather than by exact versions.

    Exact: `uv sync --locked` or `--frozen` (uv.lock's versions and hashes); `pip install` of tools each
    pinned `name==version`; `pip install --require-hashes -r FILE` (pip refuses any line not pinned and
    hashed); `pip install --no-deps .` (the project alone, its dependencies installed exactly before).
    Anything else that installs (`pip install .`, `pip install -r requirements.txt`, `uv pip install`,
    `uv sync` without the lock) lets the resolver pick whatever is newest on the day of the build.
    """
    found: list[str] = []
    for inst in stage.all("RUN"):
        text = " ".join(inst.exec_form) if inst.exec_form else inst.text
        for command in re.split(r"&&|\|\||;", text):
            words = shlex.split(command)
            if "sync" in words and words.index("sync") > 0 and words[words.index("sync") - 1].endswith("uv"):
                locked = {"--locked", "--frozen"} & set(words)
                upgrading = any(w == "-U" or w.startswith("--upgrade") for w in words)
                if not locked or upgrading:
                    found.append(command.strip())
                continue
            installs = [n for n, w in enumerate(words) if w == "install" and n > 0 and _is_pip(words, n - 1)]
            if not installs:
                continue
            start = installs[0]
            options = [w for w in words[start + 1 :] if w.startswith("-")]
            targets = [w for w in words[start + 1 :] if not w.startswith("-")]
            by_uv = start >= 2 and words[start - 2].endswith("uv")
            from_file = "-r" in options or any(o.startswith("--requirement") for o in options)
            if by_uv or "-e" in options or "--editable" in options:
                exact = False
            elif from_file:
                exact = "--require-hashes" in options
            elif "--no-deps" in options:
                exact = all(PINNED.match(t) or t == "." for t in targets)
            else:
                exact = bool(targets) and all(PINNED.match(t) for t in targets)
            if not exact:
                found.append(command.strip())
    return found


def replay_build_context(dest: Path) -> Path:
    """The build stage's COPYs, from the repository into `dest` (its WORKDIR), minus what .dockerignore drops."""
    build = read_dockerfile()[0]
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for inst in build.all("COPY"):
        sources, target, _ = inst.copy_parts()
        for source in sources:
            into = dest / target  # a directory: Docker copies a directory's contents, files into it
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, into, ignore=ignore)
            else:
                into.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / source, into / Path(source).name)
    return dest
