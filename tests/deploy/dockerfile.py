"""A small reader of the Dockerfile: enough to check its instructions and replay its steps without an engine."""

from __future__ import annotations

import json
import re
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
