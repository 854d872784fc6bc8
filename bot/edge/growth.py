"""The buttons that add a candidate's new name to the dossier with one press, or turn it down for good.

They sit on a candidate's review message under Approve, Edit and Reject, one row per name (at most four,
Discord's five rows less the decision row). Like the review buttons they are stateless `DynamicItem`s:
the custom id carries the action, the candidate and the name's place in its proposals, so a press works
after a restart. Only moderators may press them; the message is redrawn without the name afterwards.
"""

from __future__ import annotations

import re
from typing import Any, cast

import discord

from bot.edge.app import BriefBot
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.interactions import author, report_error, tell
from bot.edge.permissions import may_write
from bot.intake.names import NewName
from bot.store.intake import CandidateRecord

NAME_BUTTON = r"grow:(?P<action>add|no):(?P<id>\d+):(?P<index>\d+)"
#: Rows left under the decision row.
MAX_NAMES = 4
REFUSED = "Only moderators can add names to the dossier."


def add_name_buttons(
    view: discord.ui.View, candidate: CandidateRecord, offered: list[NewName], proposed: list[str]
) -> None:
    """A pair of buttons (add, turn down) for each name still offered, keyed by its place among those proposed."""
    for name in offered[:MAX_NAMES]:
        index = proposed.index(name.name)
        view.add_item(NameButton("add", candidate.id, index, name.name))
        view.add_item(NameButton("no", candidate.id, index, name.name))


class NameButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=NAME_BUTTON):
    """Add one new name, or turn it down; its state is its custom id."""

    def __init__(self, action: str, candidate_id: int, index: int, name: str = "") -> None:
        label = f"Add {name}"[:80] if action == "add" else f"{name}: not for this dossier"[:80]
        style = discord.ButtonStyle.primary if action == "add" else discord.ButtonStyle.secondary
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=style, custom_id=f"grow:{action}:{candidate_id}:{index}", row=1 + index % MAX_NAMES
        )
        super().__init__(button)
        self.action, self.candidate_id, self.index = action, candidate_id, index

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NameButton:
        """The button a press came from, rebuilt from its custom id."""
        return cls(match["action"], int(match["id"]), int(match["index"]))

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Moderators only; anyone else is told privately and nothing changes."""
        if may_write(interaction):
            return True
        await tell(interaction, REFUSED)
        return False

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Add or turn down the name, then redraw the review message with what is still offered."""
        try:
            bot = cast(BriefBot, interaction.client)
            review = bot.services.intake.review
            candidate = await review.candidate(self.candidate_id)
            topic = await bot.services.topics.slug_of(candidate.topic_id)
            said = await review.adoption.press(
                candidate, topic, self.index, author(interaction), add=self.action == "add"
            )
            view = discord.ui.View(timeout=None)
            if interaction.message is not None:
                # The decision buttons stay as they were; the names are drawn again.
                for item in discord.ui.View.from_message(interaction.message, timeout=None).children:
                    if not str(getattr(item, "custom_id", "")).startswith("grow:"):
                        view.add_item(item)
            await with_names(view, bot, candidate)
            await interaction.response.edit_message(
                embeds=render_embeds(await review.answer(candidate)), view=view, allowed_mentions=NO_MENTIONS
            )
            await interaction.followup.send(said, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except Exception as error:
            await report_error(interaction, error)


async def with_names(view: discord.ui.View, bot: BriefBot, candidate: CandidateRecord) -> discord.ui.View:
    """A review message's buttons, with a pair for each new name a pending candidate still offers."""
    if candidate.status == "pending":
        review = bot.services.intake.review
        proposals = await review.adoption.proposals(candidate.topic_id, candidate.fields["statement"])
        proposed = [n["name"] for n in proposals.get("names", [])]
        add_name_buttons(view, candidate, await review.offered(candidate), proposed)
    return view
