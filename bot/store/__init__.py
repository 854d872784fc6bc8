"""The fact store: SQL, migrations and the read models they return."""

from bot.store.engine.base import Database
from bot.store.store import Store

__all__ = ["Database", "Store"]
