"""`briefbot feed poll` and `briefbot source add`: intake from the command line, on the same store as the bot.

Candidates found here are queued in the store; the running bot posts them to the review channel at its
next round (every FEED_POLL_MINUTES, and at start), since posting needs the gateway's buttons.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.errors import UserError
from bot.intake.feeds import PollOutcome
from bot.intake.fetch import MAX_BYTES
from bot.intake.models import SourceAddRequest
from bot.services import open_services

QUEUED = "queued for review: the bot posts them to the review channel at its next round or start"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `feed poll` and `source add` to the `briefbot` command."""
    feed = sub.add_parser("feed", help="followed feeds: poll them now")
    feed_actions = feed.add_subparsers(dest="feed_command", required=True)
    poll = feed_actions.add_parser("poll", help="poll every active feed (or one) now, as the bot's round does")
    poll.add_argument("--id", type=int, help="only this feed (as /feed list numbers it), even if paused")
    source = sub.add_parser("source", help="single articles")
    source_actions = source.add_subparsers(dest="source_command", required=True)
    add = source_actions.add_parser("add", help="read one article (a URL, or an HTML or text file) into candidates")
    add.add_argument("target", metavar="URL|FILE")
    add.add_argument("--reliability", default="C", choices=list("ABCDEF"), help="Admiralty grade (default C)")
    add.add_argument("--topic", help="the topic its candidates are about, by slug or title (default: DEFAULT_TOPIC)")


def _read(target: str) -> tuple[str, bytes]:
    path = Path(target)
    if not path.is_file():
        raise UserError(f"{target} is neither an http(s) URL nor a file")
    if path.stat().st_size > MAX_BYTES:
        raise UserError(f"{target} is over {MAX_BYTES // 1024} KiB")
    return path.name, path.read_bytes()


def _line(outcome: PollOutcome) -> str:
    if outcome.status == "failed":
        return f"feed #{outcome.feed_id} ({outcome.title}): failed: {outcome.error}"
    if outcome.status == "unchanged":
        return f"feed #{outcome.feed_id} ({outcome.title}): unchanged"
    return (
        f"feed #{outcome.feed_id} ({outcome.title}): {outcome.items} items, {outcome.new_items} new,"
        f" {outcome.candidates} candidates"
    )


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `feed poll` or `source add`; a problem the user can fix is one line on standard error (status 1)."""
    services = await open_services(settings)
    try:
        intake = services.intake
        if args.command == "feed":
            feeds = intake.feeds
            outcomes = [await feeds.poll(args.id)] if args.id else await feeds.round(ignore_backoff=True)
            for polled in outcomes:
                print(_line(polled))
            if not outcomes:
                print("no active feed; add one with /feed add in Discord")
            fresh = sum(o.candidates for o in outcomes)
            if fresh:
                print(f"{fresh} candidates {QUEUED}")
            return 1 if any(o.status == "failed" for o in outcomes) else 0
        target: str = args.target
        topic = (await services.topics.named(args.topic)).slug if args.topic else None
        if target.startswith(("http://", "https://")):
            q = SourceAddRequest(url=target, reliability=args.reliability)
            outcome = await intake.proposing.add_source(q, file=None, channel_id=None, topic=topic)
        else:
            q = SourceAddRequest(reliability=args.reliability)
            data = await asyncio.to_thread(_read, target)
            outcome = await intake.proposing.add_source(q, file=data, channel_id=None, topic=topic)
        if outcome.status == "duplicate":
            print(f"{outcome.title}: read before (same address or text); nothing new")
        elif outcome.status == "skipped":
            print(f"{outcome.title}: {outcome.detail}")
        else:
            print(f"{outcome.title}: {outcome.candidates} candidates {QUEUED}")
        return 0
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        await services.close()
