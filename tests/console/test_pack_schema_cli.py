"""`briefbot pack schema`: the pack format's JSON Schema on standard output."""

from __future__ import annotations

import json

import jsonschema

from bot.packs import pack_json_schema
from tests.console.run import briefbot


def test_pack_schema_prints_the_schema_as_json(tmp_path):
    result = briefbot(tmp_path, "pack", "schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == pack_json_schema()


def test_pack_schema_needs_no_settings(tmp_path):
    """An operator writing their first pack may have no valid settings yet."""
    result = briefbot(tmp_path, "pack", "schema", TIMEZONE="Not/AZone")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"].startswith("briefbot")


def test_pack_without_an_action_says_which_are_known(tmp_path):
    result = briefbot(tmp_path, "pack")
    assert result.returncode == 2
    assert "ACTION" in result.stderr
