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


def load_composer(kind: ModelKind, path: Path | None, baseline_default: Path) -> Composer:
    """The composer of `kind`, from `path` or that kind's default location."""
    if kind == "baseline":
        return MarkovBaseline.load(path or baseline_default)
    model, info = load_model(path or SHIPPED_TRANSFORMER)
    return TransformerComposer(model, info)
