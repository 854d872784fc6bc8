"""Drawing pictures off the event loop, each once: the small interface the rest of the bot uses.

`Painter.png(chart)` returns a chart's PNG bytes. Drawing takes tens of milliseconds of pure Python and C
that would stall every other command if run on the event loop, so it runs elsewhere:

- `where="process"` (the bot): in one worker process, started on the first picture. matplotlib and numpy
  then load there, not in the bot, whose memory stays what it was (they add about 70 MiB to a process);
  the worker also draws on another core while the bot answers.
- `where="thread"` (the console, tests): `asyncio.to_thread` in this process; simpler, and nothing to stop.

Drawn bytes are kept in a small LRU keyed by the spec's JSON, so an answer given again from the answer
cache (or a page turned) costs no second drawing; several people asking for the same picture at once wait
for one drawing. A picture that fails to draw is logged and left out: the text answer still goes.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections import OrderedDict
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Literal

from bot.pictures.draw import draw
from bot.pictures.spec import Chart

log = logging.getLogger(__name__)

#: Pictures kept: a chart is 15-40 KB, so about a megabyte and a half at most.
KEPT = 48
#: Pictures waiting to be drawn at most, for replies: under a burst the worker cannot keep up with, a reply
#: goes without its picture rather than join a queue that only grows (and holds memory while it does).
WAITING = 6
#: Discord's smallest upload limit for a bot; no picture may come near it.
MAX_BYTES = 8 * 1024 * 1024


def draw_json(spec: str) -> bytes:
    """Draw a chart given as its JSON: what the worker process runs (a string pickles small and safely)."""
    return draw(Chart.model_validate_json(spec))


class Painter:
    """Chart specs to PNG bytes, drawn off the event loop and kept for reuse."""

    def __init__(
        self, *, where: Literal["process", "thread"] = "thread", kept: int = KEPT, waiting: int = WAITING
    ) -> None:
        self.where = where
        self.kept = kept
        self.waiting = waiting
        self.shed = 0
        self._done: OrderedDict[str, bytes] = OrderedDict()
        self._drawing: dict[str, asyncio.Future[bytes]] = {}
        self._executor: Executor | None = None
        self.drawn = 0

    def cached(self, chart: Chart) -> bytes | None:
        """The picture if it is already drawn, without waiting."""
        found = self._done.get(chart.key())
        if found is not None:
            self._done.move_to_end(chart.key())
        return found

    async def png(self, chart: Chart, *, queue: bool = False) -> bytes | None:
        """The chart's PNG bytes, drawn at most once while kept; None if it could not be drawn.

        None too, without drawing, when `WAITING` pictures are already waiting, unless `queue` (a digest, the
        console: nobody is waiting on them, and their picture should not be lost).
        """
        key = chart.key()
        found = self.cached(chart)
        if found is not None:
            return found
        pending = self._drawing.get(key)
        if pending is None and not queue and len(self._drawing) >= self.waiting:
            self.shed += 1
            log.debug("%s pictures waiting: %r goes without one", len(self._drawing), chart.title)
            return None
        if pending is None:
            pending = asyncio.ensure_future(self._draw(key))
            self._drawing[key] = pending
            pending.add_done_callback(lambda _: self._drawing.pop(key, None))
        try:
            return await asyncio.shield(pending)
        except Exception:
            log.exception("could not draw the picture %r", chart.title)
            return None

    async def _draw(self, key: str) -> bytes:
        if self.where == "thread":
            png = await asyncio.to_thread(draw_json, key)
        else:
            loop = asyncio.get_running_loop()
            png = await loop.run_in_executor(self._worker(), draw_json, key)
        if len(png) > MAX_BYTES:
            raise ValueError(f"picture of {len(png)} bytes is over Discord's limit")
        self.drawn += 1
        self._done[key] = png
        while len(self._done) > self.kept:
            self._done.popitem(last=False)
        return png

    def _worker(self) -> Executor:
        if self._executor is None:
            # Spawned, not forked: the bot has threads (SQLite's, the scheduler's) that a fork would copy mid-step.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._executor

    def report(self) -> str:
        """Pictures drawn and gone without, for the log at shutdown (the benchmarks read it)."""
        return f"pictures: {self.drawn} drawn, {self.shed} replies sent without one (too many waiting)"

    def close(self) -> None:
        """Stop the worker process, if one was started."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
