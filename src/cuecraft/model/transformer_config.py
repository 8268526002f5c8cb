"""The transformer's shape, apart from the torch module that has it: the NumPy decoder and worker
processes that only sample read it without importing torch."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class TransformerConfig:
    vocab_size: int
    context: int = 512
    d_model: int = 256
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int = 1024
    dropout: float = 0.1

    def to_dict(self) -> dict:
        return asdict(self)
