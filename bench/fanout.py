"""Measurement 3: digest fan-out, 1,000 subscriptions due in the same minute under Discord's rate limits.

Pending: it needs the digests feature wired into the running bot (`cogs.digests` loaded by `BriefBot`).
"""

from __future__ import annotations

from bench.report import Row


def run() -> list[Row]:
    """A placeholder row, so the table says what is not measured yet instead of leaving it out."""
    return [
        Row(
            "digest fan-out, 1,000 subscriptions",
            None,
            float("nan"),
            "s",
            goal="all once, ≤ 1.2× the rate limit",
            verdict="pending",
        )
    ]
