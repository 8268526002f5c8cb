"""Pseudo-labels: the emotion signs of unlabelled training pieces, inferred from the labelled ones.

Only 61 labelled VGMIDI pieces are in the training split, too few to teach the transformer's
Valence/Arousal tokens. A logistic regression per sign, fitted on those pieces' listener labels,
labels the unlabelled VGMIDI pieces of the training split (the same kind of piano transcription)
where it is confident; the rest stay unknown. The emotion judge's pieces are never seen here: they are
held out of the training split before this runs (model.training_set.split_for_training).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sklearn.pipeline import Pipeline

from cuecraft.model.emotion import cross_validated_signs, sign_classifier
from cuecraft.model.training_set import AnnotatedPiece

FEATURES = ("minor", "tempo", "velocity mean", "velocity spread", "notes per bar", "voices", "pitch mean",
            "pitch span", "notes outside the key", "minor chord time", "chord changes per bar")  # fmt: skip
CONFIDENCE = 0.7  # probability of the sign a label needs; below it the piece stays unlabelled
MIN_LABELLED = 10  # fewer listener-labelled pieces than this teach no labeller
SOURCE = "vgmidi"  # the corpus whose unlabelled pieces are labelled (the labelled pieces' own kind)


def piece_features(piece: AnnotatedPiece) -> np.ndarray:
    """FEATURES of a piece, from its notes, key and chords."""
    notes = piece.notes
    pitches = np.array([n.pitch for n in notes], float)
    velocities = np.array([n.velocity for n in notes], float)
    length = max(4.0, max(n.onset + n.duration for n in notes))
    allowed = piece.key.allowed_pitch_classes()
    chord_time = sum(c.end - c.start for c in piece.chords) or 1.0
    minor_time = sum(c.end - c.start for c in piece.chords if c.chord.triad_family() == "min")
    return np.array([
        float(piece.key.mode == "minor"), piece.tempo, velocities.mean(), velocities.std(), len(notes) / (length / 4),
        sum(n.duration for n in notes) / length, pitches.mean(), np.percentile(pitches, 95) - np.percentile(pitches, 5),
        float(np.mean([int(p) % 12 not in allowed for p in pitches])), minor_time / chord_time,
        len(piece.chords) / (length / 4),
    ])  # fmt: skip


def _has_labels(piece: AnnotatedPiece) -> bool:
    """Whether listeners gave the piece both signs (a 0 is no sign)."""
    return piece.valence not in (None, 0) and piece.arousal not in (None, 0)


def _labelled(pieces: list[AnnotatedPiece]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    usable = [p for p in pieces if _has_labels(p)]
    if len(usable) < MIN_LABELLED:
        raise ValueError(f"only {len(usable)} pieces with nonzero valence and arousal labels to learn from")
    x = np.stack([piece_features(p) for p in usable])
    return x, np.array([p.valence > 0 for p in usable], int), np.array([p.arousal > 0 for p in usable], int)


@dataclass
class PseudoLabeller:
    """Two sign classifiers (valence, arousal) over piece_features."""

    valence: Pipeline
    arousal: Pipeline

    @classmethod
    def fit(cls, pieces: list[AnnotatedPiece]) -> PseudoLabeller:
        """Fit on the pieces that carry listener labels (others are ignored)."""
        x, v, a = _labelled(pieces)
        return cls(sign_classifier().fit(x, v), sign_classifier().fit(x, a))

    @staticmethod
    def cross_validated(pieces: list[AnnotatedPiece], folds: int = 5, seed: int = 0) -> dict[str, float]:
        """Accuracy by piece of each sign over `folds` folds, over all labels and over the confident ones."""
        return cross_validated_signs(*_labelled(pieces), folds, seed, CONFIDENCE)

    def label(self, pieces: list[AnnotatedPiece]) -> list[AnnotatedPiece]:
        """`pieces` with each unlabelled SOURCE piece's signs set where the classifier is confident
        (±1; unknown otherwise); labelled pieces and other sources unchanged."""
        chosen = [i for i, p in enumerate(pieces) if p.source == SOURCE and p.valence is None and p.arousal is None]
        if not chosen:
            return list(pieces)
        x = np.stack([piece_features(pieces[i]) for i in chosen])
        signs = {}
        for name, model in (("valence", self.valence), ("arousal", self.arousal)):
            p = model.predict_proba(x)[:, 1]
            signs[name] = np.where(p >= CONFIDENCE, 1.0, np.where(p <= 1 - CONFIDENCE, -1.0, np.nan))
        out = list(pieces)
        for row, i in enumerate(chosen):
            valence, arousal = (None if np.isnan(signs[k][row]) else float(signs[k][row]) for k in ("valence", "arousal"))
            out[i] = replace(pieces[i], valence=valence, arousal=arousal)
        return out


def with_pseudo_labels(pieces: list[AnnotatedPiece]) -> list[AnnotatedPiece]:
    """`pieces` labelled by a PseudoLabeller fitted on their own listener labels; unchanged when
    fewer than MIN_LABELLED carry both signs."""
    return PseudoLabeller.fit(pieces).label(pieces) if sum(map(_has_labels, pieces)) >= MIN_LABELLED else list(pieces)
