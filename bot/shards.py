"""Which servers this process serves, when the bot runs as several processes (SHARD_COUNT, SHARD_IDS).

Discord puts each server on one gateway shard, `(guild_id >> 22) % shard_count`, and sends its events
only there; a process that runs some of the shards owns their servers. It schedules the digests and
polls the feeds of those servers and no others, so each digest has one process whose alarm clock fires
for it. That is only the division of work: that each run is posted once is decided by the ledger
(`bot.store.digests`), so two processes given the same shards by mistake still post it once.

Things that belong to no server (a feed added from the command line) belong to shard 0's process.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Discord's global limit on REST requests, per bot (not per process): 50 a second.
GLOBAL_REQUESTS_PER_SECOND = 50


def shard_of(guild_id: int, count: int) -> int:
    """The shard Discord sends a server's events on, among `count` shards."""
    return (guild_id >> 22) % count


@dataclass(frozen=True)
class Shards:
    """The shards one process runs: `ids` out of `count` (the default, one process, owns everything)."""

    count: int = 1
    ids: frozenset[int] = frozenset({0})

    def __post_init__(self) -> None:
        if self.count < 1 or not self.ids or not all(0 <= i < self.count for i in self.ids):
            raise ValueError(f"shard ids {sorted(self.ids)} are not within 0..{self.count - 1}")

    @classmethod
    def of(cls, count: int | None, ids: list[int] | None) -> Shards:
        """From the settings: no count is one process for everything; no ids is every shard of the count."""
        if count is None:
            return cls()
        return cls(count, frozenset(ids if ids is not None else range(count)))

    @property
    def everything(self) -> bool:
        """Whether this process runs every shard (then it owns every server, whatever its id)."""
        return len(self.ids) == self.count

    def owns(self, guild_id: int | None) -> bool:
        """Whether the server's digests and feeds are this process's; no server means shard 0's process."""
        if self.everything:
            return True
        return (0 if guild_id is None else shard_of(guild_id, self.count)) in self.ids

    @property
    def share(self) -> float:
        """The part of the bot's global rate limit that is this process's: its part of the shards."""
        return len(self.ids) / self.count

    def global_limit(self, per_second: int = GLOBAL_REQUESTS_PER_SECOND) -> int:
        """Requests a second this process may make of the bot's `per_second`, never less than one."""
        return max(1, int(per_second * self.share))

    def describe(self) -> str:
        """For logs and the heartbeat: `shards 0,1 of 4`, or `all shards`."""
        if self.count == 1:
            return "all shards"
        return f"shards {','.join(map(str, sorted(self.ids)))} of {self.count}"
