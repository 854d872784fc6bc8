"""An answer's picture as Discord shows it: a PNG attachment, its description, and the embed's image.

The picture is an attachment (`discord.File` with a `description`, which Discord gives screen readers)
shown inside the first embed through `attachment://<filename>`. A reply never waits for a picture that is
not drawn yet: the text goes first, and the picture is added by editing the message when it is ready
(usually a few tens of milliseconds later; the first picture after a start also loads matplotlib in the
worker). A picture already drawn, as for an answer given again from the cache, goes with the text at once.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import discord

from bot.briefing.answer import Answer
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.pictures.painter import Painter
from bot.pictures.spec import Chart

log = logging.getLogger(__name__)


def painter_of(client: discord.Client) -> Painter | None:
    """The bot's painter (`Services.painter`); None for a client without services (tests of the edge alone)."""
    services = getattr(client, "services", None)
    return getattr(services, "painter", None)


def picture_file(chart: Chart, png: bytes) -> discord.File:
    """The picture as an attachment, with its one-sentence description for screen readers."""
    return discord.File(io.BytesIO(png), filename=chart.filename, description=chart.description)


def picture_embeds(answer: Answer) -> list[discord.Embed]:
    """The answer's embeds with the picture shown in the first; rendered once per answer, like the embeds."""

    def render(a: Answer) -> list[discord.Embed]:
        embeds = list(render_embeds(a))
        if a.chart is not None and embeds:
            first = discord.Embed.from_dict(embeds[0].to_dict())
            first.set_image(url=f"attachment://{a.chart.filename}")
            embeds[0] = first
        return embeds

    return list(answer.rendered(("embeds", "picture"), render))


def ready_picture(client: discord.Client, answer: Answer) -> discord.File | None:
    """The answer's picture as a file if it is already drawn, so that it can go with the text."""
    painter = painter_of(client)
    if answer.chart is None or painter is None:
        return None
    png = painter.cached(answer.chart)
    return picture_file(answer.chart, png) if png is not None else None


async def add_picture_later(interaction: discord.Interaction[Any], answer: Answer) -> None:
    """Draw the answer's picture and add it to the response already shown; a failure leaves the text alone."""
    painter = painter_of(interaction.client)
    if answer.chart is None or painter is None:
        return
    png = await painter.png(answer.chart)
    if png is None:
        return
    try:
        await interaction.edit_original_response(
            embeds=picture_embeds(answer),
            attachments=[picture_file(answer.chart, png)],
            allowed_mentions=NO_MENTIONS,
        )
    except discord.HTTPException:
        log.warning("could not add the picture %r to an answer", answer.chart.filename, exc_info=True)
