"""Adding, listing and removing watches: the limit, clear refusals, and nobody sees another's watches."""

from __future__ import annotations

import pytest

from bot.errors import NotFound, UserError
from bot.watches.models import WatchAddRequest
from tests.unit.watches.conftest import ALICE, BOB, GUILD, MONA, Rig


def text(answer) -> str:
    return "\n".join([answer.title, *(line.text for line in answer.lines), answer.footer or ""])


async def test_a_watch_is_added_listed_and_removed(rig: Rig):
    watch_id = await rig.watch(ALICE, "actor", "TNLA")
    listed = text(await rig.service.listing(GUILD, ALICE, moderator=False))
    assert f"**#{watch_id}** actor Ta'ang National Liberation Army · DM · not told yet" in listed
    assert "1 of 25" in listed
    assert "removed" in (await rig.service.remove(watch_id, GUILD, ALICE)).title
    assert "You watch nothing yet" in text(await rig.service.listing(GUILD, ALICE, moderator=False))


async def test_names_resolve_as_everywhere_and_unknown_ones_are_refused_with_the_closest(rig: Rig):
    await rig.watch(ALICE, "place", "Lashio")
    await rig.watch(ALICE, "actor", "Three Brothers Aliance")  # a typo resolves as /actor resolves it
    assert "actor Three Brotherhood Alliance" in text(await rig.service.listing(GUILD, ALICE, moderator=False))
    with pytest.raises(NotFound):
        await rig.watch(ALICE, "actor", "Kachin Independence Army")
    with pytest.raises(UserError, match="already watch place Lashio"):
        await rig.watch(ALICE, "place", "lashio")


@pytest.mark.parametrize("words", ["the of and", "!!!", "   "])
def test_words_with_nothing_to_watch_for_are_refused(words):
    with pytest.raises(ValueError, match="name"):
        WatchAddRequest(what="words", name=words)


async def test_at_most_25_watches_a_member(rig: Rig):
    for n in range(25):
        await rig.watch(ALICE, "words", f"convoy {n}")
    with pytest.raises(UserError, match="You have 25 watches"):
        await rig.watch(ALICE, "words", "one more")
    await rig.watch(BOB, "words", "one more")


async def test_only_moderators_point_a_watch_at_a_channel(rig: Rig):
    with pytest.raises(UserError, match="Only moderators"):
        await rig.watch(ALICE, "event", "Operation 1027", channel=77)
    await rig.watch(MONA, "event", "Operation 1027", channel=77)


async def test_nobody_sees_or_removes_another_members_watches_and_moderators_see_counts_only(rig: Rig):
    alices = await rig.watch(ALICE, "words", "refugees crossing")
    await rig.watch(BOB, "place", "Shan State")
    assert "refugees" not in text(await rig.service.listing(GUILD, BOB, moderator=False))
    with pytest.raises(NotFound, match=f"no watch #{alices}"):
        await rig.service.remove(alices, GUILD, BOB)
    mods = text(await rig.service.listing(GUILD, MONA, moderator=True))
    assert "This server: 2 watches kept by 2 members, 0 paused, 0 told in channels." in mods
    assert "refugees" not in mods and "Shan" not in mods
    assert "refugees" in text(await rig.service.listing(GUILD, ALICE, moderator=False))
