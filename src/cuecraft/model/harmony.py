"""The harmony model: which chord follows which, learned from the corpus's timed chords.

Chords are named by degree (root in semitones above the tonic) and quality, one chain per mode. The
next chord's probability interpolates trigram, bigram and unigram estimates (Jelinek-Mercer), tilted
by emotion: for every chord, the log ratio of its frequency in pieces that listeners labelled
positive against negative valence (and high against low arousal), from VGMIDI's labelled pieces the
model may learn from. Harmonic rhythm (beats per chord) is learned per tempo band.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cuecraft.atomic import write_text_atomic
from cuecraft.corpus.chords import QUALITIES, Chord
from cuecraft.errors import CuecraftError
from cuecraft.theory import Key

SYMBOLS = [f"{degree}_{quality}" for degree in range(12) for quality in QUALITIES]
INDEX = {s: i for i, s in enumerate(SYMBOLS)}
WEIGHTS = (0.6, 0.3, 0.1)  # trigram, bigram, unigram
SMOOTHING = 5.0  # add-k for the emotion ratios: rare chords' ratios shrink toward no tilt
TEMPO_BANDS = (80, 100, 120, 140)
DEFAULT_HARMONY = Path(__file__).parent / "assets" / "harmony.json"
FORMAT = "cuecraft-harmony/1"


def symbol(chord: Chord, key: Key) -> str:
    return f"{(chord.root - key.tonic) % 12}_{chord.quality}"


def chord_of(symbol_name: str, key: Key) -> Chord:
    degree, quality = symbol_name.split("_")
    return Chord((int(degree) + key.tonic) % 12, quality)


@dataclass
class ChordSequence:
    """One piece's chord changes (repeats merged) as degree symbols, with durations in beats."""

    mode: str
    symbols: list[str]
    beats: list[float]
    tempo: float
    valence: float | None = None
    arousal: float | None = None


@dataclass
class HarmonyModel:
    """Counts per mode, emotion tilts and harmonic rhythm; `next_distribution` gives P(next chord)."""

    trigrams: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # mode -> "a|b" -> next -> count
    bigrams: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    unigrams: dict[str, dict[str, float]] = field(default_factory=dict)
    valence_tilt: dict[str, dict[str, float]] = field(default_factory=dict)  # mode -> symbol -> log ratio
    arousal_tilt: dict[str, dict[str, float]] = field(default_factory=dict)
    beats_per_chord: list[float] = field(default_factory=lambda: [4.0] * (len(TEMPO_BANDS) + 1))
    pieces: int = 0

    @classmethod
    def fit(cls, sequences: Iterable[ChordSequence]) -> HarmonyModel:
        model = cls()
        tri: dict = defaultdict(lambda: defaultdict(Counter))
        bi: dict = defaultdict(lambda: defaultdict(Counter))
        uni: dict = defaultdict(Counter)
        by_valence: dict = defaultdict(lambda: {1: Counter(), -1: Counter()})
        by_arousal: dict = defaultdict(lambda: {1: Counter(), -1: Counter()})
        durations: dict[int, list[float]] = defaultdict(list)
        for seq in sequences:
            model.pieces += 1
            s = seq.symbols
            for i, current in enumerate(s):
                uni[seq.mode][current] += 1
                if i >= 1:
                    bi[seq.mode][s[i - 1]][current] += 1
                if i >= 2:
                    tri[seq.mode][f"{s[i - 2]}|{s[i - 1]}"][current] += 1
            for label, table in ((seq.valence, by_valence), (seq.arousal, by_arousal)):
                if label:
                    table[seq.mode][1 if label > 0 else -1].update(s)
            durations[bisect.bisect(TEMPO_BANDS, seq.tempo)] += [b for b in seq.beats if 0 < b <= 16]
        model.trigrams = {m: {k: dict(v) for k, v in t.items()} for m, t in tri.items()}
        model.bigrams = {m: {k: dict(v) for k, v in t.items()} for m, t in bi.items()}
        model.unigrams = {m: dict(c) for m, c in uni.items()}
        model.valence_tilt = {m: _log_ratio(t[1], t[-1]) for m, t in by_valence.items()}
        model.arousal_tilt = {m: _log_ratio(t[1], t[-1]) for m, t in by_arousal.items()}
        overall = [b for values in durations.values() for b in values] or [4.0]
        model.beats_per_chord = [float(np.median(durations.get(band) or overall)) for band in range(len(TEMPO_BANDS) + 1)]
        return model

    def next_distribution(self, mode: str, history: list[str], valence: float = 0.0, arousal: float = 0.0) -> np.ndarray:
        """Probabilities over SYMBOLS for the chord after `history` in `mode`, tilted by emotion."""
        return tilted(self.ngram_distribution(mode, history), self.emotion_tilt(mode, valence, arousal))

    def ngram_distribution(self, mode: str, history: list[str]) -> np.ndarray:
        """Probabilities over SYMBOLS for the chord after `history` in `mode`, before any emotion."""
        probs = np.zeros(len(SYMBOLS))
        tables = [
            self.trigrams.get(mode, {}).get("|".join(history[-2:])) if len(history) >= 2 else None,
            self.bigrams.get(mode, {}).get(history[-1]) if history else None,
            self.unigrams.get(mode, {}),
        ]
        for weight, table in zip(WEIGHTS, tables):
            if table:
                counts = np.zeros(len(SYMBOLS))
                for name, count in table.items():
                    counts[INDEX[name]] = count
                probs += weight * counts / counts.sum()
        if not probs.any():
            probs[INDEX["0_maj" if mode == "major" else "0_min"]] = 1.0
        return probs

    def emotion_tilt(self, mode: str, valence: float, arousal: float) -> np.ndarray:
        """Log-weights over SYMBOLS that lean the chords toward those of music with this emotion."""
        tilt = np.zeros(len(SYMBOLS))
        for amount, table in ((valence, self.valence_tilt.get(mode, {})), (arousal, self.arousal_tilt.get(mode, {}))):
            for name, ratio in table.items():
                tilt[INDEX[name]] += amount * ratio
        return tilt

    def harmonic_rhythm(self, tempo: float) -> float:
        """Median beats per chord in the corpus at this tempo."""
        return self.beats_per_chord[bisect.bisect(TEMPO_BANDS, tempo)]

    def save(self, path: str | Path) -> None:
        payload = {"format": FORMAT, **{k: getattr(self, k) for k in self.__dataclass_fields__}}
        write_text_atomic(Path(path), json.dumps(payload))

    @classmethod
    def load(cls, path: str | Path = DEFAULT_HARMONY) -> HarmonyModel:
        path = Path(path)
        try:
            payload = json.loads(path.read_text())
            if payload.pop("format", None) != FORMAT:
                raise ValueError("not a cuecraft harmony model")
            return cls(**payload)
        except (OSError, ValueError, TypeError) as exc:
            raise CuecraftError(path, f"unreadable harmony model ({exc.__class__.__name__}: {exc})") from None


def tilted(probs: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """`probs` reweighted by exp(`tilt`), summing to 1."""
    weighted = probs * np.exp(tilt)
    return weighted / weighted.sum()


def _log_ratio(positive: Counter, negative: Counter) -> dict[str, float]:
    """log P(chord | positive) / P(chord | negative), add-k smoothed, for chords seen in either."""
    names = set(positive) | set(negative)
    if not positive or not negative:
        return {}
    p_total, n_total = sum(positive.values()), sum(negative.values())
    vocab = len(SYMBOLS)
    return {
        name: float(np.log((positive[name] + SMOOTHING) / (p_total + SMOOTHING * vocab))
                    - np.log((negative[name] + SMOOTHING) / (n_total + SMOOTHING * vocab)))
        for name in names
    }  # fmt: skip


def chord_changes(chords: list, key: Key) -> tuple[list[str], list[float]]:
    """Degree symbols of successive different chords and how long each lasts (beats)."""
    symbols: list[str] = []
    beats: list[float] = []
    for timed in chords:
        name = symbol(timed.chord, key)
        if symbols and symbols[-1] == name:
            beats[-1] += timed.end - timed.start
        else:
            symbols.append(name)
            beats.append(timed.end - timed.start)
    return symbols, beats


@functools.lru_cache(maxsize=1)
def shipped_harmony() -> HarmonyModel:
    """The harmony model shipped in the package (read once per process)."""
    return HarmonyModel.load(DEFAULT_HARMONY)
