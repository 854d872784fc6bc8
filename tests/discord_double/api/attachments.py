"""Reference > Uploading Files, and the CDN: files the bot sends, kept on messages and served back."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ..files import FilePart, guess_content_type, store_file
from ..records import DoubleMessage, RecordedRequest
from .routing import DiscordError
from .state import DoubleState


class AttachmentsApi(DoubleState):
    """Multipart ``files[n]`` parts on messages, and ``GET /attachments/...`` as the CDN serves them."""

    def _attachments(
        self,
        message: DoubleMessage,
        body: dict[str, Any],
        files: Mapping[str, FilePart],
        current: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """The message's attachments after a create or edit, keeping the uploaded bytes on the message.

        As Discord does: a body ``attachments`` entry whose ``id`` names a ``files[id]`` part is a new
        upload (its ``filename``/``description`` win over the part's); any other entry keeps the existing
        attachment with that id; without ``attachments`` existing ones stay. Uploaded parts no entry names
        are added too.
        """
        existing = {a["id"]: a for a in current}
        result: list[dict[str, Any]] = [] if "attachments" in body else list(current)
        used: set[str] = set()
        for entry in body.get("attachments") or []:
            part_name = f"files[{entry.get('id')}]"
            if part_name in files:
                used.add(part_name)
                result.append(self._store_upload(message, files[part_name], entry))
            elif str(entry.get("id")) in existing:
                result.append(existing[str(entry.get("id"))])
        for part_name, part in files.items():
            if part_name not in used:
                result.append(self._store_upload(message, part, {}))
        return result

    def _store_upload(self, message: DoubleMessage, part: FilePart, entry: dict[str, Any]) -> dict[str, Any]:
        filename = str(entry.get("filename") or part.filename or "unknown")
        stored = store_file(
            self.snowflakes.event(),
            message.channel_id,
            filename,
            part.data,
            base_url=self.cdn_base,
            content_type=guess_content_type(filename),
            description=entry.get("description"),
        )
        self._files[stored.id] = stored
        message.blobs[str(stored.id)] = part.data
        return copy.deepcopy(stored.payload)

    def _check_file_sizes(self, files: Mapping[str, FilePart]) -> None:
        for part in files.values():
            if len(part.data) > self.attachment_size_limit:
                raise DiscordError(413, 40005, "Request entity too large")

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        """Serve a stored file as the CDN does: no Authorization needed, 404 for anything it does not hold.

        Downloads are logged in :attr:`downloads` (not :attr:`requests`, which is the API), so a test can
        tell whether the bot fetched a file at all, e.g. that it checked ``Attachment.size`` first.
        """
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=dict(request.headers),
            json=None,
        )
        self.downloads.append(record)
        info = request.match_info
        stored = self._files.get(int(info["file_id"])) if info["file_id"].isdigit() else None
        if stored is None or str(stored.channel_id) != info["channel_id"] or stored.filename != info["filename"]:
            record.status = 404
            return web.Response(status=404, text="This content is no longer available.")
        record.status = 200
        headers = {"Content-Type": stored.content_type or "application/octet-stream"}
        return web.Response(body=stored.data, headers=headers)
