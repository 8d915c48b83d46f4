"""Items are independent within each objective level, so their networks are solved on every core.

Workers are forked after the instance is built, so each already holds it; only an item's own arrays travel
between processes (``ItemSolve`` leaves the instance out when pickled and gets it back on arrival).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence

from optimizer.allocation.instance import Instance
from optimizer.allocation.levels import ItemSolve

_INSTANCE: Instance | None = None  # the instance the forked workers inherit
_FORKING = threading.Lock()  # two threads planning at once must not fork with each other's instance


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def map_items(inst: Instance, task: Callable[..., ItemSolve], jobs: Sequence[tuple], workers: int) -> list[ItemSolve]:
    """``task(inst, *job)`` for every job, in order; on ``workers`` forked processes when that can help."""
    if workers <= 1 or len(jobs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [task(inst, *job) for job in jobs]
    global _INSTANCE
    with _FORKING:
        _INSTANCE = inst
        try:
            with multiprocessing.get_context("fork").Pool(min(workers, len(jobs))) as pool:
                solves = pool.starmap(_run, [(task, job) for job in jobs], chunksize=1)
        finally:
            _INSTANCE = None
    for sv in solves:
        sv.inst = inst
    return solves


def _run(task: Callable[..., ItemSolve], job: tuple) -> ItemSolve:
    for arg in job:
        if isinstance(arg, ItemSolve):
            arg.inst = _INSTANCE
    return task(_INSTANCE, *job)
