"""How much of a report the dossier can grow from (issue 24), over `tests/intake_grow_data/reports.yaml`.

    python -m bench.intake_growth

`python3 dev.py bench --only intake-quality` prints the same figures over the intake corpus's pages too
(tests/intake_corpus/growth.yaml), as intake reads them: only what reaches a candidate counts.

Against the seed pack's names, events and stakes: new names found and how many found are not expected,
their kind right, events proposed for claims that report one (and their kind right), claims linked to the
right seed event, stakes proposed, and moderator presses per report compared with today's. The tuned
reports and the held-out third are scored apart; the held-out third was never read while tuning.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bench.report import Row, verdict
from bot.intake.growth import EventProposal, Growth, KnownEvent, StakeModel, grow
from bot.intake.sentences import Gazetteer, split_sentences
from bot.models import normalise

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "intake_grow_data" / "reports.yaml"
SEED = Path(__file__).resolve().parent.parent / "bot" / "seed_packs" / "operation-1027.yaml"
GOALS = {"names found": 0.90, "not expected": 0.10, "kind right": 0.80, "events proposed": 0.90,
         "linked right": 0.90, "stakes proposed": 0.90}  # fmt: skip


@dataclass
class Tally:
    """Counts over one split of the corpus."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    presses_today: int = 0
    presses_now: int = 0
    reports: int = 0

    def add(self, what: str, hit: bool) -> None:
        got = self.counts.setdefault(what, [0, 0])
        got[0] += int(hit)
        got[1] += 1

    def share(self, what: str) -> float:
        hit, total = self.counts.get(what, [0, 0])
        return hit / total if total else 1.0


def seed() -> tuple[Gazetteer, list[KnownEvent], StakeModel]:
    """The seed pack's names, events and stakes, as intake sees them in a fresh store."""
    pack = yaml.safe_load(SEED.read_text())
    rows = []
    for entity, key in (("actor", "actors"), ("place", "places"), ("event", "events")):
        for record in pack.get(key, []):
            for name in [record["name"], *record.get("aliases", [])]:
                rows.append((normalise(name), entity, record["slug"], record["name"]))
    gazetteer = Gazetteer.build(rows, ["Operation 1027"])
    events = [
        KnownEvent(
            e["slug"],
            e["name"],
            date.fromisoformat(str(e["date"])),
            e.get("precision", "day"),
            frozenset([e["place"]] if e.get("place") else e.get("places", [])),
            frozenset(a["actor"] for a in e.get("actors", [])),
        )
        for e in pack["events"]
    ]
    stakes = StakeModel.build(
        ((f.get("stakeholder"), f.get("actors", [])) for f in pack["facts"] if f.get("stakeholder")),
        [(norm, slug) for norm, entity, slug, _ in rows if entity == "actor"],
        Counter(actor for f in pack["facts"] for actor in f.get("actors", [])),
    )
    return gazetteer, events, stakes


def score(reports: list[dict[str, Any]]) -> dict[str, Tally]:
    """Each split's tally: the rules run on every report, compared with what an analyst recorded."""
    gazetteer, events, stakes = seed()
    tallies: dict[str, Tally] = {}
    for report in reports:
        tally = tallies.setdefault(report["split"], Tally())
        sentences = split_sentences(report["text"])
        tally_report(tally, report, grow(sentences, gazetteer, events, stakes, published=report["published"]))
    return tallies


def tally_report(tally: Tally, report: dict[str, Any], growth: Growth) -> None:
    """Add one report's figures: what it proposed against what the analyst recorded (`names`, `events`, `stakes`)."""
    _names(tally, report, growth)
    _events(tally, report, growth)
    _stakes(tally, report, growth)
    tally.reports += 1


def _names(tally: Tally, report: dict[str, Any], growth: Growth) -> None:
    found = {normalise(n.name): n for n in growth.names}
    expected = {normalise(n["name"]): n for n in report["names"]}
    for key, want in expected.items():
        got = found.get(key)
        tally.add("names found", got is not None)
        if got is not None:
            tally.add("kind right", (got.entity, got.kind) == (want["entity"], want["kind"]))
            if "parent" in want:
                tally.add("parent right", got.parent == want["parent"])
            for alias in want.get("aliases", []):
                tally.add("alias found", alias in got.aliases)
    for key in found:
        tally.add("not expected", key not in expected)
    # Today: a new name costs a moderator a typed /curate command (one press and a form); now one press.
    tally.presses_today += 2 * len(expected) + 2 * len(report["events"]) + 2 * len(report["stakes"])
    tally.presses_now += len(growth.names) + sum(
        0 if _matching(growth.events, e["sentence"]) else 2 for e in report["events"]
    )
    tally.presses_now += sum(0 if _stake(growth, s["sentence"]) else 2 for s in report["stakes"])


def _matching(proposals: list[EventProposal], sentence: str) -> EventProposal | None:
    return next((p for p in proposals if sentence in p.sentence), None)


def _events(tally: Tally, report: dict[str, Any], growth: Growth) -> None:
    wanted = {e["sentence"] for e in report["events"]}
    for want in report["events"]:
        got = _matching(growth.events, want["sentence"])
        if "link" in want:
            tally.add("linked right", got is not None and got.link == want["link"])
            continue
        tally.add("events proposed", got is not None and got.link is None)
        if got is not None:
            tally.add("event kind right", got.kind == want["kind"])
            if "place" in want:
                place = want["place"]
                tally.add("event place right", got.place in (place, normalise(place)))
            if "day" in want:
                tally.add("event day right", got.day == want["day"])
    for proposal in growth.events:
        tally.add("events not expected", not any(w in proposal.sentence for w in wanted))


def _stake(growth: Growth, sentence: str) -> tuple[str, str] | None:
    return next(((s.stakeholder, s.interest) for s in growth.stakes if sentence in s.sentence), None)


def _stakes(tally: Tally, report: dict[str, Any], growth: Growth) -> None:
    for want in report["stakes"]:
        got = _stake(growth, want["sentence"])
        tally.add("stakes proposed", got is not None and got[0] == want["stakeholder"])
        if got is not None:
            tally.add("interest right", got[1] == want["interest"])
    wanted = [s["sentence"] for s in report["stakes"]]
    for stake in growth.stakes:
        tally.add("stakes not expected", not any(w in stake.sentence for w in wanted))


def table_rows(label: str, tally: Tally) -> list[Row]:
    """One split's figures as rows of the benchmark table, the issue's goals judged."""
    found: list[Row] = []
    for what in sorted(tally.counts, key=lambda w: (w not in GOALS, w)):
        share = 100 * tally.share(what)
        goal = GOALS.get(what)
        if goal is None:
            found.append(Row(f"{what} ({label})", None, round(share, 1), "%"))
            continue
        ok = share <= 100 * goal if what == "not expected" else share >= 100 * goal
        sign = "≤" if what == "not expected" else "≥"
        hit, total = tally.counts[what]
        found.append(
            Row(f"{what} ({label}, {hit} of {total})", None, round(share, 1), "%", goal=f"{sign} {goal:.0%}",
                verdict=verdict(ok))
        )  # fmt: skip
    if tally.reports:
        now, today = tally.presses_now / tally.reports, tally.presses_today / tally.reports
        found.append(Row(f"moderator presses per report ({label})", None, round(now, 1), "", note=f"today {today:.1f}"))
    return found


def rows(tallies: dict[str, Tally]) -> list[str]:
    """One line per figure: each split's share, the goal and whether it is met."""
    lines = []
    names = sorted({what for t in tallies.values() for what in t.counts}, key=lambda w: (w not in GOALS, w))
    splits = sorted(tallies)
    lines.append(f"{'figure':<22}" + "".join(f"{s:>12}" for s in splits) + "   goal")
    for what in names:
        shares = [tallies[s].share(what) for s in splits]
        goal = GOALS.get(what)
        if goal is None:
            verdict = "info"
        else:
            ok = all(v <= goal for v in shares) if what == "not expected" else all(v >= goal for v in shares)
            verdict = f"{'<=' if what == 'not expected' else '>='} {goal:.0%} {'met' if ok else 'MISSED'}"
        lines.append(f"{what:<22}" + "".join(f"{v:>12.0%}" for v in shares) + f"   {verdict}")
    presses = "".join(
        f"{tallies[s].presses_today / tallies[s].reports:>6.1f}->{tallies[s].presses_now / tallies[s].reports:<4.1f}"
        for s in splits
    )
    lines.append(f"{'presses per report':<22}{presses}   today -> now")
    return lines


def main() -> int:
    """Print the figures for both splits."""
    reports = yaml.safe_load(CORPUS.read_text())["reports"]
    print("\n".join(rows(score(reports))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
