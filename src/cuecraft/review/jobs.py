"""Background work of the review app (regenerations, level trims, exports): one worker, at most
MAX_WAITING jobs waiting behind it (more are refused at once: the machine is busy), each cancellable
while it waits or at its next progress report. Every job ends in a state the page can show."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from cuecraft.errors import CuecraftError
from cuecraft.review.store import ProjectStore

WORKERS, MAX_WAITING = 1, 4
Report = Callable[[float, str], None]


class Busy(CuecraftError):
    """Too many jobs are queued or running."""


class Cancelled(CuecraftError):
    """The job was cancelled."""


class JobRunner:
    def __init__(self, store: ProjectStore) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="job")
        self.lock = threading.Lock()
        self.open: dict[int, threading.Event] = {}  # queued or running jobs, and their cancel flags

    def submit(self, kind: str, cue: str, user: str, work: Callable[[Report], str]) -> int:
        """Queue `work(report) -> message` and return its job number (Busy if the queue is full)."""
        with self.lock:
            if len(self.open) >= WORKERS + MAX_WAITING:
                raise Busy("jobs", f"{len(self.open)} jobs are queued or running; try again when one has finished")
            job = self.store.create_job(kind, cue, user)
            self.open[job] = threading.Event()
        self.pool.submit(self._run, job, work)
        return job

    def cancel(self, job: int) -> bool:
        """Ask a queued or running job to stop; False if it is not open (finished, or unknown)."""
        with self.lock:
            flag = self.open.get(job)
        if flag is not None:
            flag.set()
        return flag is not None

    def _run(self, job: int, work: Callable[[Report], str]) -> None:
        flag = self.open[job]

        def report(fraction: float, text: str) -> None:
            if flag.is_set():
                raise Cancelled(f"job {job}", "cancelled")
            self.store.update_job(job, fraction, text)

        try:
            report(0.0, "started")
            message, state = work(report), "done"
        except Cancelled:
            message, state = "cancelled", "cancelled"
        except CuecraftError as error:
            message, state = str(error), "failed"
        except Exception as error:  # a job must always end in a state the page can show
            message, state = f"{error.__class__.__name__}: {error}", "failed"
        with self.lock:
            del self.open[job]
        self.store.update_job(job, 1.0, message, state=state)
