"""Turning a render-neutral `Answer` into text: the console, the CLI and digest previews print this.

Discord's embeds are drawn at the edge (`bot.edge.embeds`) from the same entries (`citation_entry`,
`line_entry`), so an answer reads the same in a terminal as in a channel.
"""

from __future__ import annotations

from bot.render.text import plain_markup, plain_moments, render_text

__all__ = ["plain_markup", "plain_moments", "render_text"]
