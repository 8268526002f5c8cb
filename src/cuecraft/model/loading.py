"""Choose and load a composer by name: the shipped transformer (default) or the Markov baseline."""

from __future__ import annotations

from pathlib import Path

from cuecraft.model.baseline import MarkovBaseline
from cuecraft.model.checkpoint import load_model
from cuecraft.model.composer import Composer
from cuecraft.model.paths import SHIPPED_TRANSFORMER, ModelKind, resolve_model_path
from cuecraft.model.sampling import TransformerComposer

__all__ = ["SHIPPED_TRANSFORMER", "load_composer", "resolve_model_path"]


def load_composer(kind: ModelKind, path: Path | None, baseline_default: Path) -> Composer:
    """The composer of `kind`, from `path` or that kind's default location."""
    path = resolve_model_path(kind, path, baseline_default)
    if kind == "baseline":
        return MarkovBaseline.load(path)
    model, info = load_model(path)
    return TransformerComposer(model, info)
