"""Settings as an operator writes them: forgiving where the meaning is clear, one line where it is not."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, default_database, is_checkout, load_settings
from bot.services import _described, open_store


@pytest.mark.parametrize(
    ("written", "canonical"), [("utc", "UTC"), ("asia/yangon", "Asia/Yangon"), ("Europe/London", "Europe/London")]
)
def test_a_time_zone_is_normalised_to_its_iana_name(written, canonical):
    assert Settings(_env_file=None, timezone=written).timezone == canonical  # type: ignore[call-arg]


def test_ids_are_positive_snowflakes_written_any_way_people_paste_them():
    settings = Settings(_env_file=None, guild_ids="1, 2 3", moderator_role_ids="[4, 5]")  # type: ignore[call-arg]
    assert settings.guild_ids == [1, 2, 3]
    assert settings.moderator_role_ids == [4, 5]
    with pytest.raises(ConfigError, match=r"^bad configuration: GUILD_IDS: '-5' is not a Discord id"):
        load_settings(_env_file=None, guild_ids="-5")
    with pytest.raises(ConfigError, match=r"ALERT_CHANNEL_ID: '18446744073709551616' is not a Discord id"):
        load_settings(_env_file=None, alert_channel_id=str(2**64))


def test_database_url_names_a_postgresql_store_and_nothing_else():
    settings = Settings(_env_file=None, database_url="postgresql://bot:pw@db/briefbot")  # type: ignore[call-arg]
    assert settings.store_address == ("DATABASE_URL", "postgresql://bot:pw@db/briefbot")
    assert Settings(_env_file=None).store_address[0] == "DATABASE_PATH"  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=r"DATABASE_URL: must start with postgresql://"):
        load_settings(_env_file=None, database_url="mysql://db/briefbot")


async def test_a_postgresql_store_that_cannot_be_opened_names_the_setting_not_the_password():
    settings = Settings(_env_file=None, database_url="postgresql://bot:hunter2@/briefbot?host=/nonexistent")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=r"DATABASE_URL: cannot open the PostgreSQL store") as raised:
        await open_store(settings)
    assert "hunter2" not in str(raised.value)


def test_a_checkout_keeps_its_store_in_its_own_data_folder():
    """`python3 dev.py bot` has always kept data/briefbot.db (git-ignored) in the checkout; it still finds it."""
    root = Path(__file__).resolve().parents[2]
    assert Settings(_env_file=None).database_path == root / "data" / "briefbot.db"  # type: ignore[call-arg]


def test_an_installed_briefbot_keeps_its_store_in_the_users_data_folder_not_site_packages(monkeypatch, tmp_path):
    site_packages = tmp_path / "site-packages"  # where an install puts bot/, with no pyproject.toml beside it
    site_packages.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert (
        default_database(site_packages, "linux") == tmp_path / "home" / ".local" / "share" / "briefbot" / "briefbot.db"
    )
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_database(site_packages, "linux") == tmp_path / "xdg" / "briefbot" / "briefbot.db"
    # The XDG spec: a relative XDG_DATA_HOME is ignored.
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    assert (
        default_database(site_packages, "linux") == tmp_path / "home" / ".local" / "share" / "briefbot" / "briefbot.db"
    )
    assert default_database(site_packages, "darwin") == (
        tmp_path / "home" / "Library" / "Application Support" / "briefbot" / "briefbot.db"
    )
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert default_database(site_packages, "win32") == tmp_path / "local" / "briefbot" / "briefbot.db"


def test_another_projects_pyproject_does_not_make_a_checkout(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "something-else"\n')
    assert not is_checkout(tmp_path)
    (tmp_path / "pyproject.toml").write_text("not toml at all [")
    assert not is_checkout(tmp_path)
    assert is_checkout(Path(__file__).resolve().parents[2])


def test_a_user_without_a_home_folder_is_told_to_set_database_path(monkeypatch, tmp_path):
    def homeless() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(homeless))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    with pytest.raises(ConfigError, match=r"^bad configuration: DATABASE_PATH: not set, .* set DATABASE_PATH$"):
        default_database(tmp_path, "linux")


async def test_the_store_says_where_it_is_once_at_start(caplog, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None, database_path="relative.db", packs_dir=tmp_path)  # type: ignore[call-arg]
    with caplog.at_level(logging.INFO, logger="bot.services"):
        store = await open_store(settings)
        await store.close()
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("store: ")]
    assert said == [f"store: {tmp_path / 'relative.db'} (SQLite)"]


def test_a_postgresql_store_is_named_at_start_without_its_password():
    assert _described("postgresql://bot:hunter2@db/briefbot") == "postgresql://bot:***@db/briefbot (PostgreSQL)"
