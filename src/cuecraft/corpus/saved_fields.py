"""A frozen dataclass of arrays (a learned model's tables) kept as an .npz file, one array a field: written
atomically, read back with 0-d arrays as the Python numbers they were."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import TypeVar

import numpy as np

from cuecraft.atomic import atomic_path

T = TypeVar("T")


def save_fields(obj: object, path: Path) -> None:
    """Write each field of the dataclass `obj` to an .npz file, replacing `path` only once written whole."""
    with atomic_path(path) as staged:
        np.savez(staged, **{f.name: getattr(obj, f.name) for f in fields(obj)})  # type: ignore[arg-type]


def load_fields(cls: type[T], path: Path) -> T:
    """The dataclass `cls` built from the arrays save_fields wrote."""
    with np.load(path) as arrays:
        return cls(**{f.name: arrays[f.name].item() if arrays[f.name].ndim == 0 else arrays[f.name] for f in fields(cls)})  # type: ignore[arg-type]
