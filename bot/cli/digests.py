"""`briefbot digest …`: read a digest in the terminal, or post the due ones without running the bot.

`preview` needs no Discord: it prints what would be posted, as the console prints answers. `run-due`
posts through the same ledger as the running bot, so running it beside the bot, or twice, posts each
digest once; it suits a host where the bot is down and a cron job should keep digests going.
"""

from __future__ import annotations

import argparse

from bot.briefing.queries import build
from bot.config import ConfigError, Settings
from bot.digests.models import PreviewRequest
from bot.edge.poster import run_due_once
from bot.edge.run import login_failures
from bot.render import render_text
from bot.services import open_services


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `digest preview` and `digest run-due` to the `briefbot` command."""
    digest = sub.add_parser("digest", help="scheduled digests: preview one, or post those due now")
    actions = digest.add_subparsers(dest="digest_command", required=True)
    preview = actions.add_parser("preview", help="print a digest without posting it")
    preview.add_argument("--id", type=int, help="a subscription's digest as it would be posted now")
    preview.add_argument("--event", help="an event, for a milestone digest (with --after)")
    preview.add_argument("--after", help="how long after the event: 30d, 2 weeks, 1 month")
    preview.add_argument("--as-of", dest="as_of", help="only what was dated on or before this day (YYYY-MM-DD)")
    preview.add_argument("--topic", help="the event's topic, by slug or title (default: DEFAULT_TOPIC)")
    actions.add_parser("run-due", help="post every digest due now, once (needs DISCORD_TOKEN)")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run a `digest` subcommand; a problem the user can fix is a `UserError`, one line from `main`."""
    if args.digest_command == "run-due" and settings.discord_token is None:
        raise ConfigError.of("DISCORD_TOKEN", "not set; posting digests needs the bot's token")
    services = await open_services(settings)
    try:
        if args.digest_command == "preview":
            named = getattr(args, "topic", None)
            topic = (await services.topics.named(named)).slug if named else None
            q = build(PreviewRequest, id=args.id, event=args.event, after=args.after, as_of=args.as_of, topic=topic)
            parts = await services.digests.preview(q, None)
            print("\n\n".join(render_text(part) for part in parts))
            return 0
        with login_failures(settings):
            outcomes = await run_due_once(services)
    finally:
        await services.close()
    for outcome in outcomes:
        late = " (late)" if outcome.late else ""
        detail = f": {outcome.detail}" if outcome.detail else ""
        print(
            f"digest #{outcome.subscription_id} due {outcome.scheduled_for.isoformat()}: {outcome.status}{late}{detail}"
        )
    if not outcomes:
        print("no digest is due")
    return 1 if any(o.status == "failed" for o in outcomes) else 0
