"""Benchmarks that print figures (runs per second, seconds per turn, peak memory).

They measure the engine from the inside, so they live apart from ``analysis/``, which
reads only a run's outputs. Run them with ``make bench`` or ``python -m benchmarks.runs``
and ``python -m benchmarks.publics`` from the project's root.
"""
