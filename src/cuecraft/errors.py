"""One error type for bad input, so every entry point can report it as a single line."""

from __future__ import annotations

from pathlib import Path


class CuecraftError(Exception):
    """A problem with user input or the environment, reported as `SUBJECT: problem`."""

    def __init__(self, subject: str | Path, problem: str) -> None:
        self.subject = str(subject)
        self.problem = problem
        super().__init__(f"{self.subject}: {problem}")

    def __reduce__(self) -> tuple:
        """Rebuilt from its two parts when it crosses to another process (a worker's error reaches the caller whole)."""
        return self.__class__, (self.subject, self.problem)
