"""Token-by-token decoding of a trained CueTransformer in NumPy, with a preallocated key/value cache.

Sampling feeds the model one token at a time. At that size (a 256-wide vector through 256x1024
matrices) the work per token is tiny and PyTorch's per-operation overhead dominates: each linear layer
costs ~40-90 us through torch and ~19 us as a BLAS matrix-vector product here, so decoding is several
times faster. Same weights, same arithmetic (float32, exact GELU, LayerNorm eps 1e-5): its logits
match the torch model's to float rounding (tests/test_transformer.py). Training and scoring whole
sequences stay in torch.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erf
from threadpoolctl import ThreadpoolController

from cuecraft.model.transformer import CueTransformer

LAYER_NORM_EPS = 1e-5
_BLAS = ThreadpoolController()  # found once: looking the libraries up costs milliseconds


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """LayerNorm over the last axis (rows of `x`, or `x` itself if it is a vector)."""
    width = x.shape[-1]
    centred = x - (x.sum(axis=-1, keepdims=True) / width)
    variance = (np.einsum("...i,...i->...", centred, centred) / width)[..., None]
    return centred / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias


class NumpyDecoder:
    """The model's weights as float32 arrays and a cache of `context` keys and values per layer."""

    def __init__(self, model: CueTransformer) -> None:
        weights = {name: value.detach().cpu().numpy().astype(np.float32) for name, value in model.state_dict().items()}
        config = model.config
        self.heads, self.head_width, self.context = config.n_heads, config.d_model // config.n_heads, config.context
        self.tokens, self.positions = weights["tokens.weight"], weights["positions.weight"]
        self.layers = []
        for i in range(config.n_layers):
            w = {name[len(f"blocks.{i}.") :]: value for name, value in weights.items() if name.startswith(f"blocks.{i}.")}
            self.layers.append({
                "norm1": (w["norm1.weight"], w["norm1.bias"]), "norm2": (w["norm2.weight"], w["norm2.bias"]),
                "qkv": (np.ascontiguousarray(w["attention.qkv.weight"].T), w["attention.qkv.bias"]),
                "out": (np.ascontiguousarray(w["attention.out.weight"].T), w["attention.out.bias"]),
                "up": (np.ascontiguousarray(w["mlp.0.weight"].T), w["mlp.0.bias"]),
                "down": (np.ascontiguousarray(w["mlp.2.weight"].T), w["mlp.2.bias"]),
            })  # fmt: skip
        self.norm = (weights["norm.weight"], weights["norm.bias"])
        self.head = np.ascontiguousarray(weights["head.weight"].T)
        shape = (config.n_layers, self.heads, self.context, self.head_width)
        self.keys, self.values = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        self.length = 0

    def reset(self) -> None:
        """Forget the sequence (the cache is overwritten from the start)."""
        self.length = 0

    def feed(self, ids: list[int]) -> np.ndarray:
        """Logits (float32, vocabulary-sized) for the token after `ids`, which continue the cached
        sequence; several ids are read in one pass (matrix products, causal among themselves)."""
        start, count = self.length, len(ids)
        if start + count > self.context:
            raise ValueError(f"sequence of {start + count} tokens exceeds the context of {self.context}")
        if count == 1:
            return self._step(ids[0])
        end = start + count
        with _BLAS.limit(limits=1, user_api="blas"):  # small matrix products: threads only fight
            x = self.tokens[ids] + self.positions[start:end]
            future = np.arange(end)[None, :] > np.arange(start, end)[:, None]  # (new, all): keys ahead of each query
            scale = np.float32(1 / np.sqrt(self.head_width))
            for i, layer in enumerate(self.layers):
                qkv = (_layer_norm(x, *layer["norm1"]) @ layer["qkv"][0] + layer["qkv"][1]).reshape(count, 3, self.heads, self.head_width)
                self.keys[i, :, start:end], self.values[i, :, start:end] = qkv[:, 1].transpose(1, 0, 2), qkv[:, 2].transpose(1, 0, 2)
                scores = np.einsum("lhd,htd->hlt", qkv[:, 0], self.keys[i, :, :end]) * scale
                scores[:, future] = -np.inf
                weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
                weights /= weights.sum(axis=-1, keepdims=True)
                attended = np.einsum("hlt,htd->lhd", weights, self.values[i, :, :end]).reshape(count, -1)
                x = x + attended @ layer["out"][0] + layer["out"][1]
                hidden = _layer_norm(x, *layer["norm2"]) @ layer["up"][0] + layer["up"][1]
                x = x + (0.5 * hidden * (1 + erf(hidden / np.float32(np.sqrt(2))))).astype(np.float32) @ layer["down"][0] + layer["down"][1]
        self.length = end
        return _layer_norm(x[-1], *self.norm) @ self.head

    def _step(self, token: int) -> np.ndarray:
        """`feed` for one token, the sampling loop's case: vectors instead of matrices and no causal
        mask (everything cached came before), which halves the per-token overhead of NumPy calls."""
        at, end = self.length, self.length + 1
        scale = np.float32(1 / np.sqrt(self.head_width))
        with _BLAS.limit(limits=1, user_api="blas"):
            x = self.tokens[token] + self.positions[at]
            for i, layer in enumerate(self.layers):
                q, k, v = (_layer_norm(x, *layer["norm1"]) @ layer["qkv"][0] + layer["qkv"][1]).reshape(3, self.heads, self.head_width)
                self.keys[i, :, at], self.values[i, :, at] = k, v
                scores = np.matmul(self.keys[i, :, :end], q[:, :, None])[:, :, 0] * scale  # (heads, positions)
                weights = np.exp(scores - scores.max(axis=1, keepdims=True))
                weights /= weights.sum(axis=1, keepdims=True)
                attended = np.matmul(weights[:, None, :], self.values[i, :, :end]).reshape(-1)
                x = x + attended @ layer["out"][0] + layer["out"][1]
                hidden = _layer_norm(x, *layer["norm2"]) @ layer["up"][0] + layer["up"][1]
                x = x + (0.5 * hidden * (1 + erf(hidden / np.float32(np.sqrt(2))))).astype(np.float32) @ layer["down"][0] + layer["down"][1]
        self.length = end
        return _layer_norm(x, *self.norm) @ self.head
