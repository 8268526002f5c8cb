"""A variable-order Markov model over integer tokens: counts for every context up to a maximum order,
sampled by backing off from the longest context that has been seen often enough."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np


class VariableOrderMarkov:
    """Next-token counts for contexts of length 0..max_order."""

    def __init__(self, max_order: int, tables: list[dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]]]) -> None:
        self.max_order = max_order
        self.tables = tables

    @classmethod
    def fit(cls, sequences: Iterable[Sequence[int]], max_order: int) -> VariableOrderMarkov:
        """Count continuations; the first token of each sequence (BOS) is context only, never predicted."""
        counters: list[defaultdict[tuple[int, ...], Counter[int]]] = [
            defaultdict(Counter) for _ in range(max_order + 1)
        ]
        for seq in sequences:
            for i in range(1, len(seq)):
                for k in range(min(max_order, i) + 1):
                    counters[k][tuple(seq[i - k : i])][seq[i]] += 1
        tables = [
            {
                ctx: (np.fromiter(c.keys(), np.int32, len(c)), np.fromiter(c.values(), np.int32, len(c)))
                for ctx, c in counter.items()
            }
            for counter in counters
        ]
        return cls(max_order, tables)

    def distribution(
        self, history: Sequence[int], allowed: np.ndarray | None = None, min_count: int = 2
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """Candidate ids, their counts and the context order used, from the longest usable context.

        A context is usable when seen at least `min_count` times (so sampling recombines rather than
        copies) and, if `allowed` (a boolean mask over ids) is given, has an allowed continuation.
        """
        for k in range(min(self.max_order, len(history)), -1, -1):
            entry = self.tables[k].get(tuple(history[len(history) - k :]))
            if entry is None:
                continue
            ids, counts = entry
            if k > 0 and counts.sum() < min_count:
                continue
            if allowed is not None:
                keep = allowed[ids]
                ids, counts = ids[keep], counts[keep]
            if len(ids):
                return ids, counts, k
        raise ValueError("no allowed continuation at any order")

    def sample(
        self,
        history: Sequence[int],
        rng: np.random.Generator,
        allowed: np.ndarray | None = None,
        temperature: float = 1.0,
    ) -> int:
        """Draw the next id; temperature < 1 sharpens, > 1 flattens the count distribution."""
        ids, counts, _ = self.distribution(history, allowed)
        weights = counts.astype(np.float64) ** (1.0 / max(temperature, 1e-3))
        return int(rng.choice(ids, p=weights / weights.sum()))

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Flatten the tables into arrays (contexts, offsets, ids, counts per order) for an .npz file."""
        arrays: dict[str, np.ndarray] = {}
        for k, table in enumerate(self.tables):
            contexts = list(table)
            arrays[f"{prefix}ctx{k}"] = np.array(contexts, dtype=np.int32).reshape(len(contexts), k)
            lengths = [len(table[c][0]) for c in contexts]
            arrays[f"{prefix}off{k}"] = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
            arrays[f"{prefix}ids{k}"] = np.concatenate([table[c][0] for c in contexts] or [np.zeros(0, np.int32)])
            arrays[f"{prefix}cnt{k}"] = np.concatenate([table[c][1] for c in contexts] or [np.zeros(0, np.int32)])
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray] | np.lib.npyio.NpzFile, prefix: str, max_order: int):
        """Rebuild the lookup tables written by `to_arrays`."""
        tables = []
        for k in range(max_order + 1):
            contexts = arrays[f"{prefix}ctx{k}"]
            offsets = arrays[f"{prefix}off{k}"]
            ids, counts = arrays[f"{prefix}ids{k}"], arrays[f"{prefix}cnt{k}"]
            tables.append(
                {
                    tuple(ctx): (ids[offsets[i] : offsets[i + 1]], counts[offsets[i] : offsets[i + 1]])
                    for i, ctx in enumerate(contexts.tolist())
                }
            )
        return cls(max_order, tables)
