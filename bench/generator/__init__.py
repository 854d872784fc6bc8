"""Synthetic fact stores of any size: deterministic, realistically shaped, and quick to build.

Writing a million facts through `apply_pack` takes hours (every row is a round trip, and `index_fact`
scans every actor name per fact), so `build_store` writes the same rows straight into the schema the
migrations create, with `executemany` in large transactions. The rows are exactly what `PackWriter`
would write for the same records (`to_pack` gives those records as a `Pack`; the unit tests load both
ways and compare every table), so the bot answers from a generated store as from a pack-loaded one, and
the cache key (`cache.code_version`) follows the code of both write paths.

The shape follows a real crisis dossier: a few actors (the junta, the big alliances, the stakeholders
such as Beijing) appear in a large share of facts and thousands of minor ones in a few; places nest
country > state > district > town; events span four years with participants and sequels; facts cite
sources near their date and carry Admiralty grades; statements draw words from a Zipf-like vocabulary.

One module per step: `records` (what a store holds), `words` (made-up text and names), `world` (actors,
places, events, sources), `facts` (the facts, and everything as a `Pack`), `bulk` (the rows, written
fast), `cache` (stores kept between runs).
"""

from bench.generator.bulk import build_store, topic_slug
from bench.generator.cache import CACHE_DIR, cached_store, code_version, schema_version
from bench.generator.facts import to_pack
from bench.generator.records import FIRST_DAY, LAST_DAY, RECORDED, STAKEHOLDER, TOPIC_SLUG

__all__ = [
    "CACHE_DIR",
    "FIRST_DAY",
    "LAST_DAY",
    "RECORDED",
    "STAKEHOLDER",
    "TOPIC_SLUG",
    "build_store",
    "cached_store",
    "code_version",
    "schema_version",
    "to_pack",
    "topic_slug",
]
