"""Shared fixtures. Each test area keeps its own fixtures beside it; only cross-area ones live here."""

pytest_plugins = ["tests.discord_double.plugin"]
