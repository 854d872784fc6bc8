"""Failures a user can act on, kept apart from bugs so each gets the right answer.

Anything raised as a `UserError` is shown to the person who asked, ephemerally and as written; anything
else is a bug: logged with its context, and the user gets an apology with an error id.
"""

from __future__ import annotations

from pydantic import ValidationError


class UserError(Exception):
    """Something the user can fix; the message says what to do."""


class NotFound(UserError):
    """A name or id that matches nothing in the store."""


def explain(exc: ValidationError) -> UserError:
    """Turn pydantic's report into one short message naming each option and the rule it broke."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"])
        message = "unknown option" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
        parts.append(f"`{field}`: {message}" if field else message)
    return UserError("; ".join(parts))
