"""What a picture shows, before it is pixels: a render-neutral chart spec carried by an `Answer`.

The briefing code builds a spec from exactly the records its answer shows (active facts, dated on or
before the day asked, of the answer's topic), so a picture can never say more than its text. A spec is
frozen and small: it is cached with its answer, frozen into a digest's ledger row as JSON, and its JSON is
the key under which the drawn PNG is kept (`bot.pictures.painter`). `bot.pictures.draw` turns it into PNG
bytes; the edge attaches them, the console writes them to a file.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Spec(BaseModel):
    """Base for the parts of a chart: frozen, so a spec can be shared by every reader of its answer."""

    model_config = ConfigDict(frozen=True)


class Series(Spec):
    """One stack of a bar chart: its name and one count per period."""

    name: str
    counts: list[int]


class Mark(Spec):
    """A dated line across a bar chart, such as the start of the offensive or a milestone after it."""

    period: int = Field(description="The index of the period the day falls in.")
    label: str


class Node(Spec):
    """An actor in a picture of links; `role` places it, `side` colours it."""

    name: str
    side: str
    role: Literal["centre", "ally", "member", "parent", "opponent", "other"] = "other"


class Edge(Spec):
    """A link between two nodes (indexes into `nodes`), labelled with the relation in words."""

    source: int
    target: int
    label: str


class Chart(Spec):
    """A picture an answer carries: events per period stacked by series, or an actor's links.

    `description` is one sentence saying what the picture shows; Discord gives it to screen readers as the
    attachment's description, and the console prints it beside the file's path.
    """

    kind: Literal["bars", "links"]
    title: str
    description: str = Field(max_length=1024)
    filename: str
    period: Literal["week", "month"] | None = None
    #: The first day of each period (a Monday, or the 1st of a month), in order.
    periods: list[date] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list)
    marks: list[Mark] = Field(default_factory=list)
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    compact: bool = False

    @property
    def total(self) -> int:
        """How many things a bar chart counts in all (for tests and descriptions)."""
        return sum(sum(s.counts) for s in self.series)

    def key(self) -> str:
        """A stable key for the drawn picture: two answers that show the same picture share its bytes."""
        return self.model_dump_json()
