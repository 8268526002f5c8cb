"""Running one function over many items: in this process, in local worker processes, or on a
dask.distributed cluster. The corpus analyses files this way and scoring composes cues this way;
results come back as they finish (their order is not the items'). And one function in a process of
its own while the caller goes on (scoring listens for speech while it reads the picture)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

from cuecraft.errors import CuecraftError

SPLIT_MIN_S = 240.0  # a film at least this long (s) is read and encoded in a stretch per core (a process starts in about a second)
Item = TypeVar("Item")
Result = TypeVar("Result")


_THREADS_ENV = "CUECRAFT_THREADS"  # a worker's share of the cores, set by the pool that started it


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def thread_share() -> int:
    """The threads this process should compute with: its share of the cores when it is one of a pool's
    workers (each worker running all-core thread pools would oversubscribe the machine), else all."""
    return int(os.environ.get(_THREADS_ENV, "0")) or cores()


def stretch_count(seconds: float, workers: int | None = None) -> int:
    """How many stretches work over `seconds` of film is cut into: `workers` if given, else one per
    core from SPLIT_MIN_S (a shorter film does not repay starting a process)."""
    if workers is not None:
        return max(1, workers)
    return cores() if seconds >= SPLIT_MIN_S else 1


def stretches(total: int, parts: int, grid: int = 1) -> list[tuple[int, int]]:
    """[start, end) spans cutting range(total) into `parts` consecutive, nearly equal stretches whose
    inner bounds fall on multiples of `grid`."""
    bounds = [total * k // parts // grid * grid for k in range(parts)] + [total]
    return [(start, end) for start, end in zip(bounds, bounds[1:]) if end > start]


def run_all(task: Callable[[Item], Result], items: Sequence[Item], workers: int = 1, scheduler: str | None = None) -> Iterator[Result]:
    """`task(item)` for every item: on the dask scheduler at `scheduler` if given, else in `workers`
    local processes (1: here, one after another). `task` must be a module-level function."""
    if scheduler:
        yield from _on_dask(task, items, scheduler)
    elif workers <= 1 or len(items) <= 1:
        yield from map(task, items)
    else:
        with _local_pool(min(workers, len(items))) as pool:
            for future in as_completed([pool.submit(task, item) for item in items]):
                yield future.result()


def run_in_order(task: Callable[[Item], Result], items: Sequence[Item], workers: int = 1) -> Iterator[Result]:
    """`task(item)` for every item in `workers` local processes (1: here), the results in the items'
    order, each given as soon as it and those before it are done. `task` must be a module-level function."""
    if workers <= 1 or len(items) <= 1:
        yield from map(task, items)
        return
    with _local_pool(min(workers, len(items))) as pool:
        for future in [pool.submit(task, item) for item in items]:
            yield future.result()


def _local_pool(workers: int) -> ProcessPoolExecutor:
    # spawned, not forked: the caller may hold torch's and FluidSynth's threads, which a fork would copy mid-flight
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_take_share, initargs=(max(1, cores() // workers),))  # fmt: skip


def _take_share(threads: int) -> None:
    """A pool worker's start: hold the BLAS and OpenMP pools loaded so far, and those loaded later, to
    `threads` (its share of the cores), and say so to thread_share."""
    from threadpoolctl import threadpool_limits

    for name in (_THREADS_ENV, "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    threadpool_limits(threads)


@contextmanager
def in_background(task: Callable[..., Result], *args: Any) -> Iterator[AsyncResult]:  # noqa: ANN401 - any task's arguments
    """`task(*args)` started in a spawned process; `.get()` its result inside the block. If the block
    fails, the process is stopped with it rather than waited for."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # leaving the block terminates the pool
        yield pool.apply_async(task, args)


def _on_dask(task: Callable[[Item], Result], items: Sequence[Item], scheduler: str) -> Iterator[Result]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    try:
        client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise CuecraftError(scheduler, f"cannot reach the dask scheduler ({exc})") from None
    with client:
        for future in dask_completed(client.map(task, list(items), pure=False)):
            yield future.result()
