"""`Checked`: an option declared from its request model's field and refused exactly as the model refuses."""

from __future__ import annotations

from datetime import date

import discord
import pytest

from bot.briefing.queries import BriefQuery, FactQuery, SearchQuery, build
from bot.curation.models import FactAddRequest, RetractRequest
from bot.digests.models import SubscribeRequest
from bot.edge.transformers import BadOption, Checked
from bot.errors import UserError


def test_the_option_is_declared_from_the_field():
    reason = Checked(RetractRequest, "reason")
    assert (reason.type, reason.min_value, reason.max_value) == (discord.AppCommandOptionType.string, 1, 500)
    fact_id = Checked(FactQuery, "id")
    assert (fact_id.type, fact_id.min_value, fact_id.max_value) == (discord.AppCommandOptionType.integer, 1, 2**53 - 1)
    assert [c.value for c in Checked(FactAddRequest, "reliability").choices] == list("ABCDEF")
    assert "stake" in [c.value for c in Checked(FactAddRequest, "kind").choices]
    assert Checked(BriefQuery, "as_of").choices is None


async def test_a_value_comes_back_as_the_field_validates_it():
    assert await Checked(BriefQuery, "as_of").transform(None, "2023-11-01") == date(2023, 11, 1)
    assert await Checked(BriefQuery, "as_of").transform(None, "\u200b") is None  # optional and blank: not given
    assert await Checked(SearchQuery, "query").transform(None, " Lashio\x00 ") == "Lashio"


@pytest.mark.parametrize(
    ("model", "field", "value", "others"),
    [
        (RetractRequest, "reason", "x" * 5000, {"id": 1}),
        (RetractRequest, "reason", "\u200b\u200b", {"id": 1}),
        (BriefQuery, "as_of", "9999-12-31", {}),
        (SearchQuery, "query", "*", {}),
        (FactAddRequest, "kind", "rumour", {"reliability": "A", "credibility": 1}),
        (FactAddRequest, "credibility", 7, {"reliability": "A", "kind": "figure"}),
        (SubscribeRequest, "schedule", "99 9 * * *", {"channel": 1, "timezone": "UTC"}),
        (SubscribeRequest, "timezone", "Mars/Olympus", {"channel": 1, "schedule": "daily 09:00"}),
    ],
)
async def test_a_refusal_is_the_message_the_model_gives(model, field, value, others):
    with pytest.raises(UserError) as built:
        build(model, **others, **{field: value})
    with pytest.raises(BadOption) as option:
        await Checked(model, field).transform(None, value)
    assert str(option.value).startswith(f"`{field}`: ")
    assert str(built.value).endswith(str(option.value).removeprefix(f"`{field}`: "))
