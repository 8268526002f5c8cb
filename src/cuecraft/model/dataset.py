"""Training data for the transformer: catalog pieces tokenized once (cached), served as random
bar-aligned windows with random transposition, split into train and validation by piece."""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import symusic

from cuecraft.corpus.catalog import Catalog, PieceQuery
from cuecraft.corpus.symbolic import MIDI_SUFFIXES
from cuecraft.model.tokenizer import Conditions, CueTokenizer
from cuecraft.theory import Key

IGNORE = -100  # target value cross-entropy skips: padding and the condition prefix
TRANSPOSE_RANGE = range(-5, 7)


@dataclass
class TokenizedPiece:
    title: str
    ids: np.ndarray  # REMI ids of the whole piece
    conditions: Conditions
    bar_starts: np.ndarray  # indices of its Bar tokens


def load_score(path: str | Path) -> symusic.Score:
    """A symusic Score from MIDI, or from MusicXML/ABC/Humdrum through music21."""
    path = Path(path)
    if path.suffix.lower() in MIDI_SUFFIXES:
        return symusic.Score(str(path))
    import music21

    with warnings.catch_warnings(), tempfile.NamedTemporaryFile(suffix=".mid") as tmp:
        warnings.simplefilter("ignore")
        music21.converter.parse(str(path)).write("midi", fp=tmp.name)
        return symusic.Score(tmp.name)


def tokenize_catalog(catalog: Catalog, sources: list[str], tokenizer: CueTokenizer, cache: Path | None) -> list[TokenizedPiece]:
    """Every 4/4 piece with a key from the given sources, tokenized (REMI ids cached by content hash)."""
    cached: dict[str, np.ndarray] = dict(np.load(cache)) if cache and cache.is_file() else {}
    pieces, fresh = [], False
    for source in sources:
        for row in catalog.query(PieceQuery(source=source)):
            if row["meter"] != "4/4" or not row["key"]:
                continue
            if row["sha1"] not in cached:
                try:
                    cached[row["sha1"]] = np.array(tokenizer.encode_score(load_score(row["path"])), dtype=np.int32)
                except Exception:  # noqa: BLE001 - a file that analysed but will not tokenize is left out
                    cached[row["sha1"]] = np.zeros(0, dtype=np.int32)
                fresh = True
            ids = cached[row["sha1"]]
            bars = np.flatnonzero(ids == tokenizer.bar)
            if len(bars) < 2:
                continue
            conditions = Conditions(
                key=Key.parse(row["key"]), tempo=row["tempo_bpm"] or 120.0, valence=row["valence"],
                arousal=row["arousal"], families=tuple(row["families"]) or ("piano",),
            )  # fmt: skip
            pieces.append(TokenizedPiece(row["title"], ids, conditions, bars))
    if cache and fresh:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cache, **cached)
    return pieces


def split_by_piece(pieces: list[TokenizedPiece], validation_fraction: float, seed: int) -> tuple[list, list]:
    """Shuffle whole pieces into train and validation sets (no piece contributes to both)."""
    order = np.random.default_rng(seed).permutation(len(pieces))
    n_val = max(1, round(len(pieces) * validation_fraction)) if len(pieces) > 1 else 0
    return [pieces[i] for i in order[n_val:]], [pieces[i] for i in order[:n_val]]


def window(piece: TokenizedPiece, tokenizer: CueTokenizer, context: int, start_bar: int, transpose: int) -> tuple[np.ndarray, np.ndarray]:
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


def sample_batch(pieces: list[TokenizedPiece], tokenizer: CueTokenizer, context: int, size: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """A training batch: pieces drawn in proportion to their length, random bar, random transposition."""
    weights = np.array([len(p.ids) for p in pieces], dtype=float)
    chosen = rng.choice(len(pieces), size=size, p=weights / weights.sum())
    pairs = [
        window(pieces[i], tokenizer, context, int(rng.integers(len(pieces[i].bar_starts))), int(rng.choice(TRANSPOSE_RANGE)))
        for i in chosen
    ]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def validation_windows(pieces: list[TokenizedPiece], tokenizer: CueTokenizer, context: int, per_piece: int = 2):
    """A fixed validation set: evenly spaced bars of each held-out piece, untransposed."""
    pairs = []
    for piece in pieces:
        for bar in np.linspace(0, len(piece.bar_starts) - 1, per_piece).astype(int):
            pairs.append(window(piece, tokenizer, context, int(bar), 0))
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
