"""Modes reported as modes: the home key's tonic read as Ionian (major), Lydian or Mixolydian when the
key is major, as minor, Dorian or Phrygian when it is minor, by which of the mode's scales holds most of
the piece's note time.

The scales differ on one or two degrees, so the choice is the comparison a musician makes: a major
tune whose flat seventh sounds longer than its leading tone is Mixolydian; a minor tune whose major
sixth outlasts its minor sixth and leading tone together is Dorian (minor's scale here holds both
sevenths, as tonal minor uses both). The tonic is the home-key finder's (corpus.global_key): the
final alone names the tonic of folk tunes but not of film and game cues, which loop, fade and stop
on a half cadence (bench/analysis_accuracy.py measures both on folk tunes whose ABC key names a mode).
"""

from __future__ import annotations

import numpy as np

from cuecraft.theory import PITCH_CLASS_NAMES, Key

UNHEARD = 0.01  # a degree holding less than this share of the note time is not heard (mode_by_its_third)

# Steps above the tonic; within each family the first listed wins a tie (the tonal reading).
SCALES: dict[str, dict[str, tuple[int, ...]]] = {
    "major": {"major": (0, 2, 4, 5, 7, 9, 11), "lydian": (0, 2, 4, 6, 7, 9, 11), "mixolydian": (0, 2, 4, 5, 7, 9, 10)},
    "minor": {"minor": (0, 2, 3, 5, 7, 8, 10, 11), "dorian": (0, 2, 3, 5, 7, 9, 10), "phrygian": (0, 1, 3, 5, 7, 8, 10)},
}
MODE_NAMES = frozenset(name for family in SCALES.values() for name in family)
# How far above a mode's tonic lies the major key whose signature the mode is written with (A dorian: G major's).
SIGNATURE_STEPS = {"major": 0, "lydian": 7, "mixolydian": 5, "minor": 3, "dorian": 10, "phrygian": 8}


def signature_tonic(tonic: int, mode: str) -> int:
    """The tonic of the major key whose key signature a mode on `tonic` is written with."""
    return (tonic + SIGNATURE_STEPS[mode]) % 12


def key_of_mode(tonic: int, mode: str) -> Key:
    """The major or minor key a mode on `tonic` is heard in (the SCALES family holding it): A dorian is A minor."""
    return Key(tonic, next(family for family, modes in SCALES.items() if mode in modes))


def scale_time(profile: np.ndarray, tonic: int, steps: tuple[int, ...]) -> float:
    """How much of a pitch-class profile (note time per pitch class) lies on the scale of `steps` above `tonic`."""
    return float(sum(profile[(tonic + step) % 12] for step in steps))


def mode_of(profile: np.ndarray, key: Key) -> str:
    """The mode on the key's tonic whose scale holds most of a pitch-class profile (note time per
    pitch class): major, lydian or mixolydian for a major key; minor, dorian or phrygian for a minor one."""
    held = {name: scale_time(profile, key.tonic, steps) for name, steps in SCALES[key.mode].items()}
    return max(held, key=held.__getitem__)


def modal_key_name(profile: np.ndarray, key: Key) -> str:
    """The key named with its mode: 'A dorian', 'G mixolydian', or the key's own name ('C major')."""
    return f"{PITCH_CLASS_NAMES[key.tonic]} {mode_of(profile, key)}"


def mode_by_its_third(profile: np.ndarray, key: Key) -> Key:
    """The key on `key`'s tonic in the family its third names, for a pitch-class profile (note time per
    pitch class): where one third is heard (at least UNHEARD of the time) and the other is not, that third's
    family; where neither is, the seventh's (a flat seventh is minor's subtonic, a leading tone major's: a
    fiddle tune on the open fifth with G naturals over A is written in A minor or dorian, though a profile
    correlation hears the missing third as major); `key` itself where both thirds are heard, or the sevenths tie."""
    shares = np.asarray(profile, float) / (float(np.sum(profile)) or 1.0)
    minor_third, major_third, flat_seventh, leading_tone = (shares[(key.tonic + step) % 12] for step in (3, 4, 10, 11))
    if (minor_third >= UNHEARD) != (major_third >= UNHEARD):
        return Key(key.tonic, "minor" if minor_third >= UNHEARD else "major")
    if max(minor_third, major_third) >= UNHEARD or flat_seventh == leading_tone:
        return key
    return Key(key.tonic, "minor" if flat_seventh > leading_tone else "major")
