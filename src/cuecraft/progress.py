"""Progress reporting that the pipeline calls and each front end (CLI, web app, tests) implements."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class ProgressReporter(Protocol):
    def start(self, stage: str, total: int | None = None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...

    def close(self) -> None: ...


class SilentProgress:
    """Reports nothing: for library calls and tests."""

    def start(self, stage: str, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class RichProgress:
    """One bar per stage on the terminal (stderr), each kept as a line once done."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
        )
        self._progress.start()
        self._task: int | None = None

    def _finish_current(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, total=task.total or 1, completed=task.total or 1)

    def start(self, stage: str, total: int | None = None) -> None:
        self._finish_current()
        self._task = self._progress.add_task(stage, total=total or 1)

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def close(self) -> None:
        """End the display: the current bar is completed, or, when closed while an exception unwinds
        (a failure, Ctrl-C, SIGTERM), left where it stopped and marked so."""
        if sys.exc_info()[1] is None:
            self._finish_current()
        elif self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, description=f"{task.description} (stopped)")
        self._progress.stop()

    def counter(self, stage: str) -> Callable[[int, int], None]:
        """A (done, total) callback for loops that report counts: opens `stage` on the first item."""

        def update(done: int, total: int) -> None:
            if done == 1:
                self.start(stage, total)
            self.advance()

        return update
