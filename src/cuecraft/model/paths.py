"""Where each kind of model lives, and the word for one that is not there: light enough to check
before the model libraries load."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from cuecraft.errors import CuecraftError

ModelKind = Literal["transformer", "baseline"]
SHIPPED_TRANSFORMER = Path(__file__).parent / "assets" / "cue-transformer.pt"
MISSING = {
    "transformer": "no transformer checkpoint here (train one with `cuecraft train`)",
    "baseline": "no baseline model here (train one with `cuecraft train-baseline`)",
}


def resolve_model_path(kind: ModelKind, path: Path | None, baseline_default: Path) -> Path:
    """`path`, or where a model of `kind` lives by default."""
    return path or (baseline_default if kind == "baseline" else SHIPPED_TRANSFORMER)


def require_model_file(kind: ModelKind, path: str | Path) -> Path:
    """`path` as a Path if a file is there; a CuecraftError naming it otherwise."""
    path = Path(path)
    if not path.is_file():
        raise CuecraftError(path, MISSING[kind])
    return path
