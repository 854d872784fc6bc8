"""Intake quality: what real reporting becomes, over the corpus in tests/intake_corpus/.

Each page is read as intake reads it (`extract_html`, the report's language, `candidates` with the seed
pack's names and the article's own date) and the candidates are held against what an analyst expects of
the page (tests/intake_corpus/expected.yaml, written before the extraction was tuned). The held-out third
of the pages (`held_out: true`) was never looked at while tuning: its figures are printed apart, and are the
honest ones.

    furniture proposed        advertisements, share bars, related links … that became a candidate (goal 0)
    expected claims proposed  share of the analyst's claims that became a candidate (goal ≥ 95 %)
    days right                of those, the day (and precision) the analyst gives (goal ≥ 95 %)
    bare pronoun claims       candidates opening with "He", "It", "Both sides", "The group" … (goal 0)
    party claims marked       party claims whose claimant names an actor with a side (goal 100 %)
    language right            pages whose language is the one detected (goal 100 %)
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bench import intake_growth
from bench.report import Row, verdict
from bot.intake.adopting import same_sentence
from bot.intake.growth import Growth, grow
from bot.intake.language import detect_language
from bot.intake.parse import extract_html
from bot.intake.sentences import Gazetteer, Sentence, candidates, split_sentences
from bot.models import DatePrecision, Side, normalise
from bot.packs import read_pack

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "intake_corpus"
SEED = Path(__file__).resolve().parents[1] / "bot" / "seed_packs" / "operation-1027.yaml"
#: The day the corpus is read on: after every page, as a moderator reading them now would be.
LATEST = date(2024, 2, 1)
PARTIES = frozenset({Side.REGIME, Side.RESISTANCE})
CLAIMS_GOAL = 0.95
DAYS_GOAL = 0.95
# Openings that point back to an earlier sentence; a candidate opening so, unresolved, cannot stand alone.
_BARE = re.compile(
    r"^(?:(?:on|in|at|earlier|later|meanwhile|however)\b[^,]{0,30},\s*)?"
    r"(he|she|they|we|it|this|these|those|both sides|the two sides|the group)\b",
    re.IGNORECASE,
)


@dataclass
class Score:
    """The figures over a set of pages, and what fell short, for the report and for tuning."""

    pages: int = 0
    claims: int = 0
    proposed: int = 0
    days_right: int = 0
    party: int = 0
    party_marked: int = 0
    unnameable: int = 0
    observers_marked: int = 0
    claimants: int = 0
    claimants_found: int = 0
    languages_right: int = 0
    cuts: int = 0
    cuts_right: int = 0
    candidates: int = 0
    furniture: list[str] = field(default_factory=list)
    bare: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def share(self, part: int, whole: int) -> float:
        """A share as a percentage; NaN when there is nothing to share."""
        return 100.0 * part / whole if whole else math.nan


def seed_gazetteer() -> tuple[Gazetteer, dict[str, Side]]:
    """The seed pack's names as intake sees them, and each actor's side."""
    pack = read_pack(SEED)
    rows = []
    for entity, records in (("actor", pack.actors), ("place", pack.places), ("event", pack.events)):
        for record in records:
            for name in [record.name, *record.aliases]:
                rows.append((normalise(name), entity, record.slug, record.name))
    terms = [part.strip() for part in re.split(r"[()]", pack.topic.title) if part.strip()]
    terms.append(pack.topic.slug.replace("-", " "))
    return Gazetteer.build(rows, terms), {actor.slug: actor.side for actor in pack.actors}


def expected_pages() -> dict[str, dict[str, Any]]:
    """The analyst's expectations, page by page."""
    loaded: dict[str, Any] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    return dict(loaded["pages"])


def read_page(name: str, gazetteer: Gazetteer) -> tuple[str, date | None, list[Sentence], str]:
    """A corpus page read as intake reads it: its language, date, candidates and extracted text."""
    article = extract_html((CORPUS / "pages" / name).read_bytes(), None)
    language = detect_language(article.text, article.language)
    found = candidates(article.text, gazetteer, LATEST, published=article.published, language=language)
    return language, article.published, found, article.text


def _contains(haystack: str, needle: str) -> bool:
    return " ".join(needle.casefold().split()) in " ".join(haystack.casefold().split())


def _claimant_right(expected: str | None, found: str | None) -> bool:
    if expected is None or found is None:
        return expected is found
    return _contains(found, expected) or _contains(expected, found)


def score_page(name: str, expected: dict[str, Any], gazetteer: Gazetteer, sides: dict[str, Side], into: Score) -> None:
    """Add one page's figures to `into`."""
    language, published, found, text = read_page(name, gazetteer)
    into.pages += 1
    into.candidates += len(found)
    into.languages_right += language == expected["language"]
    if language != expected["language"]:
        into.misses.append(f"{name}: language {language}, expected {expected['language']}")
    for sentence in found:
        into.furniture += [
            f"{name}: {sentence.text}" for bit in expected.get("furniture", []) if _contains(sentence.text, bit)
        ]
        if _BARE.match(sentence.text):
            into.bare.append(f"{name}: {sentence.text}")
    if "sentences" in expected:
        cut = split_sentences(text)
        into.cuts += len(expected["sentences"])
        into.cuts_right += sum(sentence in cut for sentence in expected["sentences"])
    for claim in expected["claims"]:
        into.claims += 1
        match = next((s for s in found if _contains(s.text, claim["text"])), None)
        party = claim.get("party", False)
        nameable = claim.get("nameable", True)
        if party and nameable:
            into.party += 1
        elif party:
            into.unnameable += 1
        if claim.get("claimant"):
            into.claimants += 1
        if match is None:
            into.misses.append(f"{name}: not proposed: {claim['text']!r}")
            continue
        into.proposed += 1
        day = match.stated_day or published
        precision = DatePrecision(claim.get("precision", "day"))
        if day == claim["day"] and match.day_precision is precision:
            into.days_right += 1
        else:
            into.misses.append(
                f"{name}: day {day} ({match.day_precision.value}), expected {claim['day']} ({precision.value}):"
                f" {match.text!r}"
            )
        marked = any(sides.get(k.slug) in PARTIES for k in match.claimant_names)
        if party and nameable:
            into.party_marked += marked
            if not marked:
                into.misses.append(f"{name}: party claim not marked (claimant {match.claimant!r}): {claim['text']!r}")
        elif not party and marked:
            into.observers_marked += 1
            into.misses.append(f"{name}: observer's claim marked as a party's ({match.claimant!r})")
        if claim.get("claimant"):
            right = _claimant_right(claim["claimant"], match.claimant)
            into.claimants_found += right
            if not right:
                into.misses.append(f"{name}: claimant {match.claimant!r}, expected {claim['claimant']!r}")


def evaluate(held_out: bool) -> Score:
    """The figures over the tuned pages, or over the held-out third."""
    gazetteer, sides = seed_gazetteer()
    score = Score()
    for name, expected in expected_pages().items():
        if bool(expected.get("held_out")) == held_out:
            score_page(name, expected, gazetteer, sides, score)
    return score


def rows_for(label: str, score: Score) -> list[Row]:
    """One set of pages' figures as table rows."""
    pages = f"{label}, {score.pages} pages"
    claims_share = score.share(score.proposed, score.claims)
    days_share = score.share(score.days_right, score.proposed)
    party_share = score.share(score.party_marked, score.party)
    return [
        Row(f"furniture proposed ({pages}, {score.candidates} candidates)", None, len(score.furniture), "", goal="0",
            verdict=verdict(not score.furniture)),
        Row(f"expected claims proposed ({pages}, {score.claims} claims)", None, round(claims_share, 1), "%",
            goal=f"≥ {CLAIMS_GOAL:.0%}", verdict=verdict(claims_share >= 100 * CLAIMS_GOAL)),
        Row(f"days right ({pages}, of the claims proposed)", None, round(days_share, 1), "%",
            goal=f"≥ {DAYS_GOAL:.0%}", verdict=verdict(days_share >= 100 * DAYS_GOAL)),
        Row(f"bare pronoun claims ({pages})", None, len(score.bare), "", goal="0", verdict=verdict(not score.bare)),
        Row(f"party claims marked ({pages}, {score.party} claims)", None, round(party_share, 1), "%", goal="100 %",
            verdict=verdict(score.party_marked == score.party),
            note=f"{score.unnameable} more by claimants the pack has no name for" if score.unnameable else ""),
        Row(f"observer claims marked as a party's ({pages})", None, score.observers_marked, "", goal="0",
            verdict=verdict(not score.observers_marked)),
        Row(f"claimants found ({pages}, {score.claimants} claims)", None,
            round(score.share(score.claimants_found, score.claimants), 1), "%"),
        Row(f"language right ({pages})", None, round(score.share(score.languages_right, score.pages), 1), "%",
            goal="100 %", verdict=verdict(score.languages_right == score.pages)),
        Row(f"Burmese and Chinese sentences cut whole ({pages})", None,
            round(score.share(score.cuts_right, score.cuts), 1), "%", goal="100 %",
            verdict=verdict(score.cuts_right == score.cuts)),
        # One review message per article is the review change's figure: its bench fills this row.
        Row(f"review messages per article ({pages})", None, math.nan, "", goal="1"),
    ]  # fmt: skip


def growth(held_out: bool) -> intake_growth.Tally:
    """What the pages add to the dossier (issue 24), as a moderator sees it on their candidates."""
    gazetteer, events, stakes = intake_growth.seed()
    pages = expected_pages()
    wanted = yaml.safe_load((CORPUS / "growth.yaml").read_text(encoding="utf-8"))["pages"]
    tally = intake_growth.Tally()
    for name, report in wanted.items():
        if bool(pages[name].get("held_out")) != held_out:
            continue
        _, published, found, text = read_page(name, gazetteer)
        grown = grow(split_sentences(text), gazetteer, events, stakes, published=published or LATEST)
        shown = [s.text for s in found]
        # As proposing does: an event on its candidate's day, where the candidate reads one.
        on_day = [
            grown.event_on(e, s.stated_day, s.day_precision) if s.stated_day else e
            for e in grown.events
            for s in found
            if same_sentence(e.sentence, s.text)
        ]
        intake_growth.tally_report(
            tally,
            report,
            Growth(
                [n for n in grown.names if any(n.name in t for t in shown)],
                on_day,
                [s for s in grown.stakes if any(same_sentence(s.sentence, t) for t in shown)],
            ),
        )
    return tally


def run() -> list[Row]:
    """Both sets of pages, tuned first; what fell short goes to stderr."""
    rows: list[Row] = []
    for label, held_out in (("tuned", False), ("held out", True)):
        score = evaluate(held_out)
        rows += rows_for(label, score)
        for line in score.furniture + score.bare + score.misses:
            print(f"intake-quality, {label}: {line}", file=sys.stderr)
    for label, held_out in (("tuned", False), ("held out", True)):
        rows += intake_growth.table_rows(f"{label} pages", growth(held_out))
    own = intake_growth.score(yaml.safe_load(intake_growth.CORPUS.read_text(encoding="utf-8"))["reports"])
    for split, tally in sorted(own.items()):
        rows += intake_growth.table_rows(f"growth reports, {split}", tally)
    return rows
