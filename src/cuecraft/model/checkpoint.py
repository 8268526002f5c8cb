"""Saving and loading trained transformers: weights, architecture and training facts in one file,
read with torch's weights-only loader (no code runs from a checkpoint)."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import torch

from cuecraft.atomic import atomic_path
from cuecraft.errors import CuecraftError
from cuecraft.model.paths import require_model_file
from cuecraft.model.transformer import CueTransformer, TransformerConfig

FORMAT = "cuecraft-cue-transformer/1"


def save_model(path: str | Path, model: CueTransformer, info: dict) -> None:
    """Write the model (fp32 weights) with its config and a dict of plain training facts, atomically."""
    weights = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    payload = {"format": FORMAT, "config": model.config.to_dict(), "state_dict": weights, "info": info}
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_model(path: str | Path) -> tuple[CueTransformer, dict]:
    """The model in eval mode and its training facts; CuecraftError for a missing or damaged file."""
    path = require_model_file("transformer", path)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError("not a cuecraft transformer checkpoint")
        model = CueTransformer(TransformerConfig(**payload["config"]))
        model.load_state_dict(payload["state_dict"])
    except (OSError, RuntimeError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile, pickle.UnpicklingError) as exc:
        said = (str(exc).splitlines() or ["the file is empty or cut short"])[0]
        raise CuecraftError(path, f"damaged transformer checkpoint ({exc.__class__.__name__}: {said})") from None
    from cuecraft.model.tokenizer import CueTokenizer  # here, so that saving needs no MidiTok (a training-only machine)

    if model.config.vocab_size != len(CueTokenizer()):
        raise CuecraftError(path, "checkpoint vocabulary does not match this cuecraft's tokenizer")
    return model.eval(), payload.get("info", {})
