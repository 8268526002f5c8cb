"""A small decoder-only transformer (pre-norm GPT style) with a key/value cache for fast sampling."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from cuecraft.model.transformer_config import TransformerConfig

__all__ = ["CueTransformer", "TransformerConfig"]

KVCache = list[tuple[torch.Tensor, torch.Tensor]]


class SelfAttention(nn.Module):
    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.n_heads = config.n_heads
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.out = nn.Linear(config.d_model, config.d_model)
        self.dropout = config.dropout

    def forward(self, x: torch.Tensor, cache: tuple[torch.Tensor, torch.Tensor] | None) -> tuple[torch.Tensor, tuple]:
        batch, length, width = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, self.n_heads, width // self.n_heads).permute(2, 0, 3, 1, 4)
        if cache is not None:
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
        # new queries see every cached key; among themselves they are causal
        causal = cache is None or length > 1
        if cache is not None and length > 1:
            past = k.shape[2] - length
            mask = torch.ones(length, k.shape[2], dtype=torch.bool, device=x.device).tril(diagonal=past)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        else:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=causal and cache is None,
                                               dropout_p=self.dropout if self.training else 0.0)  # fmt: skip
        return self.out(y.transpose(1, 2).reshape(batch, length, width)), (k, v)


class Block(nn.Module):
    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(config.d_model)
        self.attention = SelfAttention(config)
        self.norm2 = nn.LayerNorm(config.d_model)
        self.mlp = nn.Sequential(
            nn.Linear(config.d_model, config.d_ff), nn.GELU(), nn.Linear(config.d_ff, config.d_model), nn.Dropout(config.dropout)
        )

    def forward(self, x: torch.Tensor, cache: tuple | None) -> tuple[torch.Tensor, tuple]:
        attended, new_cache = self.attention(self.norm1(x), cache)
        x = x + attended
        return x + self.mlp(self.norm2(x)), new_cache


class CueTransformer(nn.Module):
    """Token and position embeddings, N blocks, a head tied to the token embedding."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = config
        self.tokens = nn.Embedding(config.vocab_size, config.d_model)
        self.positions = nn.Embedding(config.context, config.d_model)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.norm = nn.LayerNorm(config.d_model)
        self.head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.head.weight = self.tokens.weight
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, ids: torch.Tensor, cache: KVCache | None = None) -> tuple[torch.Tensor, KVCache]:
        """Logits for every position of `ids`, which continue the sequence held in `cache` (if any)."""
        start = cache[0][0].shape[2] if cache else 0
        if start + ids.shape[1] > self.config.context:
            raise ValueError(f"sequence of {start + ids.shape[1]} tokens exceeds the context of {self.config.context}")
        positions = torch.arange(start, start + ids.shape[1], device=ids.device)
        x = self.tokens(ids) + self.positions(positions)
        new_cache: KVCache = []
        for i, block in enumerate(self.blocks):
            x, layer_cache = block(x, cache[i] if cache else None)
            new_cache.append(layer_cache)
        return self.head(self.norm(x)), new_cache

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())
