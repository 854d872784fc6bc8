"""The console takes `topic:` as Discord does, and `briefbot console --topic` sets its default."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.console import answer_line, help_text
from bot.packs import read_pack
from bot.services import Services
from bot.store import Store
from bot.store.writes import apply_pack
from tests.console.run import briefbot

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "bot" / "seed_packs" / "operation-1027.yaml"
VELDRA = ROOT / "tests" / "topics_data" / "test-veldra-water-dispute.yaml"


@pytest.fixture
async def services() -> AsyncIterator[Services]:
    store = await Store.open(":memory:")
    await apply_pack(store.db, read_pack(SEED))
    await apply_pack(store.db, read_pack(VELDRA))
    built = Services.build(Settings(_env_file=None), store)  # type: ignore[call-arg]
    try:
        yield built
    finally:
        await built.close()


async def test_topic_option_scopes_names_and_answers(services: Services):
    assert "Upper River Alliance" in await answer_line(services, "/actor name:Alliance topic:test-veldra")
    assert "Upper River" not in await answer_line(services, "/actor name:Alliance")
    assert "Upper River Alliance" in await answer_line(services, "/actor name:Alliance", topic="test-veldra")
    everywhere = await answer_line(services, '/search query:"Beijing trade" topic:all')
    assert "[Veldra water dispute (fictional test data)]" in everywhere and "[Operation 1027" in everywhere
    wrong = await answer_line(services, "/brief topic:test-veldar")
    assert wrong.startswith("error: No topic") and "Did you mean: test-veldra" in wrong
    about = await answer_line(services, "/about topic:test-veldra")
    assert "test-veldra" in about and "operation-1027" not in about
    assert "[topic:…]" in help_text() and "`all` searches every topic" in help_text()


def test_console_topic_flag_sets_the_default_and_refuses_an_unknown_one(tmp_path: Path):
    packs = tmp_path / "packs"
    packs.mkdir()
    shutil.copy(VELDRA, packs)
    shutil.copy(SEED, packs)
    done = briefbot(
        tmp_path,
        "console",
        "--topic",
        "test-veldra",
        stdin="/brief\n",
        PACKS_DIR=str(packs),
        DEFAULT_TOPIC="operation-1027",
    )
    assert done.returncode == 0, done.stderr
    assert "Veldra" in done.stdout and "40%" not in done.stdout
    unknown = briefbot(tmp_path, "console", "--topic", "nowhere", PACKS_DIR=str(packs), DEFAULT_TOPIC="operation-1027")
    assert unknown.returncode == 1 and "No topic is called" in unknown.stderr
