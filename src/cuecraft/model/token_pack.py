"""A token pack: the tokenized training pieces and the vocabulary in one NumPy archive (no pickle),
so that training can run where MidiTok and the corpora are not (a lent GPU machine)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from cuecraft.atomic import atomic_path
from cuecraft.errors import CuecraftError
from cuecraft.model.dataset import TokenizedPiece
from cuecraft.model.vocabulary import Conditions, Vocabulary
from cuecraft.theory import Key


def save_pack(path: str | Path, pieces: list[TokenizedPiece], vocabulary: Vocabulary) -> None:
    """Write `pieces` (ids as int16, one run) with their conditions and the vocabulary's names, atomically."""
    meta = [{"title": p.title, "tonic": p.conditions.key.tonic, "mode": p.conditions.key.mode, "tempo": p.conditions.tempo,
             "valence": p.conditions.valence, "arousal": p.conditions.arousal, "families": list(p.conditions.families)}
            for p in pieces]  # fmt: skip
    lengths = np.array([len(p.ids) for p in pieces], dtype=np.int64)
    ids = np.concatenate([p.ids for p in pieces]).astype(np.int16) if pieces else np.zeros(0, np.int16)
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(handle, ids=ids, lengths=lengths, meta=np.array(json.dumps(meta)),
                            names=np.array(json.dumps(vocabulary.names)))  # fmt: skip


def load_pack(path: str | Path) -> tuple[list[TokenizedPiece], Vocabulary]:
    """The pieces and vocabulary of a token pack; CuecraftError for a missing or damaged file."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            ids, lengths = archive["ids"].astype(np.int32), archive["lengths"]
            meta, names = json.loads(str(archive["meta"])), json.loads(str(archive["names"]))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise CuecraftError(path, f"not a readable token pack ({exc.__class__.__name__}: {exc})") from None
    if len(meta) != len(lengths) or int(lengths.sum()) != len(ids):
        raise CuecraftError(path, "token pack is inconsistent: piece lengths do not add up to its ids")
    vocabulary = Vocabulary(names)
    pieces, start = [], 0
    for info, length in zip(meta, lengths):
        piece_ids = ids[start : start + int(length)]
        start += int(length)
        conditions = Conditions(Key(info["tonic"], info["mode"]), info["tempo"], info["valence"], info["arousal"],
                                None, tuple(info["families"]))  # fmt: skip
        pieces.append(TokenizedPiece(info["title"], piece_ids, conditions, np.flatnonzero(piece_ids == vocabulary.bar)))
    return pieces, vocabulary
