"""The heartbeat a running bot writes, and `briefbot health`, which reads it (container and unit health checks).

The bot rewrites one small JSON file every `BEAT_SECONDS` while it runs (HEARTBEAT_FILE), saying whether
all its shards are connected. A check in another process (Docker's HEALTHCHECK, a supervisor) then needs
no network, no token and no database: the beat is fresh and says connected, or the process is unhealthy,
whether it hung, lost the gateway or died.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

BEAT_SECONDS = 5.0
#: A beat older than this means the process stopped beating: hung, or gone.
STALE_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class Beat:
    """One heartbeat: when, which process, whether every shard it runs is connected."""

    at: str
    pid: int
    shards: str
    connected: bool

    @classmethod
    def now(cls, shards: str, *, connected: bool, at: datetime | None = None) -> Beat:
        """A beat from this process, now."""
        return cls((at or datetime.now(UTC)).isoformat(), os.getpid(), shards, connected)


def write(path: Path, beat: Beat) -> None:
    """Replace the heartbeat file whole (written beside it, then renamed), so a reader never sees half of one."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(asdict(beat)), encoding="utf-8")
    partial.replace(path)


def problem(path: Path, now: datetime | None = None) -> str | None:
    """What is wrong with the process the heartbeat file speaks for, in one line; None when it is healthy."""
    try:
        beat = Beat(**json.loads(path.read_text(encoding="utf-8")))
        at = datetime.fromisoformat(beat.at)
    except FileNotFoundError:
        return f"no heartbeat at {path}: the bot has not started, or writes its heartbeat elsewhere"
    except (OSError, ValueError, TypeError) as exc:
        return f"cannot read the heartbeat at {path}: {exc}"
    age = (now or datetime.now(UTC)) - at
    if age > STALE_AFTER:
        return f"the last heartbeat (process {beat.pid}) is {int(age.total_seconds())} s old: the bot is hung or gone"
    if not beat.connected:
        return f"process {beat.pid} ({beat.shards}) is not connected to Discord"
    return None
