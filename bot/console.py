"""The offline console: the bot's slash commands as typed lines, answered from the same store.

It exists for anyone without a Discord token yet, and for checking the store. A line reads like the
Discord client shows a command: `/actor name:"Three Brotherhood" as_of:2023-11-20`. Options are
validated by the same query models and answered by the same `Briefing` methods, and the answer is the
same `Answer` rendered as text.
"""

from __future__ import annotations

import asyncio
import hashlib
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.briefing.queries import build, summary
from bot.briefing.service import COMMANDS, Briefing, Command
from bot.errors import NotFound, UserError
from bot.pictures.painter import Painter
from bot.pictures.spec import Chart
from bot.render.text import render_text

PROMPT = "briefbot> "


@dataclass(frozen=True)
class Parsed:
    """A console line split into a command and its `option:value` pairs."""

    command: Command
    options: dict[str, str]
    page: int


def parse_line(line: str) -> Parsed:
    """Split `/fact show id:3` into its command and options; UserError says what is wrong."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise UserError(f"cannot read that line: {exc} (quote values that contain spaces)") from None
    if not words or not words[0].startswith("/"):
        raise UserError("commands start with / — type `help` for the list")
    words[0] = words[0][1:]
    path_words = []
    while words and ":" not in words[0]:
        path_words.append(words.pop(0))
    path = " ".join(path_words)
    command = COMMANDS.get(path)
    if command is None:
        raise UserError(f"no command `/{path}` — type `help` for the list")
    options: dict[str, str] = {}
    for word in words:
        name, _, value = word.partition(":")
        if name in options:
            raise UserError(f"option `{name}` given twice")
        options[name] = value
    page = 1
    if "page" in options and command.path == "timeline":
        text = options.pop("page")
        if not text.isdigit() or int(text) < 1:
            raise UserError("`page`: a whole number from 1")
        page = int(text)
    return Parsed(command, options, page)


def help_text() -> str:
    """Every command with its options and their help, from the same models the Discord commands use."""
    lines = ["Commands (options are name:value; quote values with spaces):"]
    for command in COMMANDS.values():
        fields = command.query.model_fields
        usage = " ".join(f"{n}:…" if f.is_required() else f"[{n}:…]" for n, f in fields.items())
        lines.append(f"  /{command.path} {usage}".rstrip())
        lines.append(f"      {summary(command.query)}")
        lines.extend(f"      {n}: {f.description}" for n, f in fields.items())
    lines.append("  /timeline also takes page:N in the console (Discord has buttons).")
    lines.append("  help, quit")
    return "\n".join(lines)


def error_text(exc: UserError) -> str:
    """A user error as the console and the command line print it, with advice that fits a terminal."""
    if isinstance(exc, NotFound) and exc.names is not None:
        if exc.names:
            return f"{exc} Did you mean: {', '.join(exc.names)}? (Quote a name that has spaces.)"
        return f"{exc} No name on record is close to it; /search finds facts by any word in them."
    return str(exc)


@dataclass(frozen=True)
class Pictures:
    """Where the console writes answers' pictures (`--pictures DIR`), and what draws them."""

    folder: Path
    painter: Painter

    async def write(self, chart: Chart) -> str:
        """Draw the chart into the folder; the line the console prints: its path and what it shows."""
        png = await self.painter.png(chart, queue=True)
        if png is None:
            return "picture: could not be drawn (see the log)"
        name = hashlib.blake2b(chart.key().encode(), digest_size=4).hexdigest() + "-" + chart.filename
        path = self.folder / name
        await asyncio.to_thread(self.folder.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, png)
        return f"picture: {path} ({chart.description})"


async def answer_line(briefing: Briefing, line: str, pictures: Pictures | None = None) -> str:
    """The text the console prints for one line: an answer, or `error: …` the user can act on.

    With `pictures`, an answer's picture is written to a file there and its path printed after the answer.
    """
    try:
        parsed = parse_line(line)
        query = build(parsed.command.query, **parsed.options)
        run: Any = parsed.command.run
        answer = await (run(briefing, query, parsed.page) if parsed.page > 1 else run(briefing, query))
    except UserError as exc:
        return f"error: {error_text(exc)}"
    text = render_text(answer)
    if pictures is not None and answer.chart is not None:
        text += "\n" + await pictures.write(answer.chart)
    return text


async def run_console(
    briefing: Briefing, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, pictures: Pictures | None = None
) -> None:
    """Read lines until end of input, answering each; prompt only when a person is typing."""
    interactive = stdin.isatty()
    if interactive:
        stdout.write("briefbot console: type a command such as /brief, `help` for the list, Ctrl-D to leave.\n")
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line in {"quit", "exit", "/quit"}:
            break
        if line in {"help", "/help", "?"}:
            stdout.write(help_text() + "\n")
            continue
        stdout.write(await answer_line(briefing, line, pictures) + "\n\n")
        stdout.flush()
