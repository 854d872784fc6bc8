"""Pictures: the chart specs answers carry count what their text lists, and draw to readable PNGs.

Drawn for real with matplotlib (in a thread, as the console does): the library is the thing under test.
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from bot.briefing.pictures import bar_chart, periods
from bot.briefing.queries import ActorQuery, BriefQuery, TimelineQuery
from bot.briefing.service import Briefing
from bot.console import Pictures, answer_line
from bot.packs import read_pack
from bot.pictures.draw import size_px
from bot.pictures.painter import Painter
from bot.store import Store
from bot.store.writes import apply_pack

SEED = Path(__file__).resolve().parents[2] / "bot" / "seed_packs" / "operation-1027.yaml"
EVENT_LINE = re.compile(r"^(\d{1,2} \w{3} \d{4}|\w{3} \d{4}|\d{4}): \*\*")


@pytest.fixture
async def briefing(store: Store) -> Briefing:
    await apply_pack(store.db, read_pack(SEED))
    return Briefing(store, "operation-1027", "Beijing", cache_size=0)


@pytest.fixture(scope="module")
def painter() -> Painter:
    return Painter(where="thread")


async def listed_events(briefing: Briefing, query: TimelineQuery) -> int:
    """How many event lines the timeline's text shows, over all its pages."""
    first = await briefing.timeline(query)
    pages = [first] + [await briefing.timeline(query, page) for page in range(2, first.pages + 1)]
    return sum(bool(EVENT_LINE.match(line.text)) for answer in pages for line in answer.lines)


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image


async def test_a_filtered_timeline_chart_counts_exactly_the_events_its_text_lists(briefing):
    for query in (
        TimelineQuery(),
        TimelineQuery(since=date(2023, 10, 1), until=date(2023, 11, 30)),
        TimelineQuery(actor="Three Brotherhood Alliance"),
    ):
        answer = await briefing.timeline(query)
        assert answer.chart is not None, query
        assert answer.chart.total == await listed_events(briefing, query), query


async def test_the_timeline_chart_is_stacked_marked_and_described(briefing, painter):
    chart = (await briefing.timeline(TimelineQuery(since=date(2023, 10, 1), until=date(2023, 11, 30)))).chart
    assert chart is not None and chart.kind == "bars" and chart.period == "week"
    assert chart.periods[0] == date(2023, 9, 25) and len(chart.periods) == 10
    names = [s.name for s in chart.series]
    assert "Shan State" in names and "Several regions" in names  # PDF fighting in Sagaing and Magway
    assert [m.label for m in chart.marks] == ["Operation 1027 launched", "1 month on"]
    assert chart.description.startswith("Bar chart of the 8 events in this timeline per week")
    assert "stacked by region" in chart.description and "Operation 1027 launched" in chart.description
    image = decoded(await painter.png(chart))
    assert image.size == size_px(chart) == (800, 400)


async def test_an_actors_timeline_is_stacked_by_the_other_actor(briefing):
    chart = (await briefing.timeline(TimelineQuery(actor="Three Brotherhood Alliance"))).chart
    assert chart is not None
    assert {s.name for s in chart.series} == {"Myanmar military junta"}
    assert "stacked by the other actor taking part" in chart.description


async def test_no_chart_for_a_span_of_one_period(briefing):
    one_week = TimelineQuery(since=date(2023, 10, 23), until=date(2023, 10, 28))
    assert (await briefing.timeline(one_week)).chart is None


async def test_a_chart_leaves_out_retracted_facts_events(briefing, store):
    before = (await briefing.timeline(TimelineQuery())).chart
    async with store.db.transaction() as conn:  # the only fact behind the 2022 re-engagement
        await conn.execute(
            "UPDATE facts SET status = 'retracted' WHERE event_id = (SELECT id FROM events WHERE slug = ?)",
            ("beijing-re-engagement",),
        )
    after = (await briefing.timeline(TimelineQuery())).chart
    assert before is not None and after is not None
    assert after.total == before.total - 1 == await listed_events(briefing, TimelineQuery())


async def test_the_brief_charts_the_last_weeks_only_up_to_as_of(briefing, painter):
    chart = (await briefing.brief(BriefQuery())).chart
    assert chart is not None and chart.compact and chart.period == "week"
    assert chart.title == "Events per week, 8 weeks to 27 Nov 2023"
    assert decoded(await painter.png(chart)).size == (800, 300)
    assert (await briefing.brief(BriefQuery(as_of=date(2023, 10, 30)))).chart is None  # one event by then


async def test_the_actor_picture_shows_its_links_by_role(briefing, painter):
    chart = (await briefing.actor(ActorQuery(name="Three Brotherhood Alliance"))).chart
    assert chart is not None and chart.kind == "links"
    centre, *others = chart.nodes
    assert centre.role == "centre" and centre.name == "Three Brotherhood Alliance"
    roles = {n.name: n.role for n in others}
    assert roles["Myanmar military junta"] == "opponent" and roles["Arakan Army"] == "member"
    assert roles["People's Defense Forces"] == "ally"
    assert {e.label for e in chart.edges} == {"opposes", "member", "cooperates with"}
    assert chart.description.startswith("Diagram of Three Brotherhood Alliance's links to 5 actors")
    assert decoded(await painter.png(chart)).size == (800, 480)
    lonely = (await briefing.actor(ActorQuery(name="Bamar"))).chart
    assert lonely is None


async def test_a_picture_is_drawn_once_and_reused(briefing):
    painter = Painter(where="thread")
    chart = (await briefing.actor(ActorQuery(name="junta"))).chart
    assert chart is not None
    first, second = await painter.png(chart), await painter.png(chart)
    assert first is second and painter.drawn == 1


async def test_a_reply_goes_without_a_picture_when_too_many_wait(briefing):
    painter = Painter(where="thread", waiting=0)
    chart = (await briefing.actor(ActorQuery(name="junta"))).chart
    assert chart is not None
    assert await painter.png(chart) is None and painter.shed == 1 and painter.drawn == 0
    assert await painter.png(chart, queue=True) is not None  # a digest's picture waits its turn


def test_long_spans_are_counted_per_month():
    unit, starts = periods(date(2023, 1, 15), date(2023, 12, 2))
    assert unit == "month" and len(starts) == 12 and starts[0] == date(2023, 1, 1)
    chart = bar_chart(
        [(date(2023, 1, 20), f"R{i}") for i in range(9)],
        first=date(2023, 1, 15),
        last=date(2023, 12, 2),
        title="Events per {unit}",
        what="here",
        stacked_by="region",
    )
    assert chart is not None and chart.title == "Events per month" and chart.total == 9
    assert len(chart.series) == 6 and chart.series[-1].name == "Other" and sum(chart.series[-1].counts) == 4


async def test_the_console_writes_pictures_and_prints_their_paths(briefing, tmp_path, painter):
    text = await answer_line(briefing, "/actor name:Tatmadaw", pictures=Pictures(tmp_path, painter))
    printed = text.splitlines()[-1]
    assert printed.startswith(f"picture: {tmp_path}") and "Diagram of Myanmar military junta's links" in printed
    path = Path(printed.split()[1])
    assert decoded(await asyncio.to_thread(path.read_bytes)).size == (800, 480)
    assert "picture:" not in await answer_line(briefing, "/actor name:Tatmadaw")
