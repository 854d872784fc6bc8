"""The offline console: the bot's slash commands as typed lines, answered from the same store.

It exists for anyone without a Discord token yet, and for checking the store. A line reads like the
Discord client shows a command: `/actor name:"Three Brotherhood" as_of:2023-11-20`. Options are
validated by the same query models and answered by the same `Briefing` methods, and the answer is the
same `Answer` rendered as text. Every read command takes `topic:` as in Discord (`/search topic:all`
searches every topic); without it the console answers about its own default (`--topic`, else
DEFAULT_TOPIC), the topic in force being worked out by the same `Topics.in_force` as the bot's.
"""

from __future__ import annotations

import asyncio
import hashlib
import shlex
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.briefing.answer import Answer
from bot.briefing.queries import (
    AboutQuery,
    ActorQuery,
    BriefQuery,
    EventQuery,
    FactQuery,
    HistoryQuery,
    Query,
    SearchQuery,
    StakesQuery,
    TimelineQuery,
    build,
    summary,
)
from bot.briefing.service import Briefing
from bot.errors import NotFound, UserError
from bot.pictures.painter import Painter
from bot.pictures.spec import Chart
from bot.render.text import render_text
from bot.services import Services
from bot.topics.models import EVERY_TOPIC, TOPIC_HELP


@dataclass(frozen=True)
class Command:
    """A question the console can ask by name; Discord's cogs call the same `Briefing` methods."""

    path: str
    query: type[Query]
    run: Callable[[Briefing, Any], Awaitable[Answer]]


COMMANDS: dict[str, Command] = {
    c.path: c
    for c in (
        Command("brief", BriefQuery, Briefing.brief),
        Command("actor", ActorQuery, Briefing.actor),
        Command("event", EventQuery, Briefing.event),
        Command("timeline", TimelineQuery, Briefing.timeline),
        Command("stakes", StakesQuery, Briefing.stakes),
        Command("search", SearchQuery, Briefing.search),
        Command("fact show", FactQuery, Briefing.fact),
        Command("fact history", HistoryQuery, Briefing.history),
        Command("about", AboutQuery, Briefing.about),
    )
}

#: Commands that take `topic:` (a fact's history is the record, whatever its topic).
TOPICAL = {path for path in COMMANDS if path != "fact history"}

PROMPT = "briefbot> "


@dataclass(frozen=True)
class Parsed:
    """A console line split into a command and its `option:value` pairs."""

    command: Command
    options: dict[str, str]
    page: int
    topic: str | None = None


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
    topic = options.pop("topic", None) if command.path in TOPICAL else None
    return Parsed(command, options, page, topic.strip() or None if topic is not None else None)


def help_text() -> str:
    """Every command with its options and their help, from the same models the Discord commands use."""
    lines = ["Commands (options are name:value; quote values with spaces):"]
    for command in COMMANDS.values():
        fields = command.query.model_fields
        usage = " ".join(f"{n}:…" if f.is_required() else f"[{n}:…]" for n, f in fields.items())
        usage += " [topic:…]" if command.path in TOPICAL else ""
        lines.append(f"  /{command.path} {usage}".rstrip())
        lines.append(f"      {summary(command.query)}")
        lines.extend(f"      {n}: {f.description}" for n, f in fields.items())
        if command.path in TOPICAL:
            every = " `all` searches every topic." if command.path == "search" else ""
            lines.append(f"      topic: {TOPIC_HELP}{every}")
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


async def _briefing(source: Briefing | Services, topic: str | None, default: str | None) -> Briefing:
    """The briefing of the topic in force: `topic:` if given, else the console's default, else DEFAULT_TOPIC."""
    if isinstance(source, Services):
        return await source.in_force(topic or default, None, None)
    if topic and topic != source.topic_slug:
        raise UserError(f"this console answers about `{source.topic_slug}` only")
    return source


async def answer_line(
    source: Briefing | Services, line: str, *, topic: str | None = None, pictures: Pictures | None = None
) -> str:
    """The text the console prints for one line: an answer, or `error: …` the user can act on.

    `source` is the services (any topic) or one topic's briefing; `topic` is the console's default topic.
    With `pictures`, an answer's picture is written to a file there and its path printed after the answer.
    """
    try:
        parsed = parse_line(line)
        query = build(parsed.command.query, **parsed.options)
        run: Any = parsed.command.run
        answer: Answer
        if parsed.command.path == "about" and isinstance(source, Services):
            # What the store holds needs no topic in force (an empty store has none); `topic:` narrows it.
            only = (await source.topics.named(parsed.topic)).slug if parsed.topic else None
            answer = await source.briefing.about(AboutQuery(), only=only)
        elif parsed.command.path == "search" and (parsed.topic or "").lower() == EVERY_TOPIC:
            if not isinstance(source, Services):
                raise UserError("this console answers about one topic only")
            answer = await source.topics.search_everywhere(str(parsed.options.get("query", "")).strip())
        else:
            briefing = await _briefing(source, parsed.topic, topic)
            answer = await (run(briefing, query, parsed.page) if parsed.page > 1 else run(briefing, query))
    except UserError as exc:
        return f"error: {error_text(exc)}"
    text = render_text(answer)
    if pictures is not None and answer.chart is not None:
        text += "\n" + await pictures.write(answer.chart)
    return text


async def run_console(
    source: Briefing | Services,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    *,
    topic: str | None = None,
    pictures: Pictures | None = None,
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
        stdout.write(await answer_line(source, line, topic=topic, pictures=pictures) + "\n\n")
        stdout.flush()
