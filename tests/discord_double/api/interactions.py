"""Interactions > Receiving and Responding: the callback, follow-ups and the interaction webhook's messages."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from .. import interactions as ix
from ..files import FilePart
from ..records import EPHEMERAL, LOADING, CallbackRecord, DoubleMessage
from .messages import MessagesApi
from .routing import Ctx, DiscordError, Reply, route


class InteractionsApi(MessagesApi):
    """``/interactions/{id}/{token}/callback`` and ``/webhooks/{application_id}/{token}/...``."""

    def interaction(self, interaction_id: int) -> ix.InteractionResult:
        return self._interactions[interaction_id]

    def _interaction_for(self, ctx: Ctx) -> ix.InteractionResult:
        result = self._by_token.get(ctx.params["token"])
        if result is None or ("interaction_id" in ctx.params and ctx.params["interaction_id"] != str(result.id)):
            raise DiscordError(404, 10062, "Unknown interaction")
        return result

    @route("POST", "/interactions/{interaction_id}/{token}/callback", auth=False)
    async def _interaction_callback(self, ctx: Ctx) -> Reply:
        result = self._interaction_for(ctx)
        body = ctx.body or {}
        kind = int(body.get("type", 0))
        data = body.get("data")
        if result.callbacks:
            result.errors.append(f"second callback (type {kind}) rejected: already acknowledged")
            result.notify()
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        late = time.monotonic() - result.dispatched_at
        if self.callback_deadline is not None and late > self.callback_deadline:
            result.errors.append(f"callback after {late:.2f}s (> {self.callback_deadline:g}s): Unknown interaction")
            result.notify()
            raise DiscordError(404, 10062, "Unknown interaction")
        if kind not in ix.ALLOWED_CALLBACKS.get(result.type, set()):
            result.errors.append(f"callback type {kind} is not valid for interaction type {result.type}")
            result.notify()
            raise DiscordError(400, 50035, "Invalid Form Body", {"type": {"_errors": [{"code": "INVALID_TYPE"}]}})
        callback = CallbackRecord(type=kind, data=data, body=body)
        message: DoubleMessage | None = None
        if kind == ix.CHANNEL_MESSAGE:
            message = self._interaction_message(result, data or {}, source="interaction", files=ctx.files)
        elif kind == ix.DEFERRED_CHANNEL_MESSAGE:
            flags = LOADING | (int((data or {}).get("flags") or 0) & EPHEMERAL)
            message = self._interaction_message(result, {"content": "", "flags": flags}, source="interaction")
            message.bodies.clear()
        elif kind in (ix.DEFERRED_UPDATE_MESSAGE, ix.UPDATE_MESSAGE):
            message = result.source_message
            if message is None:
                raise DiscordError(400, 50035, "Invalid Form Body", {"type": {"_errors": [{"code": "NO_MESSAGE"}]}})
            result._edits_at_callback = message.edits
            if kind == ix.UPDATE_MESSAGE:
                self._edit_message(message, data or {}, files=ctx.files)
        elif kind == ix.MODAL:
            self._modals[(data or {}).get("custom_id", "")] = result
        result.message = message if message is not None else result.message
        result.callbacks.append(callback)
        result.notify()
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(result.id),
                "type": result.type,
                "response_message_loading": kind == ix.DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(message.ephemeral) if message else False,
            },
            "resource": {"type": kind},
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = str(message.id)
            if kind != ix.DEFERRED_UPDATE_MESSAGE:
                answer["resource"]["message"] = message.data
        if kind == ix.AUTOCOMPLETE_RESULT:
            del answer["resource"]
        return Reply(200, answer)

    def _interaction_message(
        self,
        result: ix.InteractionResult,
        body: dict[str, Any],
        *,
        source: str,
        files: Mapping[str, FilePart] | None = None,
    ) -> DoubleMessage:
        message_type = 20 if result.type == ix.APPLICATION_COMMAND and source == "interaction" else 0
        metadata: dict[str, Any] = {
            "id": str(result.id),
            "type": result.type,
            "user": result.member.user.payload(),
            "authorizing_integration_owners": {"0": str(result.guild.id)},
        }
        if result.type == ix.APPLICATION_COMMAND:
            metadata["name"] = result.name
            metadata["command_type"] = 1
        if result.source_message is not None:
            metadata["interacted_message_id"] = str(result.source_message.id)
        extra = {
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
            "interaction_metadata": metadata,
        }
        if result.type == ix.APPLICATION_COMMAND:
            extra["interaction"] = {
                "id": str(result.id),
                "type": result.type,
                "name": result.name,
                "user": result.member.user.payload(),
            }
        message = self._store_message(
            result.channel,
            self.bot_user,
            body,
            source=source,
            message_type=message_type,
            extra=extra,
            allowed_flags=EPHEMERAL | LOADING | 4 | 4096 | (1 << 15),
            files=files,
        )
        message.interaction_id = result.id
        return message

    def _webhook_interaction(self, ctx: Ctx) -> ix.InteractionResult:
        if ctx.params["application_id"] != str(self.application_id):
            raise DiscordError(404, 10015, "Unknown Webhook")
        result = self._by_token.get(ctx.params["token"])
        if result is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if not result.callbacks:
            result.errors.append("follow-up/webhook request before the interaction was acknowledged")
            result.notify()
            raise DiscordError(404, 10015, "Unknown Webhook")
        return result

    @route("POST", "/webhooks/{application_id}/{token}", auth=False)
    async def _followup(self, ctx: Ctx) -> Reply:
        result = self._webhook_interaction(ctx)
        body = ctx.body or {}
        original = result.message
        if original is not None and original.loading and result.response_type == ix.DEFERRED_CHANNEL_MESSAGE:
            # Discord turns the first follow-up after a "thinking" deferral into the original response.
            self._edit_message(original, body, files=ctx.files)
            message = original
        else:
            message = self._interaction_message(result, body, source="followup", files=ctx.files)
        result.followups.append(message)
        result.notify()
        if ctx.request.query.get("wait", "").lower() in ("true", "1"):
            return Reply(200, message.data)
        return Reply(204)

    def _webhook_target(self, ctx: Ctx) -> tuple[ix.InteractionResult, DoubleMessage]:
        result = self._webhook_interaction(ctx)
        wanted = ctx.params["message_id"]
        if wanted == "@original":
            target = result.message
        else:
            owned = [m for m in [result.message, *result.followups] if m is not None]
            target = next((m for m in owned if str(m.id) == wanted), None)
        if target is None or target.deleted:
            raise DiscordError(404, 10008, "Unknown Message")
        return result, target

    @route("GET", "/webhooks/{application_id}/{token}/messages/{message_id}", auth=False)
    async def _get_webhook_message(self, ctx: Ctx) -> Reply:
        _, target = self._webhook_target(ctx)
        return Reply(200, target.data)

    @route("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}", auth=False)
    async def _edit_webhook_message(self, ctx: Ctx) -> Reply:
        result, target = self._webhook_target(ctx)
        self._edit_message(target, ctx.body or {}, files=ctx.files)
        result.notify()
        return Reply(200, target.data)

    @route("DELETE", "/webhooks/{application_id}/{token}/messages/{message_id}", auth=False)
    async def _delete_webhook_message(self, ctx: Ctx) -> Reply:
        result, target = self._webhook_target(ctx)
        self._delete_message(target)
        result.notify()
        return Reply(204)
