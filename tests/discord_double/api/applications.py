"""Resources > Application: the bot's own application (``/applications/@me``)."""

from __future__ import annotations

from .routing import Ctx, Reply, route
from .state import DoubleState


class ApplicationsApi(DoubleState):
    """``/applications/@me`` and its OAuth2 alias."""

    @route("GET", "/oauth2/applications/@me")
    @route("GET", "/applications/@me")
    async def _get_application(self, ctx: Ctx) -> Reply:
        return Reply(
            200,
            {
                "id": str(self.application_id),
                "name": self.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot": self.bot_user.payload(),
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": self.application_flags,
                "owner": self.owner_user.payload(),
                "team": None,
                "hook": True,
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
                "approximate_guild_count": len(self.guilds),
                "integration_types_config": {"0": {}},
            },
        )
