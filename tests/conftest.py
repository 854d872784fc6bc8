"""Shared fixtures. Each test area keeps its own fixtures beside it; only cross-area ones live here."""
