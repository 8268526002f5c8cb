"""The Markov baseline: variable-order Markov chains over onset-group tokens, one per mode, learned
from key-normalised MIDI (all pieces transposed to a C tonic), sampled within the requested scale."""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from cuecraft.atomic import atomic_path
from cuecraft.corpus.files import MIDI_SUFFIXES, find_files, unique_by_content
from cuecraft.corpus.keyfinding import estimate_key, pitch_class_profile
from cuecraft.errors import CuecraftError
from cuecraft.model.composer import GenerationRequest, tonic_shift
from cuecraft.model.events import BOS, REST_BAR, STEPS_PER_BEAT, GridCursor, Note, Token, decode, encode, read_piece
from cuecraft.model.markov import VariableOrderMarkov
from cuecraft.model.paths import require_model_file
from cuecraft.theory import Key, Mode

MODES: tuple[Mode, ...] = ("major", "minor")
MAX_TOKENS = 20_000


@dataclass
class TrainingReport:
    """What training read and learned, stored in the model file as its provenance."""

    files: int = 0
    duplicates: int = 0
    unreadable: int = 0
    other_meter: int = 0
    pieces_major: int = 0
    pieces_minor: int = 0
    tokens: int = 0
    vocabulary: int = 0
    max_order: int = 0
    seconds: float = 0.0


class MarkovBaseline:
    """A trained baseline composer."""

    name = "markov-baseline"

    def __init__(self, vocab: list[Token], models: dict[str, VariableOrderMarkov], report: TrainingReport) -> None:
        self.vocab = vocab
        self.index = {token: i for i, token in enumerate(vocab)}
        self.models = models
        self.report = report
        self.allowed = {mode: self._scale_mask(Key(0, mode)) for mode in MODES}

    def _scale_mask(self, key: Key) -> np.ndarray:
        """Tokens whose pitches all lie in the key (tokens are stored with a C tonic); no BOS, no empty bars."""
        pcs = key.allowed_pitch_classes()
        return np.array(
            [t not in (BOS, REST_BAR) and all(p % 12 in pcs for p in t[1]) for t in self.vocab], dtype=bool
        )

    def generate(self, request: GenerationRequest) -> list[Note]:
        """Continue the prompt until `length_beats`, every new onset inside the requested key's scale."""
        mode = request.key.mode
        model = self.models[mode]
        shift = tonic_shift(request.key.tonic)
        rng = np.random.default_rng(request.seed)
        tokens = encode(request.prompt, request.beats_per_bar, transpose=-shift)
        history = [self.index.get(t, -1) for t in tokens]
        cursor = GridCursor(request.beats_per_bar)
        for token in tokens:
            cursor.advance(token)
        limit = round(request.length_beats * STEPS_PER_BEAT)
        for _ in range(MAX_TOKENS):
            next_id = model.sample(history, rng, self.allowed[mode], request.temperature)
            step = cursor.peek(self.vocab[next_id])
            if step is None or step >= limit:
                break
            cursor.advance(self.vocab[next_id])
            tokens.append(self.vocab[next_id])
            history.append(next_id)
        return decode(tokens, request.beats_per_bar, transpose=shift)

    def save(self, path: str | Path) -> None:
        """Write the model as one .npz (count tables + JSON vocabulary and report), atomically."""
        arrays: dict[str, np.ndarray] = {}
        for mode, model in self.models.items():
            arrays.update(model.to_arrays(f"{mode}_"))
        meta = {"format": "cuecraft-markov-baseline/1", "vocab": self.vocab, "report": asdict(self.report)}
        arrays["meta"] = np.array(json.dumps(meta))
        with atomic_path(path) as tmp:
            np.savez_compressed(tmp, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> MarkovBaseline:
        """Read a model written by `save`, with a one-line error for a missing or damaged file."""
        path = require_model_file("baseline", path)
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != "cuecraft-markov-baseline/1":
                    raise ValueError(f"unknown format {meta.get('format')!r}")
                report = TrainingReport(**meta["report"])
                vocab = [(int(p), tuple(int(x) for x in ps), int(d)) for p, ps, d in meta["vocab"]]
                models = {m: VariableOrderMarkov.from_arrays(data, f"{m}_", report.max_order) for m in MODES}
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
            raise CuecraftError(path, f"damaged baseline model ({exc.__class__.__name__}: {exc})") from None
        return cls(vocab, models, report)


def train_baseline(
    paths: Iterable[str | Path],
    max_order: int = 4,
    on_file: Callable[[int, int], None] | None = None,
) -> MarkovBaseline:
    """Learn a baseline from the MIDI files under `paths` (deduplicated; 4/4 pieces only, as cues are 4/4)."""
    started = time.perf_counter()
    files = find_files(paths, MIDI_SUFFIXES)
    unique = list(unique_by_content(files))
    report = TrainingReport(files=len(files), duplicates=len(files) - len(unique), max_order=max_order)
    sequences: dict[str, list[list[Token]]] = {mode: [] for mode in MODES}
    for done, path in enumerate(unique, 1):
        if on_file:
            on_file(done, len(unique))
        try:
            piece = read_piece(path)
        except CuecraftError:
            report.unreadable += 1
            continue
        if piece.beats_per_bar != 4 or not piece.notes:
            report.other_meter += 1
            continue
        key, _ = estimate_key(pitch_class_profile((n.pitch, n.duration) for n in piece.notes))
        sequences[key.mode].append(encode(piece.notes, 4, transpose=-tonic_shift(key.tonic)))
    vocab = sorted({t for seqs in sequences.values() for seq in seqs for t in seq} | {BOS, REST_BAR})
    index = {t: i for i, t in enumerate(vocab)}
    models = {
        mode: VariableOrderMarkov.fit(([index[t] for t in seq] for seq in seqs), max_order)
        for mode, seqs in sequences.items()
    }
    report.pieces_major, report.pieces_minor = len(sequences["major"]), len(sequences["minor"])
    report.tokens = sum(len(s) for seqs in sequences.values() for s in seqs)
    report.vocabulary = len(vocab)
    report.seconds = round(time.perf_counter() - started, 2)
    return MarkovBaseline(vocab, models, report)
