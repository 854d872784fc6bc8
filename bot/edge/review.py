"""The review message under each article read: its controls, the form that edits a candidate, and its poster.

An article's candidates are posted by `DiscordReviewPoster` as one message, numbered, with menus to approve,
reject or edit (then approve) the chosen ones of the page shown, buttons to approve every one still waiting
or reject the rest, page buttons when they fill more than a page, and a menu of the new names the page's
candidates offer, each to add to the dossier or turn down with one choice. Every control is a stateless
`DynamicItem` whose custom id carries the review message and the page, so they keep working after a
restart, like the timeline's page buttons. Only moderators may use them; anyone else is told so,
privately, and nothing changes. After each decision the message shows who decided what for each number,
and once none waits its controls go. Messages posted one per candidate, before, keep their Approve, Edit
and Reject buttons (`ReviewButton`). It lives at the edge, apart from the /feed and /source commands that
start the poller which posts through it, so that each reads as one thing.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any, Literal, cast

import discord

from bot.curation.models import FactFields
from bot.curation.service import Curator
from bot.edge.app import BriefBot
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.forms import FactModal, TopicWrites
from bot.edge.interactions import author, report_error, tell
from bot.edge.permissions import ensure_moderator, may_write
from bot.edge.poster import discord_failures
from bot.errors import UserError
from bot.intake.review import Review, ReviewPage
from bot.render.growth import name_label
from bot.store.intake import CandidateRecord

#: Everything a review button needs, in its custom id: on a message of one candidate (posted before
#: review messages gathered an article's), and on a review message (the message and its page shown).
REVIEW_BUTTON = r"intake:(?P<action>approve|edit|reject):(?P<id>\d+)"
REVIEW_PICK = r"intake:pick:(?P<action>approve|reject|edit):(?P<review>\d+):(?P<page>\d+)"
REVIEW_ALL = r"intake:all:(?P<action>approve|reject):(?P<review>\d+):(?P<page>\d+)"
REVIEW_PAGE = r"intake:page:(?P<review>\d+):(?P<page>\d+)"
#: The new names a review page offers (issue 24): each chosen is added to the dossier, or turned down.
REVIEW_NAMES = r"intake:names:(?P<review>\d+):(?P<page>\d+)"
#: Names offered in one menu: an "add" and a "not for this dossier" choice each, within a menu's 25.
MAX_NAMES = 12
_PICKS = {
    "approve": "Approve the chosen numbers…",
    "reject": "Reject the chosen numbers…",
    "edit": "Edit one, then approve it…",
}
_ALL = {
    "approve": ("Approve all waiting", discord.ButtonStyle.success),
    "reject": ("Reject the rest", discord.ButtonStyle.danger),
}
_BUTTONS = {
    "approve": ("Approve", discord.ButtonStyle.success),
    "edit": ("Edit", discord.ButtonStyle.secondary),
    "reject": ("Reject", discord.ButtonStyle.danger),
}
REFUSED = "Only moderators can decide on candidates; you can suggest facts with `/fact propose`."


def review_of(interaction: discord.Interaction[Any]) -> Review:
    """The review service of the bot an interaction reached: a control keeps no state of its own."""
    return cast(BriefBot, interaction.client).services.intake.review


class ModeratorsOnly:
    """A review control's check: moderators only; anyone else is told privately and nothing changes."""

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Run by discord.py before the callback; a refusal is answered here."""
        if may_write(interaction):
            return True
        await tell(interaction, REFUSED)
        return False


class ReviewButton(ModeratorsOnly, discord.ui.DynamicItem[discord.ui.Button[Any]], template=REVIEW_BUTTON):
    """One decision on one candidate; its state is its custom id, so it works for as long as the message exists."""

    def __init__(self, action: str, candidate_id: int) -> None:
        label, style = _BUTTONS[action]
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"intake:{action}:{candidate_id}"))
        self.action = action
        self.candidate_id = candidate_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewButton:
        """The button a press came from, rebuilt from its custom id."""
        return cls(match["action"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Approve, reject, or open the fact form; discord.py only logs what a dynamic item raises, so answer here."""
        try:
            review = review_of(interaction)
            if self.action == "edit":
                candidate = await review.candidate(self.candidate_id)
                if candidate.status != "pending":
                    raise UserError(f"Candidate #{candidate.id} was {candidate.status} already.")
                bot = cast(BriefBot, interaction.client)
                curator = bot.services.curator_for(await bot.services.topics.slug_of(candidate.topic_id))
                await interaction.response.send_modal(CandidateModal(bot, candidate, curator))
                return
            who = author(interaction)
            if self.action == "approve":
                decided = await review.approve(self.candidate_id, who)
            else:
                decided = await review.reject(self.candidate_id, who)
            await interaction.response.edit_message(
                embeds=render_embeds(await review.answer(decided)), view=None, allowed_mentions=NO_MENTIONS
            )
        except Exception as error:
            await report_error(interaction, error)


def review_view(page: ReviewPage) -> discord.ui.View | None:
    """A review message's controls for the page shown; none once every candidate is decided."""
    if not page.waiting:
        return None
    view = discord.ui.View(timeout=None)
    choices = page.choices()
    if choices:
        for action in _PICKS:
            view.add_item(ReviewPick(action, page.review_id, page.page, choices))
    for action in _ALL:
        view.add_item(ReviewAll(action, page.review_id, page.page))
    if page.pages > 1:
        view.add_item(ReviewPageButton(page.review_id, page.page - 1, "◀ Page", disabled=page.page == 1))
        view.add_item(ReviewPageButton(page.review_id, page.page + 1, "Page ▶", disabled=page.page == page.pages))
    if page.names:
        view.add_item(NameMenu(page.review_id, page.page, page))
    return view


async def _show(interaction: discord.Interaction[Any], page: ReviewPage, notes: list[str] | None = None) -> None:
    """The review message redrawn as it now stands, and what was left undecided told to the moderator alone."""
    await interaction.response.edit_message(
        embeds=render_embeds(page.answer), view=review_view(page), allowed_mentions=NO_MENTIONS
    )
    if notes:
        await interaction.followup.send("\n".join(notes)[:1900], ephemeral=True, allowed_mentions=NO_MENTIONS)


async def _decide(
    interaction: discord.Interaction[Any], action: str, review_id: int, page: int, chosen: list[int] | None
) -> None:
    """Approve or reject the chosen candidates of a review message (None: all still waiting), then redraw it."""
    verdict: Literal["approve", "reject"] = "approve" if action == "approve" else "reject"
    shown, notes = await review_of(interaction).decide(review_id, verdict, author(interaction), chosen, page=page)
    await _show(interaction, shown, notes)


class ReviewPick(ModeratorsOnly, discord.ui.DynamicItem[discord.ui.Select[Any]], template=REVIEW_PICK):
    """Approve, reject or edit the numbers chosen on one page of a review message; the choice is the press."""

    def __init__(
        self, action: str, review_id: int, page: int, choices: list[tuple[int, int, str]] | None = None
    ) -> None:
        options = [
            discord.SelectOption(label=f"{number}. {statement}"[:100], value=str(candidate_id))
            for candidate_id, number, statement in choices or []
        ]
        single = action == "edit"
        super().__init__(
            discord.ui.Select(
                custom_id=f"intake:pick:{action}:{review_id}:{page}",
                placeholder=_PICKS[action],
                options=options,
                min_values=1,
                max_values=1 if single else max(1, len(options)),
            )
        )
        self.action = action
        self.review_id = review_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewPick:
        """The menu a choice came from, rebuilt from its custom id (the choice is in the interaction)."""
        return cls(match["action"], int(match["review"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Decide the chosen candidates, or open the fact form on the one chosen; answer here, always."""
        try:
            chosen = [int(v) for v in cast(dict[str, Any], interaction.data or {}).get("values", [])]
            if not chosen:
                raise UserError("Choose at least one number.")
            bot = cast(BriefBot, interaction.client)
            review = bot.services.intake.review
            if self.action == "edit":
                candidate = await review.candidate(chosen[0])
                if candidate.status != "pending":
                    raise UserError(f"Candidate #{candidate.id} was {candidate.status} already.")
                curator = bot.services.curator_for(await bot.services.topics.slug_of(candidate.topic_id))
                modal = CandidateModal(bot, candidate, curator, shown=(self.review_id, self.page))
                await interaction.response.send_modal(modal)
                return
            await _decide(interaction, self.action, self.review_id, self.page, chosen)
        except Exception as error:
            await report_error(interaction, error)


class ReviewAll(ModeratorsOnly, discord.ui.DynamicItem[discord.ui.Button[Any]], template=REVIEW_ALL):
    """Approve every candidate of a review message still waiting, or reject them: for one who has read it."""

    def __init__(self, action: str, review_id: int, page: int) -> None:
        label, style = _ALL[action]
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"intake:all:{action}:{review_id}:{page}")
        )
        self.action = action
        self.review_id = review_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewAll:
        """The button a press came from, rebuilt from its custom id."""
        return cls(match["action"], int(match["review"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Decide every waiting candidate; those refused (near-duplicates) stay, and the moderator hears why."""
        try:
            await _decide(interaction, self.action, self.review_id, self.page, None)
        except Exception as error:
            await report_error(interaction, error)


class ReviewPageButton(ModeratorsOnly, discord.ui.DynamicItem[discord.ui.Button[Any]], template=REVIEW_PAGE):
    """Turns a review message to another page of its candidates."""

    def __init__(self, review_id: int, page: int, label: str = "Page", *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"intake:page:{review_id}:{page}",
                disabled=disabled,
            )
        )
        self.review_id = review_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewPageButton:
        """The button a press came from, rebuilt from its custom id."""
        return cls(int(match["review"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the page asked for, as it stands now."""
        try:
            await _show(interaction, await review_of(interaction).page(self.review_id, self.page))
        except Exception as error:
            await report_error(interaction, error)


class NameMenu(ModeratorsOnly, discord.ui.DynamicItem[discord.ui.Select[Any]], template=REVIEW_NAMES):
    """The page's new names: choosing "Add X" adds X to the dossier, "X: not for this dossier" never offers it again."""

    def __init__(self, review_id: int, page: int, shown: ReviewPage | None = None) -> None:
        options: list[discord.SelectOption] = []
        seen: set[str] = set()
        for offered in shown.names if shown else []:
            name = offered.name
            if name.name in seen or len(seen) == MAX_NAMES:
                continue
            seen.add(name.name)
            key = f"{offered.candidate_id}:{offered.index}"
            what = name_label(asdict(name))
            options.append(discord.SelectOption(label=f"Add {what}"[:100], value=f"add:{key}"))
            options.append(discord.SelectOption(label=f"{name.name}: not for this dossier"[:100], value=f"no:{key}"))
        super().__init__(
            discord.ui.Select(
                custom_id=f"intake:names:{review_id}:{page}",
                placeholder="New names: add to the dossier, or turn down…",
                options=options or [discord.SelectOption(label="none", value="none")],
                min_values=1,
                max_values=max(1, len(options)),
            )
        )
        self.review_id = review_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NameMenu:
        """The menu a choice came from, rebuilt from its custom id (the choice is in the interaction)."""
        return cls(int(match["review"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Add or turn down each name chosen, then redraw the page; what was done is told to the moderator."""
        try:
            bot = cast(BriefBot, interaction.client)
            review = bot.services.intake.review
            notes = []
            for value in cast(dict[str, Any], interaction.data or {}).get("values", []):
                action, candidate_id, index = str(value).split(":")
                candidate = await review.candidate(int(candidate_id))
                topic = await bot.services.topics.slug_of(candidate.topic_id)
                try:
                    notes.append(
                        await review.adoption.press(
                            candidate, topic, int(index), author(interaction), add=action == "add"
                        )
                    )
                except UserError as refused:
                    notes.append(str(refused))
            await _show(interaction, await review.page(self.review_id, self.page), notes)
        except Exception as error:
            await report_error(interaction, error)


class CandidateModal(FactModal):
    """The fact form prefilled with a candidate; submitting approves the candidate as edited, in its topic."""

    def __init__(
        self, bot: BriefBot, candidate: CandidateRecord, curator: Curator, *, shown: tuple[int, int] | None = None
    ) -> None:
        values = dict(candidate.fields)
        super().__init__(
            TopicWrites(curator.briefing, curator), values, None, title=f"Edit candidate #{candidate.id}, then approve"
        )
        self.review = bot.services.intake.review
        self.candidate_id = candidate.id
        #: The review message and page it was opened from, redrawn once it is approved.
        self.shown = shown

    async def save(self, interaction: discord.Interaction[Any], fields: FactFields) -> None:
        """Approve the candidate as edited, and show the decision on its review message."""
        ensure_moderator(interaction)
        decided = await self.review.approve(self.candidate_id, author(interaction), fields)
        if self.shown is not None and interaction.message is not None:
            await _show(interaction, await self.review.page(*self.shown))
            return
        embeds = render_embeds(await self.review.answer(decided))
        if interaction.message is not None:
            await interaction.response.edit_message(embeds=embeds, view=None, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(
                f"Saved fact #{decided.fact_id}.", embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS
            )


class DiscordReviewPoster:
    """Posts review messages with their controls, and alerts, into channels; nothing posted can ping anyone."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post_review(self, channel_id: int, page: ReviewPage, nonce: str) -> int:
        """An article's review message; the nonce makes a repeat return the first message, not a second.

        A channel gone or forbidden raises `Undeliverable`, so review waits for a working one.
        """
        channel = self.client.get_partial_messageable(channel_id)
        with discord_failures(channel_id, "post"):
            message = await channel.send(
                embeds=render_embeds(page.answer),
                view=review_view(page) or discord.utils.MISSING,
                nonce=nonce,
                allowed_mentions=NO_MENTIONS,
            )
        return message.id

    async def update_review(self, channel_id: int, message_id: int, page: ReviewPage) -> None:
        """A review message again, as it stands now (another outlet reported a claim on it too)."""
        message = self.client.get_partial_messageable(channel_id).get_partial_message(message_id)
        with discord_failures(channel_id, "edit"):
            await message.edit(
                embeds=render_embeds(page.answer), view=review_view(page) or None, allowed_mentions=NO_MENTIONS
            )

    async def alert(self, channel_id: int, text: str) -> None:
        """A note for moderators."""
        await self.client.get_partial_messageable(channel_id).send(text, allowed_mentions=NO_MENTIONS)
