"""Failures a user can act on, kept apart from bugs so each gets the right answer.

Anything raised as a `UserError` is shown to the person who asked, ephemerally and as written; anything
else is a bug: logged with its context, and the user gets an apology with an error id.

Messages say what is wrong in words that read the same in Discord and in a terminal; advice that
depends on the front end is worded by the front end from what the error carries (`NotFound.names`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
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


#: pydantic's wording ("Input should be a valid integer, unable to parse string as an integer") for the
#: common types, said the way a person would say it; other errors keep pydantic's message.
_PLAIN = {
    "int_parsing": "must be a whole number, such as 3",
    "int_type": "must be a whole number, such as 3",
    "int_from_float": "must be a whole number, such as 3",
    "date_parsing": "must be a date in the form YYYY-MM-DD",
    "date_type": "must be a date in the form YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date in the form YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date in the form YYYY-MM-DD",
    "bool_parsing": "must be yes or no (true or false)",
    "bool_type": "must be yes or no (true or false)",
}


def plain_message(err: ErrorDetails) -> str:
    """One pydantic error in plain words: the rule that was broken, not pydantic's phrasing of it."""
    if err["type"] in _PLAIN:
        return _PLAIN[err["type"]]
    if err["type"] in {"literal_error", "enum"}:
        return f"must be {err.get('ctx', {}).get('expected', 'one of the listed values')}"
    return err["msg"].removeprefix("Value error, ")


def explain(exc: ValidationError) -> UserError:
    """Turn pydantic's report into one short message naming each option and the rule it broke."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"])
        message = "unknown option" if err["type"] == "extra_forbidden" else plain_message(err)
        parts.append(f"`{field}`: {message}" if field else message)
    return UserError("; ".join(parts))
