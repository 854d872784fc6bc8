"""Answers already given, reused until the store changes.

A team asks the same few questions all day: the brief, the main actors, Beijing's stakes. An answer
depends only on the question and on what the store holds, so it can be given again without reading the
store, as long as nothing was written since. The store's version changes on every write, by this process
or another (an import from the CLI while the bot runs), so a correction shows in the very next answer.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Concatenate, ParamSpec, Protocol

from bot.briefing.answer import Answer

log = logging.getLogger(__name__)
P = ParamSpec("P")


class AnswerCache:
    """The `size` most recently used answers for the current version of the store; size 0 turns it off.

    `version` may be a coroutine function: a topic's own change counter is read from the store (see
    `bot.store.topics.TopicStore.version`), so that a write to one topic leaves another's answers cached.
    """

    def __init__(self, version: Callable[[], Hashable | Awaitable[Hashable]], size: int) -> None:
        self._version = version
        self.size = size
        self._seen: Hashable = None
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self.hits = 0
        self.misses = 0

    async def answer(self, key: Hashable, make: Callable[[], Awaitable[Answer]]) -> Answer:
        """The answer under `key`, made (and kept) only if it is not known for this version of the store."""
        if self.size == 0:
            return await make()
        version = await self._current()
        if version != self._seen:
            self._answers.clear()
            self._seen = version
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
            self.hits += 1
            return found
        self.misses += 1
        made = await make()
        # A write that landed while it was being made may or may not be in it: give it, but do not keep it.
        if await self._current() == version:
            self._answers[key] = made
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return made

    async def _current(self) -> Hashable:
        found = self._version()
        return await found if inspect.isawaitable(found) else found

    def report(self) -> str:
        """Hits and misses so far, for the log at shutdown (the benchmarks read it)."""
        asked = self.hits + self.misses
        rate = f"{self.hits / asked:.0%}" if asked else "n/a"
        return f"answer cache: {self.hits} hits, {self.misses} misses ({rate} answered from the cache)"


class Cached(Protocol):
    """An object whose answers may come from an `AnswerCache`."""

    answers: AnswerCache


def cached(
    method: Callable[Concatenate[Any, P], Awaitable[Answer]],
) -> Callable[Concatenate[Any, P], Awaitable[Answer]]:
    """Give a method's answers from `self.answers`, keyed by the method and its (hashable) arguments."""

    async def wrapper(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> Answer:
        owner: Cached = self
        key = (method.__name__, *args, *sorted(kwargs.items()))
        return await owner.answers.answer(key, lambda: method(self, *args, **kwargs))

    functools.update_wrapper(wrapper, method)
    return wrapper
