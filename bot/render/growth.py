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


def growth_section(entries: list[tuple[int, dict[str, Any], list[str]]]) -> Section | None:
    """For each (number, proposals, names still offered) of a page: its new names, its event, its stake."""
    lines: list[Line] = []
    for number, proposals, offered in entries:
        said = [f"new: {name_label(v)}" for v in proposals.get("names", []) if v["name"] in offered]
        if event := proposals.get("event"):
            if event.get("link"):
                said.append(f"event: about `{event['link']}` on record; approving links it")
            else:
                when = format_day(date.fromisoformat(event["day"]), event.get("precision", "day"))
                where = f", {event['place']}" if event.get("place") else ""
                said.append(f"event: “{event['name']}” ({when}{where}); approving adds it")
        if stake := proposals.get("stake"):
            said.append(f"stake: {stake['stakeholder']}, {stake['interest']}; approving records it")
        lines += [note(f"**{number}.** {line}") for line in said]
    return Section(title="Grows the dossier", lines=lines[:20]) if lines else None
