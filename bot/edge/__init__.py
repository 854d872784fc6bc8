"""Everything that speaks discord.py: the bot class, interaction plumbing, embeds, the channel poster.

Nothing else under `bot/` may import `discord`, `cogs` or this package (ruff's TID251 enforces it), so the
domain (models, store, briefing, curation, digests) stays testable and usable without Discord: the
console, the CLI and the benchmarks run it as the bot does. The cogs under `cogs/` sit on top of this.
"""
