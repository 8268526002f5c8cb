"""Training data for the transformer: tokenized pieces served as random bar-aligned windows with
random transposition, split into train and validation by piece. Needs only the vocabulary's tables
(no MidiTok), so a token pack trains on a machine that has torch and NumPy alone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cuecraft.model.vocabulary import Conditions, Vocabulary

IGNORE = -100  # target value cross-entropy skips: padding and the condition prefix
TRANSPOSE_RANGE = range(-5, 7)


@dataclass
class TokenizedPiece:
    title: str
    ids: np.ndarray  # REMI ids of the whole piece
    conditions: Conditions
    bar_starts: np.ndarray  # indices of its Bar tokens


def split_by_piece(pieces: list[TokenizedPiece], validation_fraction: float, seed: int) -> tuple[list, list]:
    """Shuffle whole pieces into train and validation sets (no piece contributes to both)."""
    order = np.random.default_rng(seed).permutation(len(pieces))
    n_val = max(1, round(len(pieces) * validation_fraction)) if len(pieces) > 1 else 0
    return [pieces[i] for i in order[n_val:]], [pieces[i] for i in order[:n_val]]


def window(piece: TokenizedPiece, tokenizer: Vocabulary, context: int, start_bar: int, transpose: int) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets) of length `context`: condition prefix, then REMI from a bar, then EOS if it fits."""
    start = int(piece.bar_starts[start_bar])
    body = piece.ids[start : start + context]
    notes = np.isin(body, tokenizer.pitch_ids[tokenizer.pitch_ids >= 0]).sum()
    bars = max(1, int((body == tokenizer.bar).sum()))
    conditions = Conditions(piece.conditions.key, piece.conditions.tempo, piece.conditions.valence,
                            piece.conditions.arousal, notes / bars, piece.conditions.families)  # fmt: skip
    prefix = tokenizer.condition_ids_for(conditions)
    body = body[: context + 1 - len(prefix)]
    at_end = start + len(body) >= len(piece.ids)
    sequence = np.concatenate([prefix, body, [tokenizer.eos] if at_end else []]).astype(np.int64)[: context + 1]
    shifted = tokenizer.transpose(sequence, transpose) if transpose else sequence
    sequence = sequence if shifted is None else shifted
    padded = np.full(context + 1, tokenizer.pad, dtype=np.int64)
    padded[: len(sequence)] = sequence
    inputs, targets = padded[:-1].copy(), padded[1:].copy()
    targets[: len(prefix) - 1] = IGNORE  # conditions are given, not predicted
    targets[len(sequence) - 1 :] = IGNORE
    return inputs, targets


def sample_batch(pieces: list[TokenizedPiece], tokenizer: Vocabulary, context: int, size: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """A training batch: pieces drawn in proportion to their length, random bar, random transposition."""
    weights = np.array([len(p.ids) for p in pieces], dtype=float)
    chosen = rng.choice(len(pieces), size=size, p=weights / weights.sum())
    pairs = [
        window(pieces[i], tokenizer, context, int(rng.integers(len(pieces[i].bar_starts))), int(rng.choice(TRANSPOSE_RANGE)))
        for i in chosen
    ]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def validation_windows(pieces: list[TokenizedPiece], tokenizer: Vocabulary, context: int, per_piece: int = 2):
    """A fixed validation set: evenly spaced bars of each held-out piece, untransposed."""
    pairs = []
    for piece in pieces:
        for bar in np.linspace(0, len(piece.bar_starts) - 1, per_piece).astype(int):
            pairs.append(window(piece, tokenizer, context, int(bar), 0))
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
