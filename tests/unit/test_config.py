"""Settings as an operator writes them: forgiving where the meaning is clear, one line where it is not."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings, load_settings
from bot.services import open_store


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
