"""Choose and load a composer by name: the shipped transformer (default) or the Markov baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from cuecraft.model.baseline import MarkovBaseline
from cuecraft.model.checkpoint import load_model
from cuecraft.model.composer import Composer
from cuecraft.model.sampling import TransformerComposer

ModelKind = Literal["transformer", "baseline"]
SHIPPED_TRANSFORMER = Path(__file__).parent / "assets" / "cue-transformer.pt"


def resolve_model_path(kind: ModelKind, path: Path | None, baseline_default: Path) -> Path:
    """`path`, or where a model of `kind` lives by default."""
    return path or (baseline_default if kind == "baseline" else SHIPPED_TRANSFORMER)


def load_composer(kind: ModelKind, path: Path | None, baseline_default: Path) -> Composer:
    """The composer of `kind`, from `path` or that kind's default location."""
    path = resolve_model_path(kind, path, baseline_default)
    if kind == "baseline":
        return MarkovBaseline.load(path)
    model, info = load_model(path)
    return TransformerComposer(model, info)
