"""The pack file's JSON Schema, as editors get it from `briefbot pack schema`."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.packs import PACK_SCHEMA_ID, pack_json_schema

SEED = Path(__file__).resolve().parents[2] / "bot" / "seed_packs" / "operation-1027.yaml"


def _validator() -> jsonschema.Draft202012Validator:
    schema = pack_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _as_editor_reads(path: Path) -> object:
    """The pack as plain JSON data: PyYAML (YAML 1.1) reads 2023-11-28 as a date; editors (YAML 1.2) as text."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=datetime.date.isoformat))


def test_the_schema_is_titled_identified_and_draft_2020_12():
    schema = pack_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == PACK_SCHEMA_ID
    assert "pack" in schema["title"]
    assert set(schema["required"]) == {"topic"}
    json.dumps(schema)  # plain JSON, nothing pydantic-specific left in it


def test_every_field_is_described_from_the_models():
    schema = pack_json_schema()
    models = {name: d for name, d in schema["$defs"].items() if "properties" in d}
    assert {"PackFact", "Source", "Actor", "Place", "Event", "Topic", "Participant", "Affiliation"} <= set(models)
    undescribed = [
        f"{where}.{field}"
        for where, d in [("pack", schema), *models.items()]
        for field, prop in d["properties"].items()
        if not prop.get("description")
    ]
    assert undescribed == []
    assert "Admiralty" in models["PackFact"]["properties"]["reliability"]["description"]


def test_the_seed_pack_is_valid():
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(_as_editor_reads(SEED))]
    assert errors == []


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda p: p["facts"][0].update(reliability="Z"), "'Z' is not one of"),
        (lambda p: p["facts"][0].update(credibility=7), "7 is greater than the maximum of 6"),
        (lambda p: p["facts"][0].update(colour="red"), "'colour' was unexpected"),
        (lambda p: p["actors"][0].update(kind="planet"), "'planet' is not one of"),
        (lambda p: p["actors"][0].update(slug="Not A Slug"), "does not match"),
        (lambda p: p["events"][0].update(date="27/10/2023"), "is not a 'date'"),
        (lambda p: p["facts"][0].update(statement="x" * 1001), "is too long"),
        (lambda p: p.pop("topic"), "'topic' is a required property"),
        (lambda p: p.update(format=2), "2 is greater than the maximum of 1"),
    ],
)
def test_an_obviously_bad_pack_is_rejected(change, complaint):
    pack = _as_editor_reads(SEED)
    change(pack)
    messages = [e.message for e in _validator().iter_errors(pack)]
    assert len(messages) == 1 and complaint in messages[0], messages
