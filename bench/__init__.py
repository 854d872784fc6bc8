"""Reproducible benchmarks for briefbot: `python -m bench` prints figures as ratios to a floor of the same run.

The machines this runs on are shared and noisy, so every figure is reported next to a floor measured in
the same run (a command that does no work, a bare FTS5 query, a tiny store) and judged by the ratio.
"""
