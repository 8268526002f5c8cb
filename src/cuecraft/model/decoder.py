"""Token-by-token decoding of a trained CueTransformer in NumPy, with a preallocated key/value cache.

Sampling feeds the model one token at a time. At that size (a 256-wide vector through 256x1024
matrices) the work per token is tiny and PyTorch's per-operation overhead dominates: each linear layer
costs ~40-90 us through torch and ~19 us as a BLAS matrix-vector product here, so decoding is several
times faster. Same weights, same arithmetic (float32, exact GELU, LayerNorm eps 1e-5): its logits
match the torch model's to float rounding (tests/test_transformer.py). Training and scoring whole
sequences stay in torch; the weights, saved as .npz (DecoderWeights), let a process sample without it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import erf
from threadpoolctl import ThreadpoolController

from cuecraft.atomic import atomic_path
from cuecraft.model.transformer_config import TransformerConfig

if TYPE_CHECKING:
    from cuecraft.model.transformer import CueTransformer

LAYER_NORM_EPS = 1e-5
_BLAS = ThreadpoolController()  # found once: looking the libraries up costs milliseconds


class one_blas_thread:  # noqa: N801 - used as a context manager, like threadpoolctl's own
    """Hold BLAS to one thread (small matrix products: threads only fight); re-entrant, so a sampling
    loop can hold it once around thousands of `feed` calls instead of paying for it in each."""

    def __init__(self) -> None:
        self.depth, self.limit = 0, None

    def __enter__(self) -> None:
        if self.depth == 0:
            self.limit = _BLAS.limit(limits=1, user_api="blas")
        self.depth += 1

    def __exit__(self, *exc: object) -> None:
        self.depth -= 1
        if self.depth == 0 and self.limit is not None:
            self.limit.restore_original_limits()


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """LayerNorm over the last axis (rows of `x`, or `x` itself if it is a vector)."""
    width = x.shape[-1]
    centred = x - (x.sum(axis=-1, keepdims=True) / width)
    variance = (np.einsum("...i,...i->...", centred, centred) / width)[..., None]
    return centred / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias


@dataclass(frozen=True)
class DecoderWeights:
    """A trained CueTransformer's weights as float32 arrays laid out for decoding, with its shape: all
    that sampling needs, without torch (a worker process that only samples loads these from .npz)."""

    config: TransformerConfig
    arrays: dict[str, np.ndarray]

    @classmethod
    def of(cls, model: CueTransformer) -> DecoderWeights:
        state = {name: value.detach().cpu().numpy().astype(np.float32) for name, value in model.state_dict().items()}
        arrays = {"tokens": state["tokens.weight"], "positions": state["positions.weight"],
                  "norm.weight": state["norm.weight"], "norm.bias": state["norm.bias"], "head": np.ascontiguousarray(state["head.weight"].T)}  # fmt: skip
        for i in range(model.config.n_layers):
            w = {name[len(f"blocks.{i}.") :]: value for name, value in state.items() if name.startswith(f"blocks.{i}.")}
            for part, name in (("norm1", "norm1"), ("norm2", "norm2"), ("qkv", "attention.qkv"), ("out", "attention.out"), ("up", "mlp.0"), ("down", "mlp.2")):
                transpose = part not in ("norm1", "norm2")  # linear layers: inputs times the transposed weight
                arrays[f"{i}.{part}.weight"] = np.ascontiguousarray(w[f"{name}.weight"].T) if transpose else w[f"{name}.weight"]
                arrays[f"{i}.{part}.bias"] = w[f"{name}.bias"]
        return cls(model.config, arrays)

    def save(self, path: Path) -> None:
        """As an uncompressed .npz (with the config as JSON), written atomically."""
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, config=np.array(json.dumps(self.config.to_dict())), **self.arrays)

    @classmethod
    def load(cls, path: Path) -> DecoderWeights:
        with np.load(path) as saved:
            return cls(TransformerConfig(**json.loads(str(saved["config"]))), {k: saved[k] for k in saved.files if k != "config"})


class NumpyDecoder:
    """The model's weights as float32 arrays and a cache of `context` keys and values per layer."""

    def __init__(self, source: CueTransformer | DecoderWeights) -> None:
        weights = source if isinstance(source, DecoderWeights) else DecoderWeights.of(source)
        config, a = weights.config, weights.arrays
        self.heads, self.head_width, self.context = config.n_heads, config.d_model // config.n_heads, config.context
        self.tokens, self.positions = a["tokens"], a["positions"]
        self.layers = [{part: (a[f"{i}.{part}.weight"], a[f"{i}.{part}.bias"]) for part in ("norm1", "norm2", "qkv", "out", "up", "down")}
                       for i in range(config.n_layers)]  # fmt: skip
        self.norm = (a["norm.weight"], a["norm.bias"])
        self.head = a["head"]
        shape = (config.n_layers, self.heads, self.context, self.head_width)
        self.keys, self.values = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        self.length = 0
        self.blas = one_blas_thread()

    def reset(self) -> None:
        """Forget the sequence (the cache is overwritten from the start)."""
        self.length = 0

    def feed(self, ids: list[int]) -> np.ndarray:
        """Logits (float32, vocabulary-sized) for the token after `ids`, which continue the cached
        sequence; several ids are read in one pass (matrix products, causal among themselves). Batched
        matrix products rather than einsum, and the causal mask only over the new positions: at one or
        two tokens a step, NumPy's per-call overhead is most of the time."""
        start, count = self.length, len(ids)
        if start + count > self.context:
            raise ValueError(f"sequence of {start + count} tokens exceeds the context of {self.context}")
        end = start + count
        scale = np.float32(1 / np.sqrt(self.head_width))
        with self.blas:
            x = self.tokens[ids] + self.positions[start:end]
            if count == 1:
                x = x[0]  # a vector: BLAS takes its matrix-vector path
            for i, layer in enumerate(self.layers):
                qkv = (_layer_norm(x, *layer["norm1"]) @ layer["qkv"][0] + layer["qkv"][1]).reshape(count, 3, self.heads, self.head_width)
                self.keys[i, :, start:end], self.values[i, :, start:end] = qkv[:, 1].transpose(1, 0, 2), qkv[:, 2].transpose(1, 0, 2)
                scores = np.matmul(qkv[:, 0].transpose(1, 0, 2), self.keys[i, :, :end].transpose(0, 2, 1)) * scale  # (heads, new, all)
                if count > 1:
                    scores[:, :, start:] += np.triu(np.full((count, count), -np.inf, np.float32), k=1)  # new keys ahead of each new query
                weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
                weights /= weights.sum(axis=-1, keepdims=True)
                attended = np.matmul(weights, self.values[i, :, :end]).transpose(1, 0, 2).reshape(x.shape)
                x = x + attended @ layer["out"][0] + layer["out"][1]
                hidden = _layer_norm(x, *layer["norm2"]) @ layer["up"][0] + layer["up"][1]
                x = x + (0.5 * hidden * (1 + erf(hidden / np.float32(np.sqrt(2))))).astype(np.float32) @ layer["down"][0] + layer["down"][1]
        self.length = end
        return _layer_norm(x.reshape(count, -1)[-1], *self.norm) @ self.head
