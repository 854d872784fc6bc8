"""deploy/compose.yaml, read as Compose reads it (YAML with anchors and merge keys), and checked for what
running the bot as shard processes on PostgreSQL needs. No container engine is needed."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml

from bot.cli import main
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _bots() -> dict[str, dict[str, Any]]:
    return {name: service for name, service in _compose()["services"].items() if name.startswith("bot-")}


def test_postgresql_16_has_a_health_check_and_keeps_its_data_on_a_volume():
    postgres = _compose()["services"]["postgres"]
    assert postgres["image"] == "postgres:16"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in _compose()["volumes"]


def test_each_bot_runs_one_shard_of_the_same_count_and_every_shard_has_a_bot():
    bots = _bots()
    assert len(bots) == 2
    counts = {service["environment"]["SHARD_COUNT"] for service in bots.values()}
    assert counts == {"2"}
    ids = sorted(service["environment"]["SHARD_IDS"] for service in bots.values())
    assert ids == ["0", "1"]
    for service in bots.values():
        # The values the bot would read are ones its settings accept.
        environment = service["environment"]
        settings = Settings(_env_file=None, shard_count=environment["SHARD_COUNT"], shard_ids=environment["SHARD_IDS"])  # type: ignore[call-arg]
        assert settings.shards.count == 2


def test_the_bots_wait_for_a_healthy_database_and_report_their_own_health():
    for name, service in _bots().items():
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://"), name
        assert "@postgres:5432/" in service["environment"]["DATABASE_URL"], name
        assert service["healthcheck"]["test"] == ["CMD", "briefbot", "health"], name
        assert service["environment"]["HEARTBEAT_FILE"], name
        assert service["build"]["context"] == "..", name
        assert (COMPOSE.parent / service["build"]["context"] / "Dockerfile").exists()


def test_every_variable_set_for_the_bots_is_a_setting_and_the_health_check_is_a_command(monkeypatch, tmp_path):
    settings = {name.upper() for name in Settings.model_fields}
    for name, service in _bots().items():
        assert set(service["environment"]) <= settings, name  # a misspelt name would be ignored without a word
    # The health check as the container runs it, with the bot's settings and no heartbeat written yet:
    # `briefbot health` reports "unhealthy" (1), not a usage or configuration error (2).
    [command] = {tuple(service["healthcheck"]["test"][1:]) for service in _bots().values()}
    assert (
        command[0] == "briefbot"
        and "briefbot" in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    )
    monkeypatch.chdir(tmp_path)
    for variable, value in next(iter(_bots().values()))["environment"].items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("HEARTBEAT_FILE", str(tmp_path / "briefbot.beat"))
    assert main(list(command[1:])) == 1
