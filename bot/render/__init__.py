"""Turning a render-neutral `Answer` into what a channel shows: Discord embeds or console text.

`NO_MENTIONS` lives here because every message the bot posts must use it: statements quote people, and
a quoted `@everyone` or `<@id>` must be shown as written without pinging anyone. Text is never escaped
for this; `allowed_mentions` is what Discord honours, and escaping would change what readers see.
"""

from __future__ import annotations

import discord

from bot.render.embeds import render_embeds
from bot.render.text import plain_moments, render_text

NO_MENTIONS = discord.AllowedMentions.none()

__all__ = ["NO_MENTIONS", "plain_moments", "render_embeds", "render_text"]
