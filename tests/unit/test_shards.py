"""Shards: which servers a process serves, the settings that say so, and its share of the rate limit."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import ConfigError, Settings, load_settings
from bot.digests.pacing import Pacer
from bot.shards import Shards, shard_of
from tests.unit.digest_doubles import VirtualTime

# Two servers Discord puts on different shards of two: the shard is (id >> 22) % count.
ON_0 = 0b10 << 22 | 12345
ON_1 = 0b11 << 22 | 12345


def test_a_server_is_on_the_shard_discord_computes():
    assert shard_of(ON_0, 2) == 0
    assert shard_of(ON_1, 2) == 1
    assert shard_of(1187654321098765432, 4) == (1187654321098765432 >> 22) % 4
    assert all(shard_of(guild, 1) == 0 for guild in (ON_0, ON_1, 1))


def test_each_server_belongs_to_exactly_one_of_the_processes():
    processes = [Shards(3, frozenset({0})), Shards(3, frozenset({1, 2}))]
    for guild in range(1 << 22, 200 << 22, 1 << 22):
        assert sum(p.owns(guild) for p in processes) == 1


def test_one_process_owns_everything_and_things_of_no_server_belong_to_shard_0():
    assert Shards().owns(ON_1) and Shards().owns(None)
    assert Shards(2, frozenset({0, 1})).owns(ON_1)
    assert Shards(2, frozenset({0})).owns(None)
    assert not Shards(2, frozenset({1})).owns(None)
    assert Shards(2, frozenset({1})).owns(ON_1) and not Shards(2, frozenset({1})).owns(ON_0)


def test_settings_say_which_shards_a_process_runs():
    def shards(**values: object) -> Shards:
        return Settings(_env_file=None, **values).shards  # type: ignore[arg-type]

    assert shards() == Shards()
    assert shards(shard_count=2) == Shards(2, frozenset({0, 1}))
    assert shards(shard_count="4", shard_ids="3, 1") == Shards(4, frozenset({1, 3}))
    assert shards(shard_count=4, shard_ids="[2 0]").describe() == "shards 0,2 of 4"


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ({"shard_ids": "0"}, "SHARD_IDS: needs SHARD_COUNT, the number of shards over all processes"),
        ({"shard_count": "2", "shard_ids": "2"}, "SHARD_IDS: 2 is not a shard of SHARD_COUNT=2: shards are numbered 0"),
        ({"shard_count": "2", "shard_ids": "0,0"}, "SHARD_IDS: names a shard twice"),
        ({"shard_count": "2", "shard_ids": "-1"}, "SHARD_IDS: '-1' is not a shard id"),
        ({"shard_count": "0"}, "SHARD_COUNT: must be at least 1"),
        ({"shard_count": "two"}, "SHARD_COUNT: must be a whole number"),
    ],
)
def test_a_shard_setting_that_cannot_be_right_is_one_line(values, line):
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None, **values)
    assert str(caught.value).startswith(f"bad configuration: {line}")
    assert "\n" not in str(caught.value)


def test_a_process_paces_to_its_share_of_the_global_limit():
    assert Shards().global_limit() == 50
    assert Shards(2, frozenset({1})).global_limit() == 25
    assert Shards(4, frozenset({0, 1, 2})).global_limit() == 37
    assert Shards(100, frozenset({7})).global_limit() == 1


async def test_two_processes_pacing_to_their_shares_stay_within_the_bots_limit_together():
    # Both processes run on one clock, each with its own pacer sized to its half; together, no second
    # (Discord's window) ever holds more than the bot's 50 posts.
    time = VirtualTime()
    pacers = [
        Pacer(overall=(Shards(2, frozenset({i})).global_limit(), 1.0), clock=time, sleep=time.sleep) for i in (0, 1)
    ]
    sent: list[float] = []

    async def post(pacer: Pacer, channel: int) -> None:
        await pacer.turn(channel)
        sent.append(time())

    await asyncio.gather(*(post(pacers[n % 2], 1000 + n) for n in range(300)))
    assert len(sent) == 300
    for start in sent:
        assert sum(start <= t < start + 1.0 for t in sent) <= 50
    assert max(sent) >= 5.0  # 300 posts at 50 a second between them: no faster than the bot may go
