"""A learned home-key scorer: a small network gives each of the 24 keys a score from what the music does
around that key's tonic (its sounding time, strong beats, bass, first and last notes, chords, and the
hand-made evidence of corpus.global_key), and the keys' softmax picks the home key.

The same network scores every key from the music rotated to that key's tonic, so what it learns of
one key holds in all twelve. Ten members trained from different seeds are averaged. It was trained by
bench/fit_key_weights.py on odd-numbered POP909 songs and the folk tunes of every other ABC file of
music21's corpus (a modal tune's key is the major or minor key on its tonic); the analysis bench reports
on the other songs and tunes, the Bach chorales, the RomanText analyses and the VGMusic key signatures,
none of which it saw. Its shape (ten members, weight decay 1) was chosen by two-fold validation within
the training songs and tunes (bench/fit_key_weights.py --validate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from cuecraft.corpus.chords import TimedChord
from cuecraft.corpus.keyfinding import KEYS
from cuecraft.corpus.saved_fields import SavedFields
from cuecraft.model.events import Note

# Each row is a pitch-class vector, rotated to the candidate key's tonic before scoring.
ROWS = ("sounding time", "strong-beat time", "bass", "final notes", "first bass",
        "major chord time", "minor chord time", "diminished chord time",
        "last chord major", "last chord minor", "last chord diminished")  # fmt: skip
CHORD_FAMILIES = ("maj", "min", "dim")
ASSET = Path(__file__).parent / "assets" / "home_key.npz"


def pitch_rows(notes: Sequence[Note], chords: Sequence[TimedChord]) -> np.ndarray:
    """(len(ROWS), 12) per pitch class, for pitched notes in beats (at least one): the share of sounding
    time; of the time of notes struck on even beats (a 4/4 bar's first and third); of beats on which it
    is the lowest sounding note; the last onset's lowest and highest notes (half each); the first onset's
    lowest note; the share of chord time on each root per family; the last chord's root per family."""
    onsets = np.array([n.onset for n in notes])
    durations = np.array([n.duration for n in notes])
    pitches = np.array([n.pitch for n in notes])
    classes = pitches % 12
    rows = np.zeros((len(ROWS), 12))
    rows[0] = np.bincount(classes, durations, 12)
    strong = np.isclose(onsets, np.round(onsets)) & (np.round(onsets) % 2 == 0)
    rows[1] = np.bincount(classes[strong], durations[strong], 12)
    lowest = np.full(max(1, math.ceil(float((onsets + durations).max()) - 1e-9)), 128)
    for onset, end, pitch in zip(onsets, onsets + durations, pitches):
        beats = slice(int(onset), max(int(onset) + 1, math.ceil(end - 1e-9)))  # the beats the note sounds in
        lowest[beats] = np.minimum(lowest[beats], pitch)
    rows[2] = np.bincount(lowest[lowest < 128] % 12, minlength=12)
    last = pitches[onsets >= onsets.max() - 1e-6]
    rows[3, last.min() % 12] += 0.5
    rows[3, last.max() % 12] += 0.5
    rows[4, pitches[onsets <= onsets.min() + 1e-6].min() % 12] = 1.0
    total = sum(c.end - c.start for c in chords) or 1.0
    for timed in chords:
        family = timed.chord.triad_family()
        if family in CHORD_FAMILIES:
            rows[5 + CHORD_FAMILIES.index(family), timed.chord.root] += (timed.end - timed.start) / total
    if chords and (family := chords[-1].chord.triad_family()) in CHORD_FAMILIES:
        rows[8 + CHORD_FAMILIES.index(family), chords[-1].chord.root] = 1.0
    for row in range(3):  # times as shares
        rows[row] /= rows[row].sum() or 1.0
    return rows


def key_features(notes: Sequence[Note], chords: Sequence[TimedChord], evidence: np.ndarray) -> np.ndarray:
    """(24, features) per key of KEYS: pitch_rows rotated to the key's tonic, whether the key is minor,
    and the key's row of `evidence` (corpus.global_key.key_evidence)."""
    rows = pitch_rows(notes, chords)
    return np.stack([np.concatenate([np.roll(rows, -key.tonic, axis=1).ravel(), [float(key.mode == "minor")], evidence[index]])
                     for index, key in enumerate(KEYS)])  # fmt: skip


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (as torch's approximate='tanh', which the scorer is trained with)."""
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


@dataclass(frozen=True)
class KeyScorer(SavedFields):
    """An ensemble of one-hidden-layer networks scoring a key's features; arrays per member (first axis)."""

    mean: np.ndarray  # (features,): the training features' mean and scale, for standardising
    scale: np.ndarray
    hidden_weights: np.ndarray  # (members, features, hidden)
    hidden_bias: np.ndarray  # (members, hidden)
    out_weights: np.ndarray  # (members, hidden)
    out_bias: np.ndarray  # (members,)

    def log_probabilities(self, features: np.ndarray) -> np.ndarray:
        """(24,) the members' mean log-probability of each key, from key_features."""
        standard = (features - self.mean) / self.scale
        hidden = gelu(np.einsum("kf,mfh->mkh", standard, self.hidden_weights) + self.hidden_bias[:, None, :])
        scores = np.einsum("mkh,mh->mk", hidden, self.out_weights) + self.out_bias[:, None]
        scores -= scores.max(axis=1, keepdims=True)
        return (scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))).mean(axis=0)


@lru_cache(maxsize=1)
def shipped_scorer() -> KeyScorer:
    """The scorer bench/fit_key_weights.py trained, shipped with the package."""
    return KeyScorer.load(ASSET)


def fit_scorer(groups: Sequence[tuple[np.ndarray, np.ndarray]], members: int = 10, hidden: int = 32, epochs: int = 300,
               weight_decay: float = 1.0, dropout: float = 0.1) -> KeyScorer:  # fmt: skip
    """Train a KeyScorer on groups of (pieces x 24 x features, true key indices): each group's mean
    cross-entropy counts alike, so a small truth weighs as much as a large one. Full-batch AdamW."""
    import torch

    rows = np.concatenate([features.reshape(-1, features.shape[-1]) for features, _ in groups])
    mean, scale = rows.mean(axis=0), rows.std(axis=0) + 1e-3
    data = [(torch.tensor((features - mean) / scale, dtype=torch.float32), torch.tensor(truth)) for features, truth in groups]
    trained = []
    for seed in range(members):
        torch.manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Linear(len(mean), hidden), torch.nn.GELU(approximate="tanh"), torch.nn.Dropout(dropout),
                                  torch.nn.Linear(hidden, 1))  # fmt: skip
        optimiser = torch.optim.AdamW(net.parameters(), 3e-3, weight_decay=weight_decay)
        for _ in range(epochs):
            loss = sum(torch.nn.functional.cross_entropy(net(x).squeeze(-1), y) for x, y in data) / len(data)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        trained.append([layer.detach().numpy().astype(np.float64) for layer in net.parameters()])
    return KeyScorer(mean, scale, hidden_weights=np.stack([w1.T for w1, _, _, _ in trained]), hidden_bias=np.stack([b1 for _, b1, _, _ in trained]),
                     out_weights=np.stack([w2[0] for _, _, w2, _ in trained]), out_bias=np.array([b2[0] for _, _, _, b2 in trained]))  # fmt: skip
