"""Finding actors, places and events by what people type: names, aliases, other spellings, typos.

Candidates come from two indexes, never a scan: a range over folded names (exact and prefix matches) and
a trigram index (substrings, and typos, which break only a few trigrams; the engine's own, through
`Dialect.trigrams`). rapidfuzz then ranks the few dozen candidates the way a person would.
"""

from __future__ import annotations

import sqlite3
from typing import Literal

from rapidfuzz import fuzz

from bot.models import normalise
from bot.store.engine.base import Dialect, Reader
from bot.store.records import NameMatch

Entity = Literal["actor", "place", "event"]
# What the change record keeps writes to: the named records, and facts.
Recorded = Literal[Entity, "fact"]
CANDIDATES = 60
_TABLE = {"actor": "actors", "place": "places", "event": "events"}


def _trigrams(norm: str) -> set[str]:
    compact = norm.replace(" ", "")
    grams = {norm[i : i + 3] for i in range(len(norm) - 2)} | {compact[i : i + 3] for i in range(len(compact) - 2)}
    return {g for g in grams if '"' not in g}


def _score(query: str, candidate: str) -> float:
    if candidate == query:
        return 100.0
    if candidate.startswith(query):
        return 95.0 - min(10.0, (len(candidate) - len(query)) / 4)
    return max(fuzz.WRatio(query, candidate), fuzz.ratio(query, candidate))


def is_confident(text: str, match: NameMatch) -> bool:
    """Whether a typed name surely means this match: a prefix of one of its names, or a near-spelling.

    Ranking uses a generous partial score (good for suggestions); acting on a name needs more, or "army"
    would silently mean whichever actor has "Army" in its name.
    """
    norm, matched = normalise(text), normalise(match.matched)
    return bool(norm) and (matched.startswith(norm) or fuzz.ratio(norm, matched) >= 80)


async def find_names(
    conn: Reader, dialect: Dialect, topic_id: int, entity: Entity, text: str, limit: int = 25
) -> list[NameMatch]:
    """Best matches for `text`, one per entity, best first; the canonical names when `text` is empty."""
    table = _TABLE[entity]
    norm = normalise(text)
    rows: list[sqlite3.Row] = []
    base = (
        "SELECT n.entity_id, n.name AS matched, n.norm, t.slug, t.name"
        f" FROM names n JOIN {table} t ON t.id = n.entity_id"
    )
    if not norm:
        sql = f"{base} WHERE n.topic_id = ? AND n.entity = ? AND n.is_primary = 1 ORDER BY n.norm LIMIT ?"
        found = await conn.execute_fetchall(sql, (topic_id, entity, limit))
        return [NameMatch(entity_id=r[0], slug=r[3], name=r[4], matched=r[1], score=0.0) for r in found]
    sql = f"{base} WHERE n.topic_id = ? AND n.entity = ? AND n.norm >= ? AND n.norm < ? LIMIT ?"
    rows.extend(await conn.execute_fetchall(sql, (topic_id, entity, norm, norm + "\U0010ffff", CANDIDATES)))
    grams = _trigrams(norm)
    if grams:
        match = dialect.trigrams(grams)
        sql = f"{base}{match.join} WHERE {match.where}n.topic_id = ? AND n.entity = ? ORDER BY {match.order} LIMIT ?"
        rows.extend(await conn.execute_fetchall(sql, (match.parameter, topic_id, entity, CANDIDATES)))
    best: dict[int, NameMatch] = {}
    for entity_id, matched, cand_norm, slug, name in rows:
        score = _score(norm, cand_norm)
        if entity_id not in best or score > best[entity_id].score:
            best[entity_id] = NameMatch(entity_id=entity_id, slug=slug, name=name, matched=matched, score=score)
    ranked = sorted(best.values(), key=lambda m: (-m.score, m.name))
    return ranked[:limit]


async def expand_aliases(conn: Reader, topic_id: int, phrases: list[str]) -> dict[str, list[str]]:
    """For each folded phrase that is a known name, every name of the same actor, place or event."""
    if not phrases:
        return {}
    marks = ",".join("?" * len(phrases))
    sql = (
        "SELECT hit.norm, other.norm FROM names hit"
        " JOIN names other ON other.entity = hit.entity AND other.entity_id = hit.entity_id"
        f" WHERE hit.topic_id = ? AND hit.entity IN ('actor', 'place', 'event') AND hit.norm IN ({marks})"
    )
    found: dict[str, list[str]] = {}
    for hit, other in await conn.execute_fetchall(sql, (topic_id, *phrases)):
        names = found.setdefault(hit, [])
        if other not in names:
            names.append(other)
    return found


async def named_by_words(conn: Reader, dialect: Dialect, topic_id: int, entity: Entity, text: str) -> list[int]:
    """The entities one of whose names contains `text` as whole words ("coup" in "2021 military coup").

    Candidates come from the trigram index (a phrase there is a substring); a word inside a name is a
    confident answer only when exactly one entity has it, so the caller wants every candidate: when the
    index offers more than `CANDIDATES` names, the word is too common to say which, and none is returned.
    """
    norm = normalise(text)
    if len(norm) < 3:
        return []
    source, parameter = dialect.containing(norm)
    rows = list(
        await conn.execute_fetchall(
            f"SELECT n.entity_id, n.norm FROM {source} AND n.topic_id = ? AND n.entity = ? LIMIT ?",
            (parameter, topic_id, entity, CANDIDATES + 1),
        )
    )
    if len(rows) > CANDIDATES:
        return []
    return sorted({entity_id for entity_id, candidate in rows if f" {norm} " in f" {candidate} "})
