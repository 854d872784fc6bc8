"""Digest subscriptions: what `/digest` and `briefbot digest` do, apart from posting.

This is the domain side of the commands. It validates (schedules, zones, milestones already past),
stores, lists, pauses and resumes, composes a subscription's digest for a given moment, and tells
listeners (the scheduler) whenever a subscription changes, so its jobs always mirror the store.
Posting is `bot.digests.delivery`'s job; nothing here touches Discord.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.briefing.answer import Answer, Line, format_day, moment
from bot.briefing.service import Briefing
from bot.digests.compose import DigestComposer, Window
from bot.digests.models import ListRequest, MilestoneRequest, PreviewRequest, SubscribeRequest
from bot.digests.schedules import (
    Schedule,
    milestone_moment,
    new_schedule,
    once,
    parse_after,
    parse_clock,
    parse_schedule,
)
from bot.digests.split import split_answer
from bot.errors import NotFound, UserError
from bot.models import Author
from bot.store import Store
from bot.store.digests import DigestStore, NewSubscription, SubscriptionRecord
from bot.store.writes import utcnow

LIST_LIMIT = 25
NEXT_RUNS = 3


@dataclass(frozen=True)
class Composed:
    """A digest ready to post: its messages (none when quiet and nothing changed) and its change-log end."""

    parts: list[Answer]
    through_change_id: int


def local_time(moment_: datetime, zone: ZoneInfo) -> str:
    """A moment as the subscription's readers' clocks show it, such as `Mon 1 Apr 2024 09:00 BST`."""
    local = moment_.astimezone(zone)
    return f"{local:%a} {format_day(local.date())} {local:%H:%M %Z}"


class DigestService:
    """Subscriptions and their digests, for one store; `clock` is injectable so tests never wait."""

    def __init__(
        self,
        store: Store,
        *,
        briefing_for: Callable[[str], Briefing],
        default_topic: str,
        timezone: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.digests = DigestStore(store)
        self.composer = DigestComposer(store, self.digests, briefing_for)
        self.default_topic = default_topic
        self.zone = ZoneInfo(timezone)
        self.clock = clock
        self.listeners: list[Callable[[SubscriptionRecord], None]] = []

    def changed(self, sub: SubscriptionRecord) -> None:
        """Tell listeners (the scheduler) that a subscription was created, changed or stopped.

        They get the record as the write left it, never a re-read: the shared reader connection may still
        be inside an older snapshot, and a resumed digest must not look paused to the scheduler.
        """
        for listener in self.listeners:
            listener(sub)

    def schedule_of(self, sub: SubscriptionRecord) -> Schedule:
        """The schedule a stored subscription runs on."""
        zone = ZoneInfo(sub.timezone)
        if sub.kind == "milestone":
            assert sub.due_at is not None
            return once(sub.due_at, zone)
        assert sub.schedule is not None
        return parse_schedule(sub.schedule, zone)

    async def owned(self, subscription_id: int, guild_id: int) -> SubscriptionRecord:
        """A subscription of this server; others' and removed ones do not exist as far as it can tell."""
        sub = await self.digests.subscription(subscription_id)
        if sub is None or sub.guild_id != guild_id or sub.status == "removed":
            raise NotFound(f"There is no digest #{subscription_id} in this server: `/digest list` shows them.")
        return sub

    # Creating ---------------------------------------------------------------------------------------

    async def subscribe(self, q: SubscribeRequest, guild_id: int, author: Author) -> Answer:
        """Store a recurring digest and show when it will run next."""
        zone = ZoneInfo(q.timezone)
        now = self.clock()
        schedule = new_schedule(q.schedule, zone, now)
        slug = q.topic or self.default_topic
        topic = await self.store.topic(slug)
        if topic is None:
            known = ", ".join(f"`{t.slug}`" for t in await self.store.topics()) or "none yet"
            raise NotFound(f"There is no topic `{slug}`. Topics: {known}.")
        sub = await self.digests.create(
            NewSubscription(
                kind="recurring",
                guild_id=guild_id,
                channel_id=q.channel,
                topic_id=topic.id,
                timezone=zone.key,
                schedule=schedule.text,
                quiet=q.quiet,
                created_by=author.id,
                created_by_name=author.name,
            ),
            now,
        )
        self.changed(sub)
        runs = [Line(text=f"{local_time(t, zone)} ({moment(t)})") for t in schedule.next_runs(now, NEXT_RUNS)]
        quiet = " Nothing is posted when nothing changed." if q.quiet else ""
        return Answer(
            title=f"Digest #{sub.id} scheduled",
            lines=[
                Line(
                    text=f"{schedule.title} of **{topic.title}** in <#{q.channel}>: `{schedule.text}`, {zone.key}"
                    f" time.{quiet} Each reports what changed since the previous one, then where things stand."
                ),
                Line(text="**Next runs:**"),
                *runs,
            ],
            footer=f"/digest preview id:{sub.id} shows the next one now · /digest pause id:{sub.id} stops it",
        )

    async def milestone(self, q: MilestoneRequest, guild_id: int, author: Author) -> Answer:
        """Store a one-off digest after an event of `q.topic` (default: DEFAULT_TOPIC); a past one is refused."""
        briefing = self.composer.briefing(q.topic or self.default_topic)
        topic = await briefing.topic()
        event = await self.store.event(await briefing.resolve(topic, "event", q.event))
        if event is None:
            raise NotFound(f"No event is called “{q.event}”.")
        after = parse_after(q.after)
        day = after.from_day(event.date)
        due = milestone_moment(day, parse_clock(q.time), self.zone)
        now = self.clock()
        if due <= now:
            raise UserError(
                f"{after.text} after **{event.name}** was {local_time(due, self.zone)}, which has passed."
                f" To read that digest now: `/digest preview event:{event.slug} after:{after.text}`."
            )
        sub = await self.digests.create(
            NewSubscription(
                kind="milestone",
                guild_id=guild_id,
                channel_id=q.channel,
                topic_id=topic.id,
                timezone=self.zone.key,
                event_id=event.id,
                after_spec=after.text,
                due_at=due,
                created_by=author.id,
                created_by_name=author.name,
            ),
            now,
        )
        self.changed(sub)
        return Answer(
            title=f"Milestone digest #{sub.id} scheduled",
            lines=[
                Line(
                    text=f"{after.text} after **{event.name}** ({format_day(event.date, event.precision)}), a summary"
                    f" up to {format_day(day)} will be posted in <#{q.channel}> on {local_time(due, self.zone)}"
                    f" ({moment(due)})."
                )
            ],
            footer=f"/digest preview id:{sub.id} shows it now, as far as it has happened",
        )

    # Listing and changing ---------------------------------------------------------------------------

    async def listing(self, q: ListRequest, guild_id: int) -> Answer:
        """The server's (or a channel's) digests: schedule, next run, state, and how the last run went."""
        subs = await self.digests.in_guild(guild_id, q.channel, LIST_LIMIT + 1)
        now = self.clock()
        lines = [await self._describe(sub, now) for sub in subs[:LIST_LIMIT]]
        if len(subs) > LIST_LIMIT:
            lines.append(Line(text="… and more: name a channel to see only its digests."))
        where = f" in <#{q.channel}>" if q.channel else ""
        if not lines:
            lines = [Line(text=f"No digests are scheduled{where}. Moderators can add one with `/digest subscribe`.")]
        return Answer(title="Scheduled digests", lines=lines)

    async def _describe(self, sub: SubscriptionRecord, now: datetime) -> Line:
        zone = ZoneInfo(sub.timezone)
        if sub.kind == "milestone":
            what = f"{sub.after_spec} after **{sub.event_name}**"
        else:
            what = f"`{sub.schedule}` {sub.timezone}" + (", quiet" if sub.quiet else "")
        parts = [f"**#{sub.id}** <#{sub.channel_id}> · {what} · {sub.topic_slug}"]
        if sub.status == "active":
            runs = self.schedule_of(sub).next_runs(now, 1)
            parts.append(f"next {local_time(runs[0], zone)} ({moment(runs[0])})" if runs else "no run left")
        elif sub.status == "paused":
            parts.append(f"⏸ paused: {sub.status_reason}")
        else:
            parts.append(f"done: {sub.status_reason}" if sub.status_reason else "✅ posted")
        latest = await self.digests.latest(sub.id)
        if latest is not None:
            detail = f" ({latest.detail})" if latest.status == "failed" and latest.detail else ""
            parts.append(f"last run {moment(latest.scheduled_for)}: {latest.status}{detail}")
        waiting = await self.digests.awaiting_attention(sub.id)
        if waiting is not None:
            parts.append(
                f"⚠ the run due {moment(waiting.scheduled_for)} needs attention ({waiting.detail}):"
                f" `/digest send id:{sub.id}` finishes it"
            )
        return Line(text=" · ".join(parts))

    async def pause(self, subscription_id: int, guild_id: int, author: Author) -> Answer:
        """Stop a digest until it is resumed."""
        sub = await self.owned(subscription_id, guild_id)
        if sub.status != "active":
            raise UserError(f"Digest #{sub.id} is not running ({sub.status}).")
        self.changed(await self.digests.set_status(sub.id, "paused", f"paused by {author.name}", self.clock()))
        return Answer(title=f"Digest #{sub.id} paused", lines=[Line(text=f"`/digest resume id:{sub.id}` restarts it.")])

    async def resume(self, subscription_id: int, guild_id: int) -> Answer:
        """Restart a paused digest from now on: runs missed while paused are not caught up."""
        sub = await self.owned(subscription_id, guild_id)
        now = self.clock()
        if sub.status != "paused":
            raise UserError(f"Digest #{sub.id} is not paused ({sub.status}).")
        if sub.kind == "milestone" and sub.due_at and sub.due_at <= now:
            raise UserError(
                f"Milestone digest #{sub.id} fell due while paused. Read it with `/digest preview id:{sub.id}`."
            )
        self.changed(await self.digests.set_status(sub.id, "active", None, now))
        runs = self.schedule_of(sub).next_runs(now, 1)
        nxt = f" Next run: {local_time(runs[0], ZoneInfo(sub.timezone))} ({moment(runs[0])})." if runs else ""
        return Answer(title=f"Digest #{sub.id} resumed", lines=[Line(text=f"Posting to <#{sub.channel_id}>.{nxt}")])

    async def remove(self, subscription_id: int, guild_id: int) -> Answer:
        """Delete a subscription; its ledger stays, so what was posted remains on record."""
        sub = await self.owned(subscription_id, guild_id)
        self.changed(await self.digests.set_status(sub.id, "removed", None, self.clock()))
        return Answer(
            title=f"Digest #{sub.id} removed", lines=[Line(text=f"Nothing more goes to <#{sub.channel_id}>.")]
        )

    async def finish(self, sub: SubscriptionRecord, reason: str) -> None:
        """Mark a milestone subscription done without a post (its time passed while the bot was down)."""
        self.changed(await self.digests.set_status(sub.id, "done", reason, self.clock()))

    # Digests ----------------------------------------------------------------------------------------

    async def compose(
        self,
        sub: SubscriptionRecord,
        scheduled_for: datetime,
        *,
        late: bool = False,
        manual: bool = False,
        as_of: date | None = None,
        preview: bool = False,
    ) -> Composed:
        """A subscription's digest for one run, split into messages that Discord takes whole."""
        through = await self.digests.last_change_id(sub.topic_id)
        zone = ZoneInfo(sub.timezone)
        notes = []
        if late:
            notes.append(f"late: due {local_time(scheduled_for, zone)}")
        if manual:
            notes.append("posted on request")
        if preview:
            notes.append("preview: nothing was posted")
        if sub.kind == "milestone":
            assert sub.event_id is not None
            assert sub.after_spec is not None
            label = f"Milestone digest #{sub.id}"
            day = min(filter(None, (as_of, scheduled_for.astimezone(zone).date())))
            answer: Answer | None = await self.composer.milestone(
                sub.topic_slug,
                sub.event_id,
                parse_after(sub.after_spec),
                footer=" · ".join([label, *notes]),
                as_of=day,
            )
        else:
            previous = await self.digests.last_posted(sub.id)
            window = Window(
                after_change_id=sub.last_change_id,
                through_change_id=through,
                since=previous.scheduled_for if previous else sub.created_at,
                since_previous=previous is not None,
            )
            label = f"Digest #{sub.id} · {sub.schedule} {sub.timezone}"
            answer = await self.composer.recurring(
                sub.topic_slug,
                self.schedule_of(sub),
                window,
                quiet=sub.quiet and not preview,
                day=scheduled_for.astimezone(zone).date(),
                footer=" · ".join([label, *notes]),
                as_of=as_of,
            )
        return Composed(parts=split_answer(answer) if answer else [], through_change_id=through)

    async def preview(self, q: PreviewRequest, guild_id: int | None) -> list[Answer]:
        """A digest as it would be posted now (or as of a day), shown only to the person who asked."""
        now = self.clock()
        if q.id is not None:
            if guild_id is None:
                sub = await self.digests.subscription(q.id)
                if sub is None:
                    raise NotFound(f"There is no digest #{q.id}.")
            else:
                sub = await self.owned(q.id, guild_id)
            return (await self.compose(sub, now, as_of=q.as_of, preview=True)).parts
        assert q.event is not None
        assert q.after is not None
        briefing = self.composer.briefing(q.topic or self.default_topic)
        topic = await briefing.topic()
        event_id = await briefing.resolve(topic, "event", q.event)
        today = now.astimezone(self.zone).date()
        answer = await self.composer.milestone(
            topic.slug,
            event_id,
            parse_after(q.after),
            footer="Milestone preview: nothing was posted",
            as_of=min(q.as_of, today) if q.as_of else today,
        )
        return split_answer(answer)
