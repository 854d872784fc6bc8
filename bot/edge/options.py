"""Slash-command options declared once: from a request model's fields, or here when several cogs share them.

A command whose options are its request model's fields lists them nowhere else: `@model_options(Model)`
makes each field an option checked by `Checked(Model, field)` (required when the field is, else defaulting
to the field's default), and the callback, which takes them as `**options`, builds the model with
`build(Model, **options)`. Nothing is wrapped: discord.py reads a callback's parameters with
`inspect.signature`, which honours `__signature__`, so that is all this sets, and discord.py's own
`describe`, `autocomplete` and checks apply as they do to any command.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from discord import app_commands

from bot.briefing.queries import Query, describe, summary
from bot.edge.transformers import Checked
from bot.topics.models import TopicOption

F = TypeVar("F", bound=Callable[..., Any])

#: The `topic` option of every command that acts on one topic, and its help text.
TopicPick = app_commands.Transform[str, Checked(TopicOption, "topic")]
TOPIC = describe(TopicOption)


def field_option(model: type[Query], name: str) -> inspect.Parameter:
    """One field of a request model as a command parameter, the way the cogs used to spell it by hand."""
    field = model.model_fields[name]
    checked = Checked(model, name)
    if field.is_required():
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=checked)
    default = field.get_default(call_default_factory=True)
    annotation = checked | None if default is None else checked
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


def model_options(model: type[Query]) -> Callable[[F], F]:
    """Give a callback that takes `**options` one option per field of `model`, before its own options.

    Its own parameters (the `topic` to act on, say) follow the model's, and Discord lists required
    options first, so the command's options come out in the order they would have by hand. One named
    after a field replaces that field's option in its place: a channel option whose id the model takes.
    The callback takes `self` and `interaction` positionally only (`/`), so no option can be mistaken
    for them.
    """

    def declare(callback: F) -> F:
        params = list(inspect.signature(callback).parameters.values())
        if not params or params[-1].kind is not inspect.Parameter.VAR_KEYWORD:
            raise TypeError(f"{callback.__qualname__} must take **options to be given {model.__name__}'s fields")
        names = [p.name for p in params]
        head = params[: names.index("interaction") + 1]
        own = {p.name: p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params[len(head) : -1]}
        fields = [own.pop(name) if name in own else field_option(model, name) for name in model.model_fields]
        callback.__signature__ = inspect.Signature([*head, *fields, *own.values()])  # type: ignore[attr-defined]
        return callback

    return declare


def model_command(
    name: str,
    model: type[Query],
    *,
    described: dict[str, str] | None = None,
    group: app_commands.Group | None = None,
) -> Callable[[F], app_commands.Command[Any, ..., Any]]:
    """A slash command declared once, by its request model: its help text, its options and theirs.

    Every command stacked the same three decorators (the command from the model's docstring, the options'
    help from its fields, the options themselves) in the same order; `described` adds help for options
    that are not fields (`topic`); `group` makes it a subcommand of a nested group (`/curate actor add`).
    Checks and autocomplete go below it, on the callback, as discord.py reads them when the command is made.
    """

    def make(callback: F) -> app_commands.Command[Any, ..., Any]:
        declared = app_commands.describe(**describe(model), **(described or {}))(model_options(model)(callback))
        command = group.command if group is not None else app_commands.command
        return command(name=name, description=summary(model))(declared)

    return make
