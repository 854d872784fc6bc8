"""Slash-command options declared and checked by the request models' fields.

`Checked(Model, "field")` is the one Transformer behind every typed option: dates (`PastDate`: no
impossible or future day), schedules, time zones, lengths of time, names, reasons and ids alike. What
Discord is told (the option's type, min/max length or value, choices) is read from the field's
constraints, and what arrives is validated by the same field, so the client's checks and the bot's
can never disagree; a crafted client that skips the client's checks meets the same rule and the same
message. A refusal is a `BadOption`, which the error handler answers ephemerally.

Validation of a whole request (`since` not after `until`, a stake with a stakeholder) still happens when
the cog builds the model; the field check here is what makes a bad option fail before anything runs.
"""

from __future__ import annotations

import types
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import discord
from discord import app_commands
from pydantic import ValidationError, create_model
from pydantic.fields import FieldInfo

from bot.briefing.queries import Query
from bot.errors import UserError, explain


class BadOption(app_commands.AppCommandError):
    """An option value the bot refuses; the message names the option and says what to give instead."""


def _inner(annotation: Any) -> Any:
    """The type under `X | None`."""
    if get_origin(annotation) in (Union, types.UnionType):
        (inner,) = [a for a in get_args(annotation) if a is not type(None)]
        return inner
    return annotation


def _constraints(annotation: Any, metadata: list[Any]) -> list[Any]:
    """Every constraint on a field, from its own metadata and from the Annotated types it is built of."""
    found: list[Any] = []
    for item in metadata:
        found.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    inner = _inner(annotation)
    if get_origin(inner) is Annotated:
        found.extend(_constraints(get_args(inner)[0], list(inner.__metadata__)))
    return found


def _base(annotation: Any) -> Any:
    inner = _inner(annotation)
    return _base(get_args(inner)[0]) if get_origin(inner) is Annotated else inner


def _whole(bound: object) -> int:
    """A numeric bound as Discord takes it; the models bound whole numbers only."""
    if not isinstance(bound, int):
        raise TypeError(f"a non-integer bound {bound!r} cannot be declared to Discord")
    return bound


def limits(model: type[Query], name: str) -> tuple[int | None, int | None]:
    """The least and most a field allows: characters for text, values for numbers."""
    field = model.model_fields[name]
    low = high = None
    for item in _constraints(field.annotation, field.metadata):
        if isinstance(item, annotated_types.MinLen):
            low = item.min_length
        elif isinstance(item, annotated_types.Ge):
            low = _whole(item.ge)
        elif isinstance(item, annotated_types.MaxLen):
            high = item.max_length
        elif isinstance(item, annotated_types.Le):
            high = _whole(item.le)
    return low, high


class Checked(app_commands.Transformer):
    """An option declared from a request model's field and validated by it (see the module's docstring)."""

    def __init__(self, model: type[Query], name: str) -> None:
        field = model.model_fields[name]
        self.name = name
        self.base = _base(field.annotation)
        self.low, self.high = limits(model, name)
        # The field alone, in a model of its own: same type, same cleaning, same messages and titles.
        self.single: type[Query] = create_model(  # type: ignore[call-overload]
            f"{model.__name__}_{name}", __base__=Query, **{name: (field.annotation, field)}
        )

    @property
    def type(self) -> discord.AppCommandOptionType:
        """Integer for whole numbers, boolean for flags, otherwise text."""
        if self.base is int:
            return discord.AppCommandOptionType.integer
        if self.base is bool:
            return discord.AppCommandOptionType.boolean
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int | None:
        """The least length or value (discord.py sends it as `min_length` for text)."""
        return self.low

    @property
    def max_value(self) -> int | None:
        """The most length or value (discord.py sends it as `max_length` for text)."""
        return self.high

    @property
    def choices(self) -> list[app_commands.Choice[int | float | str]] | None:
        """The values of an enum or literal field, shown as they are written."""
        if isinstance(self.base, type) and issubclass(self.base, Enum):
            return [app_commands.Choice(name=str(v.value), value=str(v.value)) for v in self.base]
        if get_origin(self.base) is Literal:
            return [app_commands.Choice(name=str(v), value=str(v)) for v in get_args(self.base)]
        return None

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> Any:
        """The value as the field validates it (a `date` for a day, cleaned text, an enum member), or `BadOption`."""
        try:
            checked = self.single.model_validate({self.name: value})
        except ValidationError as exc:
            raise BadOption(str(explain(exc, self.single))) from None
        except UserError as exc:
            raise BadOption(f"`{self.name}`: {exc}") from None
        return getattr(checked, self.name)
