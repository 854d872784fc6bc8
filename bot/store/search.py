"""Free-text search over facts: a question turned into FTS5 expressions, tried closest match first."""

from __future__ import annotations

from datetime import date

from bot.models import normalise
from bot.store import names as name_index
from bot.store.facts import Facts
from bot.store.reads import marks, up_to
from bot.store.records import FactRecord

STOP_WORDS = frozenset(
    "a about after against all an and any are as at be been before by can did do does for from had has have how"
    " in into is it its of on or over since so than that the their them there these they this to up was were"
    " what when where which who whom why will with would".split()
)


def fts_phrase(text: str) -> str:
    """Quote text as one FTS5 phrase, so punctuation in a user's query is never FTS syntax."""
    return '"' + text.replace('"', '""') + '"'


class Search(Facts):
    """Search, which reads the full-text index on its own thread and hydrates what it found as `Facts` does."""

    async def search(self, topic_id: int, query: str, as_of: date | None, limit: int) -> list[FactRecord]:
        """Active facts for a free-text question: the closest matches first, the newest first among equals.

        Each expression from `search_expressions` is tried in turn, newest first, until `limit` facts are
        found. Ranking every match by BM25 instead cost 600 ms at a million facts: SQLite scores every
        match, and counts each term's documents, before it can sort. Full-text rows are keyed by the negated
        fact id, so newest first is the order FTS5 reads its index in anyway.
        """
        found: list[int] = []
        for expression in await self.search_expressions(topic_id, query):
            rows = await self.rows(
                "SELECT f.id FROM facts_fts JOIN facts f ON f.id = -facts_fts.rowid WHERE facts_fts MATCH ?"
                f" AND f.topic_id = ? AND f.status = 'active' AND f.as_of <= ? AND f.id NOT IN ({marks(found)})"
                " ORDER BY facts_fts.rowid LIMIT ?",
                (expression, topic_id, up_to(as_of), *found, limit - len(found)),
                conn=self._conn or self.db.searcher,
            )
            found.extend(r[0] for r in rows)
            if len(found) >= limit:
                break
        return await self.facts_by_id(found)

    async def search_expressions(self, topic_id: int, query: str) -> list[str]:
        """A question as FTS5 expressions, closest match first.

        Known names ("People's Defense Forces", longest first, so that the words inside them are not also
        searched on their own) become a group of all their aliases; other content words are searched as
        they stand, stemmed. In order: every group in the statement itself, every group anywhere (a fact's
        entities column holds the names of what it is about), all groups but one, any group, and then the
        same with the words taken as prefixes ("displ"), which only a question that found too little pays for.
        """
        words = normalise(query).split()
        if not words:
            return []
        phrases = [" ".join(words[i : i + n]) for n in (4, 3, 2, 1) for i in range(len(words) - n + 1)]
        aliases = await name_index.expand_aliases(self.conn, topic_id, phrases)
        used = [False] * len(words)
        names: list[str] = []
        for n in (4, 3, 2, 1):
            for i in range(len(words) - n + 1):
                phrase = " ".join(words[i : i + n])
                if phrase in aliases and not any(used[i : i + n]):
                    used[i : i + n] = [True] * n
                    names.append("(" + " OR ".join(fts_phrase(a) for a in aliases[phrase]) + ")")
        content = [w for i, w in enumerate(words) if not used[i] and w not in STOP_WORDS and len(w) > 1]
        if not (names or content):
            content = words
        groups = list(dict.fromkeys(names + [fts_phrase(w) for w in content]))
        prefixed = list(dict.fromkeys(names + [fts_phrase(w) + ("*" if _prefixable(w) else "") for w in content]))
        expressions = [f"statement : ({' AND '.join(groups)})", " AND ".join(groups)]
        if len(groups) >= 3:
            expressions.append(_all_but_one(groups))
        expressions.append(" OR ".join(groups))
        if prefixed != groups:
            expressions += [" AND ".join(prefixed), " OR ".join(prefixed)]
        return list(dict.fromkeys(expressions))


def _all_but_one(groups: list[str]) -> str:
    """Facts that match every group but one: a fact that says the same thing in slightly other words."""
    return " OR ".join("(" + " AND ".join(groups[:i] + groups[i + 1 :]) + ")" for i in range(len(groups)))


def _prefixable(word: str) -> bool:
    return len(word) >= 4 and word.isalpha()
