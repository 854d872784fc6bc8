"""Failures a user can act on, kept apart from bugs so each gets the right answer.

Anything raised as a `UserError` is shown to the person who asked, ephemerally and as written; anything
else is a bug: logged with its context, and the user gets an apology with an error id.

Messages say what is wrong in words that read the same in Discord and in a terminal; advice that
depends on the front end is worded by the front end from what the error carries (`NotFound.names`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails


class UserError(Exception):
    """Something the user can fix; the message says what to do."""


class NotFound(UserError):
    """A name or id that matches nothing in the store.

    `names` holds the closest names on record, best first, when what was not found is a name someone
    typed (empty when nothing is close); it is None for an id, or for a record that is gone. Each front
    end words the advice from it, since "pick one of the suggestions" means something only in Discord.
    """

    def __init__(self, message: str, *, names: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.names = None if names is None else list(names)


def in_words(err: ErrorDetails, *, unknown: str = "unknown option") -> str:
    """Say what pydantic complains of in the bot's words; a value is never echoed, so nothing typed comes back raw."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        return unknown
    if kind == "missing":
        return "is required"
    if kind in ("string_too_short", "too_short"):
        least = ctx.get("min_length", 1)
        if least == 1:
            return "is empty: write some visible text (spaces and invisible characters do not count)"
        return f"needs at least {least} characters"
    if kind in ("string_too_long", "too_long"):
        return f"is too long: at most {ctx.get('max_length')} characters"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected')}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "must be a whole number, such as 3"
    if kind.startswith("date_"):
        return "must be a date in the form YYYY-MM-DD"
    if kind in ("bool_parsing", "bool_type"):
        return "must be yes or no (true or false)"
    if kind == "string_pattern_mismatch":
        return "may use only lower-case letters, digits and dashes"
    return err["msg"].removeprefix("Value error, ")


def explain(exc: ValidationError, model: type[BaseModel] | None = None) -> UserError:
    """Turn pydantic's report into one short message naming each option and the rule it broke.

    A field is named as the user sees it: by its `title` when the model gives one (a form's label, such
    as "Source date"), otherwise by its option name.
    """
    fields: dict[str, Any] = model.model_fields if model is not None else {}
    parts = []
    for err in exc.errors():
        path = [str(p) for p in err["loc"]]
        if path and path[0] in fields and fields[path[0]].title:
            path[0] = fields[path[0]].title
        field = ".".join(path)
        parts.append(f"`{field}`: {in_words(err)}" if field else in_words(err))
    return UserError("; ".join(parts))
