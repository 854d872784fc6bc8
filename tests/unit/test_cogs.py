"""Every extension stands alone: discovered by having `setup`, loaded by itself, importing no other cog.

As python-discord's tests/bot/exts/test_cogs.py loads every cog: an extension that needs another (for a
form, an option, a helper) cannot be reloaded or loaded without it, so what cogs share lives in bot/edge/.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.edge.app import COGS, BriefBot, extensions
from bot.services import open_services

ROOT = Path(__file__).resolve().parents[2]
COG_FILES = sorted(path for path in (ROOT / COGS).glob("*.py") if not path.name.startswith("_"))


def imported_modules(path: Path) -> list[str]:
    """The modules a file imports, relative imports spelled out from its package."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = COGS if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found += [f"{module}.{alias.name}" if node.level and not node.module else module for alias in node.names]
    return found


def test_no_cog_imports_another() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in COG_FILES
        for module in imported_modules(path)
        if module.split(".")[0] == COGS
    ]
    assert offenders == [], "what several cogs share belongs in bot/edge/, not in another cog"


def test_every_cog_module_is_discovered() -> None:
    assert extensions() == [f"{COGS}.{path.stem}" for path in COG_FILES], "each module in cogs/ needs a setup(bot)"


@pytest.fixture
def no_cogs_imported() -> Iterator[None]:
    """Forget every imported cog module for the test, so that whatever it imports shows; put them back after."""
    before = {name: module for name, module in sys.modules.items() if name.startswith(f"{COGS}.")}
    for name in before:
        del sys.modules[name]
    yield
    for name in [name for name in sys.modules if name.startswith(f"{COGS}.")]:
        del sys.modules[name]
    sys.modules.update(before)


@pytest.fixture
async def bare_bot(tmp_path: Path) -> AsyncIterator[BriefBot]:
    """A bot with its services open and no extension loaded, as `setup_hook` leaves it just before loading."""
    database = tmp_path / "store.db"
    settings = Settings(_env_file=None, discord_token="unused", database_path=database, packs_dir=tmp_path)  # type: ignore[call-arg]
    bot = BriefBot(settings, sync_only=True)
    bot.services = await open_services(settings)
    try:
        yield bot
    finally:
        await bot.services.close()  # the bot never logged in, so there is nothing else to close


@pytest.mark.parametrize("extension", extensions())
async def test_each_extension_loads_alone(extension: str, bare_bot: BriefBot, no_cogs_imported: None) -> None:
    await bare_bot.load_extension(extension)
    loaded = sorted(name for name in sys.modules if name.startswith(f"{COGS}."))
    assert loaded == [extension], f"{extension} needs other cogs to load"
    assert bare_bot.cogs, f"{extension} adds no cog"
    assert {type(cog).__module__ for cog in bare_bot.cogs.values()} == {extension}
    declared = {
        command.name
        for cog in bare_bot.cogs.values()
        for command in ([cog.app_command] if cog.app_command else cog.get_app_commands())
    }
    registered = {command.name for command in bare_bot.tree.get_commands()}
    assert declared, f"{extension} declares no command"
    assert registered == declared, f"{extension} registered other commands than its cogs declare"
