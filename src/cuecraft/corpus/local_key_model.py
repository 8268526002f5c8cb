"""Local keys chord by chord: a hidden Markov model over the 24 keys, learned from human Roman-numeral
analyses (music21's RomanText Bach chorales and Monteverdi madrigals; bench/fit_local_keys.py).

A key emits chords: how often each chord (its root's degree above the tonic and its triad family)
falls in a major or a minor key. From one chord to the next an analyst stays in the key or moves to a
key so many semitones away, major or minor, as often as the analyses do. Each chord's key scores also
hear the notes of the chords around it (the key profiles' correlation) and the home key, which a piece
starts in and which pulls more the longer a chord lasts (a song's bar-long chords sit in their key; a
chorale's beat-long ones may tonicize). The decoder is a Viterbi path through the whole piece, so a key
change lands where the chords say, not where a window's middle passes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from cuecraft.corpus.chords import Chord, TimedChord
from cuecraft.corpus.keyfinding import DEFAULT_PROFILES, KEYS, TimedKey, beat_profiles, key_correlations, timed_keys, window_sums
from cuecraft.corpus.saved_fields import SavedFields
from cuecraft.corpus.viterbi import best_path_through
from cuecraft.model.events import Note
from cuecraft.theory import Key

FAMILIES = ("maj", "min", "dim", "aug", "sus4")  # Chord.triad_family's values
MODES = ("major", "minor")
ASSET = Path(__file__).parent / "assets" / "local_keys.npz"
# How the decoder weighs the notes and the home key against the chords' log-probabilities (the model
# stores them). Chosen by two-fold validation over the analyses (bench/fit_local_keys.py --grid): the best
# mean of chorales and madrigals among the settings that keep POP909's annotated key regions as well
# followed as the windowed path before it did.
PROFILE_WEIGHT = 8.0  # times the key profiles' correlation with the notes around a chord
PROFILE_REACH = 4  # chords either side whose notes are heard with a chord's own
HOME_PER_BEAT = 0.2  # the home key's advantage per beat a chord lasts
FIRST_CHORD_HOME = 2.0  # the home key's advantage at the first chord
EMISSION_PRIOR = 0.5  # counts added to every chord in every mode before normalising
MOVE_PRIOR = 0.1  # counts added to every change of key


def chord_symbol(chord: Chord, key: Key) -> int:
    """The chord's row in a mode's emissions: its root's degree above the key's tonic, and its triad family."""
    return (chord.root - key.tonic) % 12 * len(FAMILIES) + FAMILIES.index(chord.triad_family())


@dataclass(frozen=True)
class LocalKeyModel(SavedFields):
    """Emission and transition log-probabilities, and the decoder's weights."""

    emissions: np.ndarray  # (2, 12 * len(FAMILIES)): log P(chord_symbol | major), log P(chord_symbol | minor)
    stay: float  # log P(the next chord is in the same key)
    moves: np.ndarray  # (12, 2, 2): log P(a change of key goes so many semitones up, from major/minor to major/minor)
    profile_weight: float = PROFILE_WEIGHT
    profile_reach: int = PROFILE_REACH
    home_per_beat: float = HOME_PER_BEAT

    def transitions(self) -> np.ndarray:
        """(24, 24) log P(key j at the next chord | key i at this one), keys in KEYS' order."""
        change = np.log1p(-np.exp(self.stay))
        table = change + np.array([[self.moves[(b.tonic - a.tonic) % 12, MODES.index(a.mode), MODES.index(b.mode)] for b in KEYS]
                                   for a in KEYS])  # fmt: skip
        np.fill_diagonal(table, self.stay)
        return table

    def chord_scores(self, chords: Sequence[TimedChord]) -> np.ndarray:
        """(chords, 24) log P(chord | key) for each chord and key of KEYS (chord_symbol for every pair at once)."""
        roots = np.array([c.chord.root for c in chords])[:, None]
        families = np.array([FAMILIES.index(c.chord.triad_family()) for c in chords])[:, None]
        tonics, modes = np.array([k.tonic for k in KEYS]), np.array([MODES.index(k.mode) for k in KEYS])
        return self.emissions[modes, (roots - tonics) % 12 * len(FAMILIES) + families]


@lru_cache(maxsize=1)
def shipped_local_key_model() -> LocalKeyModel:
    """The model bench/fit_local_keys.py fitted on all the analyses, shipped with the package."""
    return LocalKeyModel.load(ASSET)


def fit_local_key_model(groups: Sequence[Sequence[Sequence[tuple[Chord, Key]]]]) -> LocalKeyModel:
    """Count a model from groups of analyses, each a piece's chords in order with the key the analyst
    hears each in; every group weighs alike, and every analysis alike within its group."""
    emissions = np.full((2, 12 * len(FAMILIES)), EMISSION_PRIOR)
    moves = np.full((12, 2, 2), MOVE_PRIOR)
    moves[0, 0, 0] = moves[0, 1, 1] = 0.0  # a move to the same key is a stay
    stays = changes = 0.0
    for group in groups:
        for analysis in group:
            weight = 1.0 / len(group)
            for index, (chord, key) in enumerate(analysis):
                emissions[MODES.index(key.mode), chord_symbol(chord, key)] += weight
                if index == 0:
                    continue
                before = analysis[index - 1][1]
                if before == key:
                    stays += weight
                else:
                    changes += weight
                    moves[(key.tonic - before.tonic) % 12, MODES.index(before.mode), MODES.index(key.mode)] += weight
    with np.errstate(divide="ignore"):
        return LocalKeyModel(emissions=np.log(emissions / emissions.sum(axis=1, keepdims=True)),
                             stay=float(np.log(stays / (stays + changes))), moves=np.log(moves / moves.sum()))  # fmt: skip


def chord_local_keys(per_beat: np.ndarray, chords: Sequence[TimedChord], home: Key | None = None,
                     model: LocalKeyModel | None = None, profiles: str = DEFAULT_PROFILES) -> list[TimedKey]:  # fmt: skip
    """The key in force beat by beat, from each beat's weight per pitch class (beats x 12: sounding time
    from notes, or chroma energy from audio) and the chords heard in them: the model's Viterbi path chord by
    chord, each beat taking the key of the chord sounding at its middle (or of the last chord before it)."""
    model = model or shipped_local_key_model()
    n_beats = len(per_beat)
    chords = [c for c in chords if c.end > c.start]
    if n_beats == 0 or not chords:
        return []
    starts = np.array([c.start for c in chords])
    beat_chord = np.clip(np.searchsorted(starts, np.arange(n_beats) + 0.5, side="right") - 1, 0, len(chords) - 1)
    chord_weights = np.zeros((len(chords), 12))
    np.add.at(chord_weights, beat_chord, per_beat)
    reach = model.profile_reach
    index = np.arange(len(chords))
    around = window_sums(chord_weights, np.maximum(0, index - reach), np.minimum(len(chords), index + reach + 1))
    scores = model.chord_scores(chords) + model.profile_weight * key_correlations(around, profiles)
    if home is not None:
        at_home = KEYS.index(home)
        scores[:, at_home] += model.home_per_beat * np.array([c.end - c.start for c in chords])
        scores[0, at_home] += FIRST_CHORD_HOME
    path = best_path_through(scores, model.transitions())
    return timed_keys([path[chord] for chord in beat_chord])


def note_local_keys(notes: Sequence[Note], chords: Sequence[TimedChord], home: Key | None = None,
                    model: LocalKeyModel | None = None) -> list[TimedKey]:  # fmt: skip
    """chord_local_keys for notes in beats and their chords (label_chords)."""
    return chord_local_keys(beat_profiles((n.onset, n.duration, n.pitch) for n in notes), chords, home, model)
