"""What reports propose beyond their facts, and the names moderators turned down, per topic."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.store.engine.base import Database


class GrowthStore:
    """Growth proposals by candidate sentence, and rejected names, in the fact store's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, topic_id: int, proposals: dict[str, dict[str, Any]]) -> None:
        """Each candidate sentence's proposals (by sentence key); a sentence proposed before keeps its first."""
        if not proposals:
            return
        async with self.db.transaction() as conn:
            for key, proposal in proposals.items():
                await conn.execute(
                    "INSERT INTO candidate_growth (topic_id, sentence_key, proposals) VALUES (?, ?, ?)"
                    " ON CONFLICT (topic_id, sentence_key) DO NOTHING",
                    (topic_id, key, json.dumps(proposal, ensure_ascii=False)),
                )

    async def proposals(self, topic_id: int, sentence_key: str) -> dict[str, Any] | None:
        """What a candidate sentence proposes, if anything."""
        rows = await self.db.reader.execute_fetchall(
            "SELECT proposals FROM candidate_growth WHERE topic_id = ? AND sentence_key = ?", (topic_id, sentence_key)
        )
        rows = list(rows)
        return json.loads(rows[0][0]) if rows else None

    async def reject(self, topic_id: int, norm: str, name: str, *, by: int | None, by_name: str, at: datetime) -> None:
        """Never offer this name again for the topic."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO rejected_names (topic_id, norm, name, rejected_by, rejected_by_name, rejected_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (topic_id, norm) DO NOTHING",
                (topic_id, norm, name, by, by_name, at.isoformat()),
            )

    async def rejected(self, topic_id: int) -> set[str]:
        """The folded names moderators turned down for the topic."""
        rows = await self.db.reader.execute_fetchall("SELECT norm FROM rejected_names WHERE topic_id = ?", (topic_id,))
        return {r[0] for r in rows}

    async def stakes(self, topic_id: int) -> list[tuple[str, list[str]]]:
        """The (stakeholder slug, actor slugs) of the topic's active stakes: whose stakes are whose."""
        rows = await self.db.reader.execute_fetchall(
            "SELECT s.slug, a.slug FROM facts f JOIN actors s ON s.id = f.stakeholder_id"
            " LEFT JOIN fact_actors fa ON fa.fact_id = f.id LEFT JOIN actors a ON a.id = fa.actor_id"
            " WHERE f.topic_id = ? AND f.status = 'active' LIMIT 20000",
            (topic_id,),
        )
        found: list[tuple[str, list[str]]] = []
        for holder, actor in rows:
            found.append((holder, [actor] if actor else []))
        return found

    async def facts_about(self, topic_id: int) -> dict[str, int]:
        """How many active facts are about each actor of the topic."""
        rows = await self.db.reader.execute_fetchall(
            "SELECT a.slug, count(*) FROM fact_actors fa JOIN actors a ON a.id = fa.actor_id"
            " JOIN facts f ON f.id = fa.fact_id WHERE f.topic_id = ? AND f.status = 'active' GROUP BY a.slug",
            (topic_id,),
        )
        return {r[0]: r[1] for r in rows}

    async def stakeholder_names(self, topic_id: int) -> list[tuple[str, str]]:
        """The (folded name, slug) of every name of the topic's stakeholders."""
        rows = await self.db.reader.execute_fetchall(
            "SELECT n.norm, a.slug FROM names n JOIN actors a ON n.entity = 'actor' AND a.id = n.entity_id"
            " WHERE n.topic_id = ? AND a.id IN (SELECT stakeholder_id FROM facts WHERE topic_id = ?) LIMIT 5000",
            (topic_id, topic_id),
        )
        return [(r[0], r[1]) for r in rows]
