"""A chart spec drawn as PNG bytes with matplotlib: the one place the plotting library is used.

matplotlib is imported inside `draw`, so a process that never draws a picture never loads it (it costs
tens of megabytes and a second or two). The object-oriented API is used without pyplot: a `Figure` on an
Agg canvas has no global state, no GUI backend to choose, and is freed when it goes out of scope.

Readability at Discord's preview size (about 400 px wide, half of the 800 drawn) on dark and light
themes: a light card background with near-black text reads on both, text is at least 11 pt at 100 dpi,
and colours come from the Okabe–Ito palette, which stays distinct under the common colour-vision
deficiencies; a bar chart's stacks are also told apart by their order in the legend, and a picture of
links names every side in words.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any

from bot.pictures.spec import Chart

#: Okabe & Ito (2008), "Color Universal Design": distinct for protanopes, deuteranopes and tritanopes.
#: Yellow is last: it is the one that reads poorly on a light card.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442")
OTHER = "#8C8C8C"
#: Stacks that are not a place or an actor: greys, so the palette's colours stay for what is named.
GREYS = {"Other": OTHER, "No place recorded": "#C4C4C4", "No other actor": "#C4C4C4"}
SIDES = {
    "regime": "#D55E00",
    "resistance": "#0072B2",
    "external": "#E69F00",
    "neutral": "#009E73",
    "unknown": "#8C8C8C",
}
CARD = "#F4F4F2"
INK = "#1A1A1A"
MUTED = "#555555"
DPI = 100
#: Width × height in inches at `DPI`: 800 × 400 px, a compact chart 800 × 300, links 800 × 480.
SIZES = {"bars": (8.0, 4.0), "compact": (8.0, 3.0), "links": (8.0, 4.8)}
FONT = 12
#: Where the plotting area sits on the card (fractions of its size): room for the title, ticks and legend.
MARGINS = {
    "bars": {"left": 0.08, "right": 0.70, "top": 0.88, "bottom": 0.16},
    "compact": {"left": 0.08, "right": 0.70, "top": 0.86, "bottom": 0.2},
    "links": {"left": 0.01, "right": 0.99, "top": 0.92, "bottom": 0.01},
}
#: At most this many period labels under the bars; the others stay unlabelled ticks.
MAX_LABELS = 8


def size_px(chart: Chart) -> tuple[int, int]:
    """The picture's width and height in pixels."""
    width, height = SIZES["compact" if chart.compact else chart.kind]
    return round(width * DPI), round(height * DPI)


def draw(chart: Chart) -> bytes:
    """The chart as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height = SIZES["compact" if chart.compact else chart.kind]
    # Fixed margins rather than a layout engine: "constrained" layout cost a third of the drawing time.
    figure = Figure(figsize=(width, height), dpi=DPI, facecolor=CARD)
    figure.subplots_adjust(**MARGINS["compact" if chart.compact else chart.kind])
    FigureCanvasAgg(figure)
    if chart.kind == "bars":
        _bars(figure, chart)
    else:
        _links(figure, chart)
    out = io.BytesIO()
    # Light compression: the file is a little larger (still tens of kilobytes), the drawing faster.
    figure.savefig(
        out, format="png", dpi=DPI, facecolor=CARD, metadata={"Software": None}, pil_kwargs={"compress_level": 2}
    )
    figure.clear()
    return out.getvalue()


def _bars(figure: Any, chart: Chart) -> None:
    from matplotlib.ticker import MaxNLocator

    ax = figure.add_subplot()
    _card(ax)
    n = len(chart.periods)
    x = list(range(n))
    bottom = [0] * n
    for index, series in enumerate(chart.series):
        colour = GREYS.get(series.name) or PALETTE[index % len(PALETTE)]
        ax.bar(
            x,
            series.counts,
            bottom=bottom,
            width=0.8,
            color=colour,
            edgecolor=CARD,
            linewidth=0.6,
            label=_short(series.name),
        )
        bottom = [b + c for b, c in zip(bottom, series.counts, strict=True)]
    top = max(bottom, default=0) or 1
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    step = max(1, math.ceil(n / MAX_LABELS))
    ax.set_xticks(x[::step], _tick_labels(chart, x[::step]), fontsize=FONT - 1, color=INK)
    ax.set_xlim(-0.6, n - 0.4)
    ax.tick_params(axis="y", labelsize=FONT - 1, colors=INK)
    ax.set_ylabel(f"events per {chart.period or 'period'}", fontsize=FONT - 1, color=MUTED)
    for row, mark in enumerate(chart.marks):
        right = mark.period >= n * 0.6
        ax.axvline(mark.period, color=INK, linestyle="--", linewidth=1.2, zorder=3)
        ax.annotate(
            mark.label,
            (mark.period, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-4 if right else 4, -4 - row * (FONT + 5)),
            textcoords="offset points",
            ha="right" if right else "left",
            va="top",
            fontsize=FONT - 1,
            color=INK,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": CARD, "edgecolor": "none", "alpha": 0.9},
            zorder=4,
        )
    ax.set_ylim(0, top * (1.18 + 0.12 * len(chart.marks)) + 0.5)
    ax.set_title(chart.title, fontsize=FONT + 2, color=INK, loc="left", fontweight="bold")
    if len(chart.series) > 1 or (chart.series and chart.series[0].name):
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(
            handles[::-1],
            labels[::-1],
            fontsize=FONT - 1,
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            labelcolor=INK,
        )


def _short(name: str, most: int = 20) -> str:
    """A legend label that fits beside the chart: long names end in an ellipsis (the description has them whole)."""
    return name if len(name) <= most else name[: most - 1].rstrip() + "…"


def _tick_labels(chart: Chart, ticks: list[int]) -> list[str]:
    """Period labels under the ticks, with the year only where it changes (and on the first)."""
    labels, year = [], None
    for i in ticks:
        start = chart.periods[i]
        text = start.strftime("%b") if chart.period == "month" else f"{start.day} {start:%b}"
        if start.year != year:
            text += f" {start.year}" if chart.period == "month" else f"\n{start.year}"
            year = start.year
        labels.append(text)
    return labels


def _card(ax: Any) -> None:
    """The plotting area on the card: no box, light grid lines behind the bars, dark ticks."""
    ax.set_facecolor(CARD)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.grid(axis="y", color="#D0D0D0", linewidth=0.8)
    ax.set_axisbelow(True)


def _links(figure: Any, chart: Chart) -> None:
    from matplotlib.lines import Line2D

    ax = figure.add_subplot()
    ax.set_facecolor(CARD)
    ax.set_axis_off()
    positions = _layout(chart)
    for edge in chart.edges:
        (x0, y0), (x1, y1) = positions[edge.source], positions[edge.target]
        ax.plot([x0, x1], [y0, y1], color=MUTED, linewidth=1.6, zorder=1)
        ax.text(
            x0 + (x1 - x0) * 0.6,
            y0 + (y1 - y0) * 0.6,
            edge.label,
            ha="center",
            va="center",
            fontsize=FONT - 1,
            color=INK,
            style="italic",
            bbox={"boxstyle": "round,pad=0.25", "facecolor": CARD, "edgecolor": "none"},
            zorder=3,
        )
    for index, node in enumerate(chart.nodes):
        x, y = positions[index]
        centre = node.role == "centre"
        ax.scatter(
            [x],
            [y],
            s=900 if centre else 420,
            color=SIDES.get(node.side, OTHER),
            edgecolors=INK,
            linewidths=1.4 if centre else 0.8,
            zorder=4,
        )
        above = y > 0.05
        ax.text(
            x,
            y + (0.17 if above else -0.17) if not centre else y + 0.2,
            textwrap.fill(node.name, 22),
            ha="center",
            va="bottom" if above or centre else "top",
            fontsize=FONT + (1 if centre else -1),
            fontweight="bold" if centre else "normal",
            color=INK,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": CARD, "edgecolor": "none", "alpha": 0.85}
            if centre
            else None,
            zorder=5,
        )
    ax.set_xlim(-2.25, 2.25)
    ax.set_ylim(-1.45, 1.45)
    ax.set_title(chart.title, fontsize=FONT + 2, color=INK, loc="left", fontweight="bold")
    sides = list(dict.fromkeys(node.side for node in chart.nodes))
    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=11, color=SIDES.get(s, OTHER), markeredgecolor=INK)
        for s in sides
    ]
    ax.legend(
        handles,
        sides,
        title="side",
        fontsize=FONT - 1,
        title_fontsize=FONT - 1,
        frameon=False,
        loc="lower right",
        labelcolor=INK,
    )


def _layout(chart: Chart) -> list[tuple[float, float]]:
    """The centre in the middle, the others around it on a wide ellipse, parents on top, members below."""
    order = {"parent": 0, "ally": 1, "other": 2, "opponent": 3, "member": 4}
    others = sorted(
        (i for i, n in enumerate(chart.nodes) if n.role != "centre"),
        key=lambda i: (order.get(chart.nodes[i].role, 2), i),
    )
    positions: list[tuple[float, float]] = [(0.0, 0.0)] * len(chart.nodes)
    count = len(others)
    for rank, index in enumerate(others):
        angle = math.pi / 2 - 2 * math.pi * rank / max(count, 1) + (math.pi / count if count % 2 == 0 else 0)
        positions[index] = (1.65 * math.cos(angle), 1.0 * math.sin(angle))
    return positions
