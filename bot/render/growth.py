"""What a candidate proposes beyond its fact, as moderators read it on the review message."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.briefing.answer import Line, Section, format_day, note

WHAT = {"armed-group": "an armed group", "organisation": "an organisation"}


def name_label(values: dict[str, Any]) -> str:
    """A new name as the moderator decides on it: "Chinshwehaw, a town; parent shan-state?"."""
    what = WHAT.get(values["kind"], f"a {values['kind']}")
    aliases = f" (also {', '.join(values['aliases'])})" if values.get("aliases") else ""
    parent = f"; parent {values['parent']}?" if values.get("parent") else ""
    return f"{values['name']}{aliases}, {what}{parent}"


def growth_section(proposals: dict[str, Any], offered: list[str]) -> Section | None:
    """The new names still offered, the event proposed or linked, and the stake; None when there are none."""
    lines: list[Line] = []
    for values in proposals.get("names", []):
        if values["name"] in offered:
            lines.append(note(f"New: {name_label(values)}"))
    if event := proposals.get("event"):
        if event.get("link"):
            lines.append(note(f"Event: about `{event['link']}` on record; approving links it"))
        else:
            when = format_day(date.fromisoformat(event["day"]), event.get("precision", "day"))
            where = f", {event['place']}" if event.get("place") else ""
            lines.append(note(f"Event: “{event['name']}” ({when}{where}); approving adds it to the timeline"))
    if stake := proposals.get("stake"):
        lines.append(note(f"Stake: {stake['stakeholder']}, {stake['interest']}; approving records it"))
    return Section(title="Grows the dossier", lines=lines) if lines else None
