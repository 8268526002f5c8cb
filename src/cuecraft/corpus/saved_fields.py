"""A frozen dataclass of arrays (a learned model's tables) kept as an .npz file, one array a field: written
atomically, read back with 0-d arrays as the Python numbers they were."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Self

import numpy as np

from cuecraft.atomic import atomic_path


class SavedFields:
    """Saving and loading for a dataclass whose fields are arrays and numbers (mixed into the dataclass)."""

    def save(self, path: Path) -> None:
        """Write each field to an .npz file, replacing `path` only once written whole."""
        with atomic_path(path) as staged:
            np.savez(staged, **{f.name: getattr(self, f.name) for f in fields(self)})  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> Self:
        """The dataclass built from the arrays save wrote."""
        with np.load(path) as arrays:
            return cls(**{f.name: arrays[f.name].item() if arrays[f.name].ndim == 0 else arrays[f.name] for f in fields(cls)})  # type: ignore[arg-type]
