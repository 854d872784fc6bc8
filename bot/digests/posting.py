"""What delivery asks of the Discord side, and how a part of a run is named so it can be found again.

`Poster` is the interface `bot.edge.poster` implements; the `DeliveryError`s are how it reports a failure
in the ledger's terms. A part's nonce and the marker in its footer derive from the run's ledger key alone,
so every process, and the same one after a restart, names the same part the same way.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Protocol

from bot.briefing.answer import Answer
from bot.store.digests import iso


class DeliveryError(Exception):
    """Posting a part failed in a way the ledger must know about."""


class Undeliverable(DeliveryError):
    """The channel is gone or the bot may not post there: retrying cannot help, a person must act."""


class Transient(DeliveryError):
    """A 429, a 5xx or a timeout: the same part may be posted again with the same nonce."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PostedThenDeleted(DeliveryError):
    """Discord refused a repeated nonce because its first message was deleted: it was posted once."""


class Poster(Protocol):
    """Posts one part of a digest, and finds one in its channel; the Discord one is `bot.edge.poster`."""

    async def post(self, channel_id: int, answer: Answer, nonce: str) -> int:
        """Post `answer` with `nonce`; return the message id, or raise a `DeliveryError`."""
        ...

    async def find(self, channel_id: int, marker: str, since: datetime) -> int | None:
        """The id of the bot's message posted after `since` whose footer contains `marker`, or None.

        Raise `Undeliverable` when the channel's history cannot be read (gone, or the bot lacks View
        Channel or Read Message History), `Transient` when asking again may help, and another
        `DeliveryError` when the answer cannot be known (an empty answer must mean "not there").
        """
        ...


def nonce_for(subscription_id: int, scheduled_for: datetime, purpose: str = "digest") -> str:
    """A run's nonce stem: 22 hex digits derived from its ledger key, the same in every process."""
    key = f"{purpose}:{subscription_id}:{iso(scheduled_for)}"
    return hashlib.blake2b(key.encode(), digest_size=11).hexdigest()


def part_nonce(stem: str, index: int) -> str:
    """The nonce of one part; Discord takes at most 25 characters."""
    return f"{stem}-{index}"


def run_label(scheduled_for: datetime) -> str:
    """A run as readers see it named in a footer: UTC, to the minute (to the second when sent on request)."""
    moment = scheduled_for.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M}Z" if moment.second == 0 else f"{moment:%Y-%m-%dT%H:%M:%S}Z"


def marked(parts: list[Answer], scheduled_for: datetime) -> list[Answer]:
    """The parts with the run (and, when there are several, the part) at the end of each footer.

    The footer already names the digest ("Digest #12 · …"), so a whole footer names one part of one run
    of one subscription: it is the marker a restart looks for in the channel (Discord keeps no nonces).
    """
    total = len(parts)
    return [
        part.model_copy(
            update={
                "footer": " · ".join(
                    filter(None, [part.footer, f"run {run_label(scheduled_for)}", f"part {n}/{total}" * (total > 1)])
                )
            }
        )
        for n, part in enumerate(parts, start=1)
    ]
