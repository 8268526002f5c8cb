"""A piece's home key from its pitch profile and its harmony: how long the tonic chord sounds, the
authentic cadences onto it, and the chords the piece opens and closes on.

A profile correlation alone cannot tell a key from its relative or its dominant when their scales
weigh alike; a listener hears the key the music rests and cadences on. Each of the 24 keys gets
EVIDENCE features. For notes, the learned scorer of corpus.key_model weighs them with what the notes
do around each key's tonic (bass, strong beats, first and last notes); for audio's chroma, their
weighted sum picks the key (weights fitted as a conditional logit on odd-numbered POP909 songs by
bench/fit_key_weights.py, never on the songs or chorales the analysis bench reports).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cuecraft.corpus.chords import TimedChord, label_chords
from cuecraft.corpus.key_model import key_features, shipped_scorer
from cuecraft.corpus.keyfinding import KEYS, key_scores, pitch_class_profile
from cuecraft.corpus.modes import mode_by_its_third
from cuecraft.model.events import Note
from cuecraft.theory import Key

EVIDENCE = ("profile", "tonic chord", "cadences", "final root", "first chord")
WEIGHTS = np.array([9.2, 3.6, 0.9, 0.8, 0.7])  # per EVIDENCE; printed by bench/fit_key_weights.py


def key_evidence(notes: Sequence[Note], chords: Sequence[TimedChord]) -> np.ndarray:
    """(24, len(EVIDENCE)) per key of KEYS: the profile's correlation with the key, the share of chord
    time on its tonic triad, authentic cadences (V or V7 onto that triad) per ten chords, whether the
    last chord stands on its tonic (any quality: a Picardy third still closes a minor piece) and
    whether the first chord is its tonic triad."""
    return profile_evidence(pitch_class_profile((n.pitch, n.duration) for n in notes), chords)


def profile_evidence(profile: np.ndarray, chords: Sequence[TimedChord]) -> np.ndarray:
    """key_evidence from a pitch-class profile (of notes, or of audio's chroma) and the chords."""
    scores = key_scores(profile)
    total = sum(c.end - c.start for c in chords) or 1.0
    evidence = np.zeros((len(KEYS), len(EVIDENCE)))
    for row, key in enumerate(KEYS):
        family = "maj" if key.mode == "major" else "min"

        def is_tonic(chord: TimedChord) -> bool:
            return chord.chord.root == key.tonic and chord.chord.triad_family() == family

        dominant = (key.tonic + 7) % 12
        cadences = sum(a.chord.root == dominant and a.chord.triad_family() == "maj" and is_tonic(b) for a, b in zip(chords, chords[1:]))
        evidence[row] = (
            scores.get(key, -1.0),
            sum(c.end - c.start for c in chords if is_tonic(c)) / total,
            10.0 * cadences / max(1, len(chords)),
            float(bool(chords) and chords[-1].chord.root == key.tonic),
            float(bool(chords) and is_tonic(chords[0])),
        )
    return evidence


def find_key(notes: Sequence[Note], chords: Sequence[TimedChord] | None = None) -> tuple[Key, float]:
    """The home key of pitched notes in beats (the learned scorer's pick, in the mode its third names where
    only one third or none sounds: modes.mode_by_its_third) and its profile correlation (C major,
    0.0 without notes). `chords` are the notes' labelled chords when the caller has them already."""
    if not notes:
        return Key(0, "major"), 0.0
    chords = label_chords(notes) if chords is None else chords
    profile = pitch_class_profile((n.pitch, n.duration) for n in notes)
    evidence = profile_evidence(profile, chords)
    picked = KEYS[int(np.argmax(shipped_scorer().log_probabilities(key_features(notes, chords, evidence))))]
    home = mode_by_its_third(profile, picked)
    return home, float(evidence[KEYS.index(home), 0])


def home_key(evidence: np.ndarray) -> tuple[Key, float]:
    """The key the linearly weighted evidence (profile_evidence, from audio) picks, and its profile correlation."""
    best = int(np.argmax(evidence @ WEIGHTS))
    return KEYS[best], float(evidence[best, 0])
