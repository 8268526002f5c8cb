"""The best path through per-step scores when changing state costs: chords beat by beat, keys chord by chord."""

from __future__ import annotations

import numpy as np


def best_path(scores: np.ndarray, change_cost: float) -> list[int]:
    """The state index per step (rows of `scores`, states in columns) maximising the summed scores less
    `change_cost` per change of state (Viterbi with one switching cost)."""
    best, back = scores[0].copy(), np.zeros(scores.shape, dtype=int)
    for t in range(1, len(scores)):
        leave = best.max() - change_cost
        back[t] = np.where(best >= leave, np.arange(scores.shape[1]), best.argmax())
        best = np.maximum(best, leave) + scores[t]
    return _trace_back(back, int(best.argmax()))


def best_path_through(scores: np.ndarray, transitions: np.ndarray) -> list[int]:
    """The state index per step maximising the summed scores plus `transitions[i, j]` (a log-probability)
    for each step from state i to state j (Viterbi with a full transition table)."""
    best, back = scores[0].copy(), np.zeros(scores.shape, dtype=int)
    for t in range(1, len(scores)):
        arriving = best[:, None] + transitions
        back[t] = arriving.argmax(axis=0)
        best = arriving.max(axis=0) + scores[t]
    return _trace_back(back, int(best.argmax()))


def _trace_back(back: np.ndarray, last: int) -> list[int]:
    """The path ending in state `last`, followed back through each step's best predecessor (`back`)."""
    path = [last]
    for t in range(len(back) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]
