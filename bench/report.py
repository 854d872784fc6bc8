"""Figures, their floors and goals, and the table they are printed in."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


def percentile(samples: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), interpolated between the nearest samples."""
    if not samples:
        return math.nan
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[round(p) - 1] if p < 100 else max(samples)


@dataclass
class Row:
    """One line of the table: a figure, the floor it is compared with, and whether it meets its goal."""

    figure: str
    size: int | None
    value: float
    unit: str
    floor: float | None = None
    goal: str = ""
    verdict: str = "info"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Value over floor, the figure that survives a noisy machine."""
        if self.floor is None or not self.floor or math.isnan(self.value):
            return None
        return self.value / self.floor


def verdict(ok: bool, applies: bool = True) -> str:
    """'pass' or 'miss' where the issue sets the goal for this size; 'info' elsewhere (comparison only)."""
    if not applies:
        return "info"
    return "pass" if ok else "miss"


def _size(n: int | None) -> str:
    if n is None:
        return ""
    for div, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= div and n % div == 0:
            return f"{n // div}{suffix}"
    return str(n)


def _amount(value: float | None, unit: str) -> str:
    if value is None or math.isnan(value):
        return "–"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:g} {unit}".strip()


def table(rows: list[Row], markdown: bool = False) -> str:
    """The rows as an aligned text table, or as Markdown for a file in bench/results/."""
    head = ["facts", "figure", "value", "floor", "ratio", "goal", "result"]
    body = [
        [
            _size(r.size),
            r.figure + (f" ({r.note})" if r.note else ""),
            _amount(r.value, r.unit),
            _amount(r.floor, r.unit) if r.floor is not None else "",
            f"{r.ratio:.2f}×" if r.ratio is not None else "",
            r.goal,
            r.verdict,
        ]
        for r in rows
    ]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return "\n".join(lines)
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt.format(*head), fmt.format(*("-" * w for w in widths)), *(fmt.format(*c) for c in body)])


def save(rows: list[Row], path: Path, context: dict[str, object]) -> None:
    """Keep the run's figures as JSON, for comparing runs and for bench/results/."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"context": context, "rows": [asdict(r) for r in rows]}, indent=2, default=str))
