"""Watch lists as members use them: add, list, remove and resume, with the rules that keep them private.

A member sees and changes only their own watches; a moderator sees the server's counts, never whose or
what. Names are resolved as every command resolves them (`Briefing.resolve`), in the topic in force, so a
watch on "AA" is a watch on the Arakan Army, and a name that matches nothing is refused with the closest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.briefing.answer import Answer, Line, counted, moment, note
from bot.briefing.service import Briefing
from bot.errors import NotFound, UserError
from bot.store import Store
from bot.store.watches import NewWatch, WatchRecord, WatchStore
from bot.watches.models import MAX_WATCHES, WatchAddRequest

DM_PAUSED = "your direct messages are closed to the bot"


class WatchService:
    """Watches of members, on the store; `briefing_for` resolves names in a topic."""

    def __init__(
        self,
        store: Store,
        briefing_for: Callable[[str], Briefing],
        *,
        clock: Callable[[], datetime],
        limit: int = MAX_WATCHES,
    ) -> None:
        self.store = store
        self.watches = WatchStore(store)
        self.briefing_for = briefing_for
        self.clock = clock
        self.limit = limit

    async def add(
        self, q: WatchAddRequest, topic_slug: str, guild_id: int, member_id: int, *, moderator: bool
    ) -> Answer:
        """Store a watch in the topic given, telling the member's DMs or, for a moderator, a channel."""
        if q.channel is not None and not moderator:
            raise UserError("Only moderators can point a watch at a channel; leave `channel` out to be told in DMs.")
        briefing = self.briefing_for(topic_slug)
        topic = await briefing.topic()
        target_id: int | None = None
        if q.what == "words":
            label, words = f"words “{q.name}”", q.name
        else:
            target_id = await briefing.resolve(topic, q.what, q.name)
            label, words = f"{q.what} {await self._name(q.what, target_id)}", None
        if any(w.label == label and w.topic_id == topic.id for w in await self.watches.of_member(guild_id, member_id)):
            raise UserError(f"You already watch {label} in {topic.slug}: `/watch list` shows your watches.")
        new = NewWatch(guild_id, member_id, topic.id, q.what, target_id, words, label, q.channel)
        made = await self.watches.add(new, self.clock(), limit=self.limit)
        if isinstance(made, int):
            raise UserError(
                f"You have {made} watches, the most one member may keep. Remove one first (`/watch remove`)."
            )
        where = f"in <#{q.channel}>" if q.channel is not None else "in a direct message"
        within = " (and places within it)" if q.what == "place" else ""
        return Answer(
            title=f"Watch #{made.id} added",
            lines=[
                note(
                    f"You will be told {where} when a reviewed fact about {label}{within} lands in {topic.slug}."
                    " Several close together come as one message."
                )
            ],
        )

    async def _name(self, what: str, target_id: int) -> str:
        read = {"actor": self.store.actor, "place": self.store.place, "event": self.store.event}[what]
        record = await read(target_id)
        assert record is not None
        name: str = record.name
        return name

    async def listing(self, guild_id: int, member_id: int, *, moderator: bool) -> Answer:
        """The member's own watches, with when each last told them; a moderator sees the server's counts too."""
        watches = await self.watches.of_member(guild_id, member_id)
        lines = [_describe(w) for w in watches]
        if not lines:
            lines = [note("You watch nothing yet: `/watch add` tells you when a reviewed fact about something lands.")]
        if moderator:
            counts = await self.watches.counts(guild_id)
            lines.append(
                note(
                    f"This server: {counted(counts.watches, 'watch', 'watches')} kept by"
                    f" {counted(counts.members, 'member')}, {counts.paused} paused, {counts.channels} told in channels."
                )
            )
        return Answer(title="Your watches", lines=lines, footer=f"{len(watches)} of {self.limit}")

    async def remove(self, watch_id: int, guild_id: int, member_id: int) -> Answer:
        """Delete one of the member's watches; another member's is as good as not there."""
        if not await self.watches.remove(guild_id, member_id, watch_id):
            raise NotFound(f"You have no watch #{watch_id} in this server: `/watch list` shows yours.")
        return Answer(title=f"Watch #{watch_id} removed", lines=[note("Nothing more will be told for it.")])

    async def resume(self, guild_id: int, member_id: int) -> Answer:
        """Start the member's paused DM watches again."""
        resumed = await self.watches.resume_dms(guild_id, member_id)
        if not resumed:
            return Answer(title="Nothing to resume", lines=[note("None of your DM watches is paused.")])
        return Answer(
            title="Watches resumed",
            lines=[
                note(f"{counted(resumed, 'watch', 'watches')} will tell you in DMs again; keep them open to the bot.")
            ],
        )

    async def notice(self, guild_id: int, member_id: int) -> str | None:
        """What a member must be told the next time they use a command (once), if anything."""
        return await self.watches.take_notice(guild_id, member_id)


def _describe(watch: WatchRecord) -> Line:
    where = f"<#{watch.inbox_target}>" if watch.inbox_kind == "channel" else "DM"
    told = f"last told {moment(watch.last_told_at)}" if watch.last_told_at else "not told yet"
    state = f" · ⏸ paused: {watch.status_reason}" if watch.status == "paused" else ""
    return note(f"**#{watch.id}** {watch.label} · {where} · {told}{state}")
