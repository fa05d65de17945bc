"""Worker processes for ``regprior compare``: a fork server that imports PyMC once, and its pool."""

from __future__ import annotations

import os


def cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def fork_context(preload: list[str]):
    """The fork-server context of the worker processes, ``preload`` imported by the server."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload)
    return context


def start_fork_server(preload: list[str]) -> None:
    """Start the fork server now; the pool's workers come from it later (a no-op if it runs)."""
    from multiprocessing import forkserver

    fork_context(preload)
    forkserver.ensure_running()


def map_in_processes(function, groups: list, jobs: int, *, preload: list[str], meanwhile=None):
    """``[function(group) for group in groups]`` in a pool of ``jobs`` processes, in order.

    The workers come from a fork server that imports ``preload`` once: none of them imports
    PyMC again, and no thread of this process (the progress display's) is forked.
    ``meanwhile`` is called here while the workers run. A worker's exception is raised here.
    """
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, mp_context=fork_context(preload)) as pool:
        futures = [pool.submit(function, group) for group in groups]
        if meanwhile is not None:
            meanwhile()
        return [future.result() for future in futures]
