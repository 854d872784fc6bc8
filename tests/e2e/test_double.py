"""The Discord double, proven with a small real discord.py bot: every interaction type round-trips.

The bot below is deliberately ordinary (``commands.Bot``, default intents, no mentions) so that what works
here works for briefbot. It points discord.py at the double the two ways a real deployment needs:
``Route.BASE`` for REST and, in ``setup_hook``, the gateway URL from ``GET /gateway/bot``.
"""

from __future__ import annotations

import asyncio
import io
import time
from dataclasses import dataclass

import aiohttp
import discord
import pytest
import pytest_asyncio
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from tests.discord_double import DiscordDouble, DoubleMessage, Guild, InteractionRefused, run_client
from tests.discord_double.world import Channel, Member

pytestmark = pytest.mark.asyncio(loop_scope="module")

ACTORS = ["junta", "tatmadaw", "NUG", "PDF", "Arakan Army", "TNLA"]


class Feedback(discord.ui.Modal, title="Feedback"):
    summary = discord.ui.TextInput(label="Summary", custom_id="summary", max_length=100)
    detail = discord.ui.TextInput(label="Detail", custom_id="detail", style=discord.TextStyle.paragraph, required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.summary.value} / {self.detail.value}", ephemeral=True)


class Vote(discord.ui.View):
    @discord.ui.button(label="Agree", custom_id="vote:agree", style=discord.ButtonStyle.success)
    async def agree(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"agreed by {interaction.user.name}", view=None)


class DoubleBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            guild_ready_timeout=0.05,
        )
        self.guild = discord.Object(id=guild_id)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY (Discord's identify limit); the double has none."""

    async def setup_hook(self) -> None:
        # commands.Bot (unlike AutoShardedBot) never asks GET /gateway/bot: it dials DEFAULT_GATEWAY.
        _, url, _ = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        self.tree.add_command(fact)
        for command in (echo, slow, actor, feedback, post, sleepy, admin, report, inspect, mirror):
            self.tree.add_command(command)
        self.tree.copy_global_to(guild=self.guild)
        await self.tree.sync(guild=self.guild)


@app_commands.command(description="Say it back")
async def echo(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(f"echo: {text} {interaction.user.mention}")


@app_commands.command(description="Defer, then edit")
async def slow(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    await asyncio.sleep(0.01)
    await interaction.edit_original_response(embed=discord.Embed(title="Slow", description="finished"))


async def actor_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=a, value=a) for a in ACTORS if current.lower() in a.lower()][:25]


@app_commands.command(description="Look up an actor")
@app_commands.autocomplete(name=actor_names)
async def actor(interaction: discord.Interaction, name: str) -> None:
    await interaction.response.send_message(f"actor {name}")


@app_commands.command(description="Open the feedback form")
async def feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(Feedback())


@app_commands.command(description="Post a vote to the channel")
async def post(interaction: discord.Interaction, nonce: str) -> None:
    assert isinstance(interaction.channel, discord.TextChannel)
    await interaction.channel.send("Do you agree?", view=Vote(), nonce=nonce)
    await interaction.response.send_message("posted", ephemeral=True)


@app_commands.command(description="Answers too late")
async def sleepy(interaction: discord.Interaction) -> None:
    await asyncio.sleep(0.3)
    await interaction.response.send_message("finally")


@app_commands.command(description="Moderators only")
@app_commands.default_permissions(manage_guild=True)
async def admin(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("ok")


@app_commands.command(description="Attach a file, then follow up")
async def report(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("report attached", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), "r.csv"))
    await interaction.followup.send("and a follow-up", ephemeral=True)


@app_commands.command(description="Read an attached file")
async def inspect(interaction: discord.Interaction, file: discord.Attachment, limit_kib: int = 1024) -> None:
    if file.size > limit_kib * 1024:  # decide from the size Discord reports, before downloading anything
        await interaction.response.send_message(f"{file.filename} is too big ({file.size} bytes)", ephemeral=True)
        return
    data = await file.read()
    first = data.decode().splitlines()[0] if data else ""
    await interaction.response.send_message(f"{file.filename}: {len(data)} bytes, first line {first!r}")


@app_commands.command(description="Send an attached file back")
async def mirror(interaction: discord.Interaction, file: discord.Attachment) -> None:
    await interaction.response.defer(thinking=True)
    data = await file.read()
    await interaction.followup.send(f"copy of {file.filename}", file=discord.File(io.BytesIO(data), "copy.yaml"))


fact = app_commands.Group(name="fact", description="Facts")


@fact.command(name="show", description="Show a fact")
async def fact_show(interaction: discord.Interaction, id: app_commands.Range[int, 1, 1000]) -> None:
    await interaction.response.send_message(f"fact #{id}", ephemeral=True)


@dataclass
class World:
    double: DiscordDouble
    guild: Guild
    channel: Channel
    alice: Member
    bot: DoubleBot


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(discord_double_server: DiscordDouble):
    double = discord_double_server
    guild = double.add_guild("ops")
    channel = guild.add_channel("briefing")
    alice = guild.add_member("alice")
    discord.http.Route.BASE = double.api_base
    async with run_client(double, DoubleBot(guild.id)) as bot:
        yield World(double, guild, channel, alice, bot)


async def test_startup_is_clean_and_syncs_once(world: World, discord_double: DiscordDouble) -> None:
    assert world.bot.is_ready()
    assert world.bot.get_guild(world.guild.id) is not None
    assert discord_double.schema_violations == []
    assert discord_double.unknown_routes == []
    assert discord_double.command_puts == {world.guild.id: 1}
    names = sorted(c["name"] for c in discord_double.commands(world.guild))
    assert names == [
        "actor",
        "admin",
        "echo",
        "fact",
        "feedback",
        "inspect",
        "mirror",
        "post",
        "report",
        "sleepy",
        "slow",
    ]
    assert {(r.method, r.route) for r in discord_double.requests} >= {
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
        ("GET", "/gateway/bot"),
        ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"),
    }


async def test_slash_reply_round_trips(world: World, discord_double: DiscordDouble) -> None:
    result = await discord_double.slash(world.guild, world.channel, world.alice, "echo", {"text": "hi"})
    assert (await result.response()).type == 4
    assert not result.ephemeral
    assert result.text == f"echo: hi {world.alice.mention}"
    shown = await result.final()
    assert shown in discord_double.messages(world.channel)
    assert shown.allowed_mentions == {"parse": []}
    assert not shown.pings, "AllowedMentions.none() must stop the mention from pinging"


async def test_subcommand_with_typed_option(world: World, discord_double: DiscordDouble) -> None:
    result = await discord_double.slash(world.guild, world.channel, "alice", "fact show", {"id": 3})
    assert result.ephemeral
    assert result.text == "fact #3"
    with pytest.raises(ValueError, match=r"outside 1\.\.1000"):
        await discord_double.slash(world.guild, world.channel, "alice", "fact show", {"id": 0})
    with pytest.raises(ValueError, match="no option"):
        await discord_double.slash(world.guild, world.channel, "alice", "fact show", {"ident": 3})


async def test_defer_then_edit(world: World, discord_double: DiscordDouble) -> None:
    result = await discord_double.slash(world.guild, world.channel, world.alice, "slow")
    assert result.response_type == 5
    assert result.ephemeral
    final = await result.final()
    assert not final.loading
    assert final.embeds[0]["title"] == "Slow"
    assert "finished" in result.text


async def test_file_upload_and_followup(world: World, discord_double: DiscordDouble) -> None:
    result = await discord_double.slash(world.guild, world.channel, world.alice, "report")
    shown = await result.final()
    assert shown.content == "report attached"
    assert [(a["filename"], a["size"]) for a in shown.attachments] == [("r.csv", 8)]
    assert result.files == shown.files == [("r.csv", b"a,b\n1,2\n")]
    [followup] = await result.wait_followups(1)
    assert followup.ephemeral
    assert followup.content == "and a follow-up"
    callback = discord_double.requests_to("POST", rf"/interactions/{result.id}/.+/callback")[0]
    assert callback.files == ["files[0]"]
    assert callback.json["data"]["attachments"][0]["filename"] == "r.csv"


async def test_attachment_option_is_downloaded_from_the_double(world: World, discord_double: DiscordDouble) -> None:
    content = b"name: ops\nfacts: []\n"
    pack = discord_double.attachment("pack.yaml", content, content_type="text/yaml")
    result = await discord_double.slash(world.guild, world.channel, world.alice, "inspect", {"file": pack})
    assert result.text == f"pack.yaml: {len(content)} bytes, first line 'name: ops'"
    # As Discord sends it: the option holds the attachment id, resolved.attachments the object.
    [option] = result.payload["data"]["options"]
    attachment = result.payload["data"]["resolved"]["attachments"][option["value"]]
    assert (attachment["filename"], attachment["size"], attachment["content_type"]) == (
        "pack.yaml",
        len(content),
        "text/yaml",
    )
    download = discord_double.downloads[-1]
    assert (download.path, download.status) == (
        attachment["url"].split("?")[0].removeprefix(discord_double.cdn_base),
        200,
    )
    assert "Authorization" not in download.headers  # Attachment.read() goes to the CDN, not the API


async def test_big_attachment_is_judged_by_size(world: World, discord_double: DiscordDouble) -> None:
    big = discord_double.attachment("big.yaml", b"name: big", size=3 * 1024 * 1024)
    assert big.size == 3 * 1024 * 1024
    assert big.data.startswith(b"name: big\n# padding")
    downloads = len(discord_double.downloads)
    result = await discord_double.slash(world.guild, world.channel, world.alice, "inspect", {"file": big})
    assert result.text == f"big.yaml is too big ({3 * 1024 * 1024} bytes)"
    assert len(discord_double.downloads) == downloads, "the bot must not download what it rejects by size"
    result = await discord_double.slash(
        world.guild, world.channel, world.alice, "inspect", {"file": big, "limit_kib": 4096}
    )
    assert result.text == f"big.yaml: {3 * 1024 * 1024} bytes, first line 'name: big'"
    too_big = discord_double.attachment("huge.bin", size=discord_double.attachment_size_limit + 1)
    with pytest.raises(ValueError, match="attachment_size_limit"):
        await discord_double.slash(world.guild, world.channel, world.alice, "inspect", {"file": too_big})
    with pytest.raises(TypeError, match=r"double\.attachment"):
        await discord_double.slash(world.guild, world.channel, world.alice, "inspect", {"file": b"raw"})


async def test_file_round_trips_through_the_bot(world: World, discord_double: DiscordDouble) -> None:
    data = bytes(range(256)) * 64  # binary, so any re-encoding on the way would show
    upload = discord_double.attachment("in.yaml", data)
    result = await discord_double.slash(world.guild, world.channel, world.alice, "mirror", {"file": upload})
    shown = await result.final()
    assert shown.content == "copy of in.yaml"
    assert result.files == [("copy.yaml", data)]
    assert shown.attachments[0]["url"].startswith(discord_double.cdn_base)


async def test_channel_files_survive_edits_and_are_readable(world: World, discord_double: DiscordDouble) -> None:
    channel = world.bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send(
        files=[discord.File(io.BytesIO(b"one"), "1.txt"), discord.File(io.BytesIO(b"2"), "2.txt")]
    )
    assert [a.filename for a in sent.attachments] == ["1.txt", "2.txt"]
    assert await sent.attachments[0].read() == b"one"
    edited = await sent.edit(attachments=[sent.attachments[1], discord.File(io.BytesIO(b"three"), "3.txt")])
    stored = discord_double.message(sent.id)
    assert stored.files == [("2.txt", b"2"), ("3.txt", b"three")]
    assert [a.size for a in edited.attachments] == [1, 5]
    assert stored.attachments[0]["content_type"] == "text/plain; charset=utf-8"


async def test_bot_uploads_are_refused_as_discord_does(world: World, discord_double: DiscordDouble) -> None:
    deny = (0, discord.Permissions(attach_files=True))
    no_files = world.guild.add_channel("no-files", overwrites={world.guild.me: deny})
    with pytest.raises(discord.Forbidden):
        await world.bot.get_partial_messageable(no_files.id).send(file=discord.File(io.BytesIO(b"x"), "x.txt"))
    limit, discord_double.attachment_size_limit = discord_double.attachment_size_limit, 4
    try:
        with pytest.raises(discord.HTTPException) as refused:
            await world.bot.get_partial_messageable(world.channel.id).send(
                file=discord.File(io.BytesIO(b"12345"), "five.txt")
            )
        assert (refused.value.status, refused.value.code) == (413, 40005)
    finally:
        discord_double.attachment_size_limit = limit


async def test_autocomplete_returns_the_bots_choices(world: World, discord_double: DiscordDouble) -> None:
    result = await discord_double.autocomplete(
        world.guild, world.channel, world.alice, "actor", {"name": "tat"}, focused="name"
    )
    assert result.choice_names == ["tatmadaw"]
    answer = await discord_double.slash(world.guild, world.channel, world.alice, "actor", {"name": "tatmadaw"})
    assert answer.text == "actor tatmadaw"


async def test_modal_round_trip(world: World, discord_double: DiscordDouble) -> None:
    opened = await discord_double.slash(world.guild, world.channel, world.alice, "feedback")
    assert opened.response_type == 9
    assert opened.modal_fields == ["summary", "detail"]
    submitted = await discord_double.submit_modal(
        world.guild, world.channel, world.alice, opened, {"summary": "clear", "detail": "more"}
    )
    assert submitted.ephemeral
    assert submitted.text == "thanks: clear / more"
    with pytest.raises(ValueError, match="required"):
        await discord_double.submit_modal(world.guild, world.channel, world.alice, opened.modal["custom_id"], {})


async def test_button_on_posted_message(world: World, discord_double: DiscordDouble) -> None:
    result = await discord_double.slash(world.guild, world.channel, world.alice, "post", {"nonce": "vote-1"})
    assert result.text == "posted"
    vote: DoubleMessage = discord_double.messages(world.channel, include_ephemeral=False)[-1]
    assert vote.content == "Do you agree?"
    assert vote.custom_ids == ["vote:agree"]
    assert vote.bodies[0]["enforce_nonce"] is True
    pressed = await discord_double.press(world.guild, world.channel, world.alice, vote, "vote:agree")
    assert pressed.response_type == 7
    assert (await pressed.final()) is vote
    assert vote.content == "agreed by alice"
    assert vote.components == []


async def test_enforce_nonce_dedupes(world: World, discord_double: DiscordDouble) -> None:
    first = await discord_double.slash(world.guild, world.channel, world.alice, "post", {"nonce": "same"})
    second = await discord_double.slash(world.guild, world.channel, world.alice, "post", {"nonce": "same"})
    assert first.text == second.text == "posted"
    votes = [m for m in discord_double.messages(world.channel) if m.nonce == "same"]
    assert len(votes) == 1
    assert discord_double.nonce_dedupes == 1


async def test_429_on_callback_still_answers_once(world: World, discord_double: DiscordDouble) -> None:
    limit = discord_double.rate_limit("POST", r"/interactions/\d+/[^/]+/callback", times=1, retry_after=0.02)
    result = await discord_double.slash(world.guild, world.channel, world.alice, "echo", {"text": "limited"})
    assert limit.hits == 1
    assert len(result.callbacks) == 1
    assert len(discord_double.requests_to("POST", rf"/interactions/{result.id}/.+/callback")) == 2
    assert len([m for m in discord_double.messages(world.channel) if "limited" in m.content]) == 1


async def test_429_on_channel_post_delivers_once(world: World, discord_double: DiscordDouble) -> None:
    limit = discord_double.rate_limit("POST", r"/channels/\d+/messages", times=2, retry_after=0.02, scope="shared")
    channel = world.bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("through the limit")
    assert limit.hits == 2
    assert [m.id for m in discord_double.messages(world.channel) if m.content == "through the limit"] == [sent.id]


async def test_enforced_limits_include_discords_global_limit(world: World, discord_double: DiscordDouble) -> None:
    # Twelve channels with five posts each keep inside every channel's bucket; sixty in all is over 50 a second.
    channels = [world.guild.add_channel(f"global-{i}") for i in range(12)]
    discord_double.enforce_limits()
    try:
        start = time.monotonic()
        sent = await asyncio.gather(
            *(world.bot.get_partial_messageable(c.id).send(f"post {i}") for c in channels for i in range(5))
        )
        took = time.monotonic() - start
    finally:
        discord_double.enforce_limits(False)
    assert discord_double.ratelimits.limited_count > 0
    assert took >= 0.5  # the posts over the limit waited for the next one-second window
    assert sorted(m.id for c in channels for m in discord_double.messages(c)) == sorted(m.id for m in sent)


async def test_dropped_gateway_resumes_and_replays(world: World, discord_double: DiscordDouble) -> None:
    await discord_double.drop_gateway()
    # Sent while the client is away: Discord buffers it and replays it on RESUME, exactly once.
    during = await discord_double.slash(world.guild, world.channel, world.alice, "echo", {"text": "gap"}, wait=False)
    await discord_double.wait_resumed()
    assert (await during.response()).type == 4
    after = await discord_double.slash(world.guild, world.channel, world.alice, "echo", {"text": "back"})
    assert after.text.startswith("echo: back")
    assert len([m for m in discord_double.messages(world.channel) if "gap" in m.content]) == 1


async def test_abnormal_drop_resumes(world: World, discord_double: DiscordDouble) -> None:
    await discord_double.drop_gateway(code=None)
    await discord_double.wait_resumed()
    result = await discord_double.slash(world.guild, world.channel, world.alice, "echo", {"text": "again"})
    assert result.text.startswith("echo: again")


async def test_invalidated_session_reidentifies(world: World, discord_double: DiscordDouble) -> None:
    await discord_double.drop_gateway(resumable=False)
    await discord_double.wait_identified()
    result = await discord_double.slash(world.guild, world.channel, world.alice, "echo", {"text": "fresh"})
    assert result.text.startswith("echo: fresh")


async def test_late_callback_is_unknown_interaction(world: World, discord_double: DiscordDouble) -> None:
    discord_double.callback_deadline = 0.1
    try:
        result = await discord_double.slash(world.guild, world.channel, world.alice, "sleepy", wait=False)
        with pytest.raises(InteractionRefused, match="Unknown interaction"):
            await result.response()
    finally:
        discord_double.callback_deadline = 3.0


async def test_hidden_command_needs_permissions(world: World, discord_double: DiscordDouble) -> None:
    with pytest.raises(PermissionError, match="cannot see /admin"):
        await discord_double.slash(world.guild, world.channel, world.alice, "admin")
    owner = world.guild.member("owner")
    assert (await discord_double.slash(world.guild, world.channel, owner, "admin")).text == "ok"


async def test_schema_violation_is_caught(world: World, discord_double: DiscordDouble) -> None:
    if not discord_double.validator.available:
        pytest.skip(f"no Discord OpenAPI schema at {discord_double.validator.source}")
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=world.channel.id)
    with pytest.raises(discord.HTTPException) as raised:
        await world.bot.http.request(route, json={"content": 42, "nonce": "x" * 30})
    assert raised.value.status == 400
    assert raised.value.code == 50035
    violations = discord_double.take_schema_violations()
    assert [(v.operation, v.location) for v in violations] == [
        ("create_message", "$.content"),
        ("create_message", "$.nonce"),
    ]


@pytest.mark.discord_double(allow_unknown_routes=True)
async def test_unknown_route_is_recorded(world: World, discord_double: DiscordDouble) -> None:
    route = discord.http.Route("GET", "/channels/{channel_id}/webhooks", channel_id=world.channel.id)
    with pytest.raises(discord.NotFound):
        await world.bot.http.request(route)
    assert [r.path for r in discord_double.unknown_routes] == [f"/channels/{world.channel.id}/webhooks"]


async def test_every_message_body_carried_allowed_mentions(world: World, discord_double: DiscordDouble) -> None:
    posting = [
        r
        for r in discord_double.requests
        if r.method in ("POST", "PATCH") and r.status == 200 and isinstance(r.json, dict)
        if r.route
        in (
            "/channels/{channel_id}/messages",
            "/webhooks/{application_id}/{token}/messages/{message_id}",
            "/webhooks/{application_id}/{token}",
        )
        or (r.route == "/interactions/{interaction_id}/{token}/callback" and r.json.get("type") in (4, 7))
    ]
    assert len(posting) > 10
    lacking = [r for r in posting if "allowed_mentions" not in (r.json.get("data", r.json) or {})]
    assert lacking == []


@pytest.mark.asyncio(loop_scope="function")
async def test_autosharded_client_needs_only_route_base(fresh_discord_double: DiscordDouble) -> None:
    double = fresh_discord_double
    guild = double.add_guild("solo")
    discord.http.Route.BASE = double.api_base
    bot = commands.AutoShardedBot(
        command_prefix="!", intents=discord.Intents.default(), help_command=None, guild_ready_timeout=0.05
    )
    async with run_client(double, bot):
        assert bot.get_guild(guild.id) is not None
    assert ("GET", "/gateway/bot") in {(r.method, r.path) for r in double.requests}


@pytest.mark.asyncio(loop_scope="function")
async def test_several_shards_each_get_only_their_guilds_events_and_interactions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two clients, as two processes running shard 0 and shard 1 of 2, on one double. discord.py's two
    # process-wide endpoints are put back afterwards, for the module's double.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    async with DiscordDouble(shard_count=2) as double:
        guilds = [double.add_guild(f"on-{n}", shard=n) for n in (0, 1)]
        channels = [g.add_channel("general") for g in guilds]
        members = [g.add_member("alice") for g in guilds]
        discord.http.Route.BASE = double.api_base
        _, url, shards = await fetch_gateway_bot(double)
        assert shards == 2
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        seen: list[list[int]] = [[], []]

        def client(shard: int) -> commands.AutoShardedBot:
            bot = commands.AutoShardedBot(
                command_prefix="!",
                intents=discord.Intents.default(),
                help_command=None,
                guild_ready_timeout=0.05,
                shard_count=2,
                shard_ids=[shard],
            )

            @bot.tree.command(description="Say which shard answers")
            async def where(interaction: discord.Interaction) -> None:
                seen[shard].append(interaction.guild_id or 0)
                await interaction.response.send_message(f"shard {interaction.guild and interaction.guild.shard_id}")

            return bot

        async with run_client(double, client(0)) as first, run_client(double, client(1)) as second:
            assert [g.id for g in first.guilds] == [guilds[0].id]
            assert [g.id for g in second.guilds] == [guilds[1].id]
            await first.tree.sync()  # the same commands in both processes: one sync is the bot's
            late = double.add_guild("late", shard=1)
            await asyncio.sleep(0.1)
            assert second.get_guild(late.id) is not None and first.get_guild(late.id) is None
            for n in (1, 0):
                result = await double.slash(guilds[n], channels[n], members[n], "where")
                assert (await result.final()).content == f"shard {n}"
        assert seen == [[guilds[0].id], [guilds[1].id]]


async def fetch_gateway_bot(double: DiscordDouble) -> tuple[str, str, int]:
    """GET /gateway/bot as AutoShardedClient asks it: (status, url, shards)."""
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {double.token}"}
        async with session.get(f"{double.api_base}/gateway/bot", headers=headers) as response:
            body = await response.json()
            return str(response.status), body["url"], body["shards"]


@pytest.mark.asyncio(loop_scope="function")
async def test_unpointed_gateway_is_diagnosed(
    fresh_discord_double: DiscordDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a plain commands.Bot does when only Route.BASE is set: it dials DEFAULT_GATEWAY (here a dead port).
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL("ws://127.0.0.1:9/"))
    discord.http.Route.BASE = fresh_discord_double.api_base
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), help_command=None)
    with pytest.raises(AssertionError, match=r"never identified on the gateway.*DEFAULT_GATEWAY"):
        async with run_client(fresh_discord_double, bot, timeout=0.3):
            pass


async def test_channel_history_pages_like_discord_and_checks_its_query_and_permissions(
    world: World, discord_double: DiscordDouble
) -> None:
    channel = world.guild.add_channel("history")
    sent = [await world.bot.http.send_message(channel.id, params=_text(f"m{i}")) for i in range(7)]
    ids = [int(m["id"]) for m in sent]
    route = discord.http.Route("GET", "/channels/{channel_id}/messages", channel_id=channel.id)
    newest = await world.bot.http.request(route, params={"limit": 3})
    assert [int(m["id"]) for m in newest] == ids[:3:-1]
    after = await world.bot.http.request(route, params={"after": ids[1], "limit": 3})
    assert [int(m["id"]) for m in after] == [ids[4], ids[3], ids[2]]
    before = await world.bot.http.request(route, params={"before": ids[3], "limit": 2})
    assert [int(m["id"]) for m in before] == [ids[2], ids[1]]
    walked = [m.id async for m in world.bot.get_partial_messageable(channel.id).history(after=discord.Object(ids[0]))]
    assert walked == ids[1:]
    if discord_double.validator.available:
        with pytest.raises(discord.HTTPException) as raised:
            await world.bot.http.request(route, params={"limit": 101})
        assert (raised.value.status, raised.value.code) == (400, 50035)
        assert [v.location for v in discord_double.take_schema_violations()] == ["?limit"]
    me = world.guild.me
    no_history = world.guild.add_channel(
        "no-history", overwrites={me: (discord.Permissions.none(), discord.Permissions(read_message_history=True))}
    )
    hidden = world.guild.add_channel(
        "hidden", overwrites={me: (discord.Permissions.none(), discord.Permissions(view_channel=True))}
    )
    await world.bot.get_partial_messageable(no_history.id).send("unseen by a bot without the history")
    assert [m async for m in world.bot.get_partial_messageable(no_history.id).history(limit=5)] == []
    with pytest.raises(discord.Forbidden) as refused:
        await world.bot.get_partial_messageable(hidden.id).history(limit=5).__anext__()
    assert refused.value.code == 50001


def _text(content: str) -> discord.http.MultipartParameters:
    return discord.http.handle_message_parameters(content=content, allowed_mentions=discord.AllowedMentions.none())
