"""Ground truth and scores for evaluating the analysers: keys from notation, MIREX key scoring,
tempo agreement with octave errors told apart."""

from __future__ import annotations

import warnings
from pathlib import Path

from cuecraft.theory import Key


def notated_key(path: str | Path) -> Key | None:
    """The key a score states: its key signature, with the mode told by the final bass note.

    None when the final bass is neither the major nor the relative minor tonic (modal endings,
    half cadences) or the score has no key signature: such pieces have no unambiguous truth.
    """
    import music21

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(str(path))
    signatures = list(score.recurse().getElementsByClass(music21.key.KeySignature))
    parts = list(score.parts) or [score]
    notes = list(parts[-1].recurse().notes)
    if not signatures or not notes:
        return None
    major_tonic = (7 * signatures[0].sharps) % 12
    last = notes[-1]
    bass = min(p.pitchClass for p in last.pitches) if last.isChord else last.pitch.pitchClass
    if bass == major_tonic:
        return Key(major_tonic, "major")
    if bass == (major_tonic + 9) % 12:
        return Key((major_tonic + 9) % 12, "minor")
    return None


def mirex_key_score(estimate: Key, truth: Key) -> float:
    """MIREX key-detection score: 1 same key, 0.5 perfect fifth, 0.3 relative, 0.2 parallel, else 0."""
    if estimate == truth:
        return 1.0
    if estimate.mode == truth.mode and (estimate.tonic - truth.tonic) % 12 in (5, 7):
        return 0.5
    if estimate == truth.relative():
        return 0.3
    if estimate.tonic == truth.tonic:
        return 0.2
    return 0.0


def tempo_agreement(estimate: float, truth: float, tolerance: float = 0.04) -> str:
    """'match' within the tolerance, 'octave' at half/double (or 2/3, 3/2) tempo, else 'miss'."""
    for factor, verdict in ((1.0, "match"), (2.0, "octave"), (0.5, "octave"), (1.5, "octave"), (2 / 3, "octave")):
        if abs(estimate - truth * factor) <= tolerance * truth * factor:
            return verdict
    return "miss"
