"""Configuration, read once at start from the environment and `.env`.

Nothing here runs at import time: `load_settings()` is called by the CLI so that a bad setting stops the
bot with one readable line instead of a traceback from deep inside discord.py.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import tomllib
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.digests.schedules import parse_zone
from bot.errors import UserError, in_words
from bot.shards import Shards
from bot.store.engine.base import is_postgres

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PACKS = Path(__file__).resolve().parent / "seed_packs"
#: Discord ids (snowflakes) are positive and fit in 64 bits.
MAX_SNOWFLAKE = 2**64 - 1


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line a person can act on."""

    @classmethod
    def of(cls, setting: str, problem: str) -> ConfigError:
        """The error for one setting, worded as `load_settings` words each problem it finds."""
        return cls(f"bad configuration: {setting}: {problem}")


@functools.cache
def is_checkout(root: Path = PROJECT_ROOT) -> bool:
    """Whether briefbot runs from its own source tree (as `dev.py` installs it, editable) rather than installed.

    Installed, the folder above the `bot` package is site-packages, which is no place for a user's data.
    """
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        return bool(project["name"] == "briefbot")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        return False


def user_data_dir(platform: str = sys.platform) -> Path:
    """The folder this user's applications keep their data in, as platformdirs names it (XDG on Linux).

    A few lines rather than platformdirs itself, which only the test tools install.
    """
    try:
        if platform == "win32":
            return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        if platform == "darwin":
            return Path.home() / "Library" / "Application Support"
        # The XDG spec: a relative XDG_DATA_HOME is invalid and is ignored.
        xdg = os.environ.get("XDG_DATA_HOME", "")
        return Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    except RuntimeError:  # Path.home() with no HOME and no account entry (a container with an arbitrary uid)
        raise ConfigError.of(
            "DATABASE_PATH", "not set, and this user has no home folder to keep the store in: set DATABASE_PATH"
        ) from None


def default_database(root: Path = PROJECT_ROOT, platform: str = sys.platform) -> Path:
    """The SQLite store without DATABASE_PATH: `data/briefbot.db` in a checkout, else in the user's data folder.

    A checkout keeps the git-ignored `data/briefbot.db` that `python3 dev.py bot` has always used, so a store
    made there is still found after a `git pull`. An installed briefbot would otherwise keep it inside
    site-packages, which the next upgrade or new virtual environment replaces, store and all.
    """
    if is_checkout(root):
        return root / "data" / "briefbot.db"
    return user_data_dir(platform) / "briefbot" / "briefbot.db"


def _snowflake(value: object) -> int:
    """A Discord id, or a ValueError that says what one looks like and where to copy it from."""
    text = str(value).strip()
    if not text.isdigit() or not 0 < int(text) <= MAX_SNOWFLAKE:
        raise ValueError(
            f"{text!r} is not a Discord id: ids are positive whole numbers such as 1187654321098765432"
            " (Developer Mode, then right-click → Copy ID)"
        )
    return int(text)


def _id_list(value: object) -> object:
    """Accept `1,2 3` as well as a list (`[1, 2]` too), because people paste ids from Discord by hand."""
    if isinstance(value, str):
        value = value.strip().strip("[]").replace(",", " ").split()
    if isinstance(value, list | tuple):
        return [_snowflake(v) for v in value]
    return value


class Settings(BaseSettings):
    """Every setting the bot reads; `.env.example` documents each one for operators."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    discord_token: SecretStr | None = Field(default=None, description="The bot token from the Developer Portal.")
    database_path: Path = Field(
        default_factory=default_database,
        description="Where the SQLite fact store lives; unset: data/ in a checkout, else the user's data folder.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="A postgresql:// URL: keep the store in PostgreSQL instead of DATABASE_PATH's SQLite file.",
    )
    packs_dir: Path = Field(default=DEFAULT_PACKS, description="Folder of YAML packs loaded on first start.")
    guild_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    moderator_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    default_topic: str = Field(default="operation-1027", pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    default_stakeholder: str = Field(default="Beijing", min_length=1)
    timezone: str = Field(default="UTC")
    log_level: str = Field(default="INFO")
    alert_channel_id: int | None = Field(
        default=None, description="Channel where moderators are told that a digest was paused, and why."
    )
    digest_grace_minutes: int = Field(
        default=60,
        ge=0,
        le=7 * 24 * 60,
        description="How late a digest missed while the bot was down may still be posted (once) at start.",
    )
    watch_batch_minutes: int = Field(
        default=10,
        ge=0,
        le=24 * 60,
        description="Watch alerts close together come as one message: at most one per watcher in this many minutes.",
    )
    answer_cache: int = Field(
        default=256,
        ge=0,
        le=100_000,
        description="How many answers to keep for reuse until the store changes; 0 turns the cache off.",
    )
    pictures: bool = Field(
        default=True,
        description="Whether answers carry pictures (a timeline's chart, an actor's links); off sends text alone.",
    )
    feed_poll_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="How often followed feeds are polled for new reports."
    )
    review_channel_id: int | None = Field(
        default=None, description="Where candidate facts from feeds, articles and proposals go for review."
    )
    fetch_allow_private_addresses: bool = Field(
        default=False,
        description="Let intake fetch from private, loopback and link-local addresses (tests, your own network).",
    )
    discord_api_base: str | None = Field(
        default=None,
        description="Override of Discord's REST base URL; only the test double and benchmarks set it.",
    )
    shard_count: int | None = Field(
        default=None,
        ge=1,
        le=65_536,
        description="How many gateway shards the whole bot runs, over all its processes; unset: one process, "
        "as many shards as Discord recommends.",
    )
    shard_ids: Annotated[list[int] | None, NoDecode] = Field(
        default=None, description="The shards this process runs (0..SHARD_COUNT-1); unset: all of them."
    )
    heartbeat_file: Path | None = Field(
        default=None,
        description="A file the bot rewrites every few seconds while connected; `briefbot health` reads it.",
    )

    @field_validator("guild_ids", "moderator_role_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return _id_list(value)

    @field_validator("alert_channel_id", mode="before")
    @classmethod
    def _one_id(cls, value: object) -> object:
        return None if value is None else _snowflake(value)

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _split_shard_ids(cls, value: object) -> object:
        """`0,1`, `0 1` or `[0, 1]`, as ids are written elsewhere; each a whole number."""
        if isinstance(value, str):
            value = value.strip().strip("[]").replace(",", " ").split()
        if isinstance(value, list | tuple):
            for item in value:
                if not str(item).strip().isdigit():
                    raise ValueError(f"{str(item)!r} is not a shard id: shard ids are whole numbers such as 0 or 1")
            return [int(str(item).strip()) for item in value]
        return value

    @field_validator("shard_ids")
    @classmethod
    def _shards_in_range(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        """Each id within 0..SHARD_COUNT-1, none twice; without SHARD_COUNT there is no range to be in."""
        if value is None:
            return None
        if "shard_count" not in info.data:
            return value  # SHARD_COUNT itself is wrong, and says so
        count = info.data["shard_count"]
        if count is None:
            raise ValueError("needs SHARD_COUNT, the number of shards over all processes (e.g. SHARD_COUNT=2)")
        if not value:
            raise ValueError("is empty: name the shards this process runs, such as 0 or 0,1")
        outside = [i for i in value if i >= count]
        if outside:
            raise ValueError(
                f"{outside[0]} is not a shard of SHARD_COUNT={count}: shards are numbered 0 to {count - 1}"
            )
        if len(set(value)) != len(value):
            raise ValueError("names a shard twice")
        return sorted(value)

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not is_postgres(value.get_secret_value()):
            raise ValueError("must start with postgresql:// (leave it unset for SQLite at DATABASE_PATH)")
        return value

    @property
    def store_address(self) -> tuple[str, Path | str]:
        """The setting that names the store, and what it names: DATABASE_URL if set, else DATABASE_PATH."""
        if self.database_url is not None:
            return "DATABASE_URL", self.database_url.get_secret_value()
        return "DATABASE_PATH", self.database_path

    @field_validator("packs_dir")
    @classmethod
    def _existing_folder(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(
                f"{value} is not a folder: name the folder of YAML packs (default {DEFAULT_PACKS}),"
                " or an empty folder to start with an empty store"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """The canonical IANA name, whatever its case: `utc` is UTC and `asia/yangon` is Asia/Yangon."""
        try:
            return parse_zone(value).key
        except UserError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if not isinstance(logging.getLevelName(level), int):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @property
    def shards(self) -> Shards:
        """The shards this process runs, and so the servers whose digests and feeds it serves."""
        return Shards.of(self.shard_count, self.shard_ids)

    @property
    def zone(self) -> ZoneInfo:
        """The configured default time zone as an object."""
        return ZoneInfo(self.timezone)


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's report into one line naming the variable and the rule.

    The env file is `.env` where briefbot starts, or the file `BRIEFBOT_ENV_FILE` names: `dev.py bot`
    names the checkout's, so that it can run in the operator's own directory with the checkout's settings.
    """
    overrides.setdefault("_env_file", os.environ.get("BRIEFBOT_ENV_FILE") or ".env")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = "_".join(str(p) for p in err["loc"] if not isinstance(p, int)).upper() or "SETTINGS"
            problems.append(f"{name}: {in_words(err)}")
        raise ConfigError("bad configuration: " + "; ".join(problems)) from None
