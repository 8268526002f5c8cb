"""Running one function over many items: in this process, in local worker processes, or on a
dask.distributed cluster. The corpus analyses files this way and scoring composes cues this way;
results come back as they finish (their order is not the items')."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TypeVar

from cuecraft.errors import CuecraftError

Item = TypeVar("Item")
Result = TypeVar("Result")


def run_all(task: Callable[[Item], Result], items: Sequence[Item], workers: int = 1, scheduler: str | None = None) -> Iterator[Result]:
    """`task(item)` for every item: on the dask scheduler at `scheduler` if given, else in `workers`
    local processes (1: here, one after another). `task` must be a module-level function."""
    if scheduler:
        yield from _on_dask(task, items, scheduler)
    elif workers <= 1 or len(items) <= 1:
        yield from map(task, items)
    else:
        # spawned, not forked: the caller may hold torch's and FluidSynth's threads, which a fork would copy mid-flight
        with ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=multiprocessing.get_context("spawn")) as pool:
            for future in as_completed([pool.submit(task, item) for item in items]):
                yield future.result()


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
