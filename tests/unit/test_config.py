"""Settings as an operator writes them: forgiving where the meaning is clear, one line where it is not."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings, load_settings


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
