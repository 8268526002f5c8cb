"""How a cue ends, chosen by what follows it (film.spotting.ending_for), as a music editor would:

- ring-out: V7–I, the tonic released just before the out point and left to ring into silence;
- button: V7 and a short, accented tonic stab on the last beat before the out point;
- fade: no cadence; the music settles on its tonic and dies away to the out point;
- segue: no cadence; it closes on the dominant of the next cue's key, struck on every beat and
  growing through the cut (no decaying chord leaves a hole), so the next cue's opening tonic
  resolves it (the pivot);
- unresolved: it stops on the dominant, held: suspense that the film does not answer.

A cue that takes over from a segue enters on its tonic (`entrance`).

The final chord never holds longer than two bars nor (where the cue allows two beats) a quarter of
the cue: it starts on the last downbeat, or the last half bar when a downbeat would leave it longer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cuecraft.compose.tempo_map import TempoMap
from cuecraft.model.events import Note
from cuecraft.project import Ending
from cuecraft.theory import Key

FINAL_CHORD_MIN_BEATS = 2.0
CADENCE_BEATS = 2.0  # the dominant seventh before a ring-out's or a button's tonic
MAX_HOLD_SHARE = 0.25  # of the cue
RELEASE_SECONDS = 0.35  # a ring-out lets go this long before the out point, so its decay ends in the cue
BUTTON_BEATS = 0.5  # the stab's length
HELD_THROUGH = ("fade", "segue", "unresolved")  # endings whose last chord holds to the out point


@dataclass(frozen=True)
class CueLayout:
    """Where the cue's music sits in beats: all of it, the final chord's start and its release."""

    total_beats: float
    final_chord_beat: float
    release_beat: float


def layout_cue(duration_s: float, tempo: float | TempoMap, beats_per_bar: int, ending: Ending = "ring-out") -> CueLayout:
    """Whole bars of music, then a final chord of two beats or more to the out point."""
    tempo_map = tempo if isinstance(tempo, TempoMap) else TempoMap.constant(tempo)
    total = tempo_map.beat_at(duration_s)
    final = _final_chord_beat(total, beats_per_bar)
    if ending == "button":
        final = max(0.0, math.floor(total - BUTTON_BEATS - 1e-9))
        return CueLayout(total, final, final + BUTTON_BEATS)
    if ending in HELD_THROUGH:
        return CueLayout(total, final, total)
    release = max(final + min(0.5, total - final) * 0.5, tempo_map.beat_at(duration_s - RELEASE_SECONDS))
    return CueLayout(total, final, release)


def _final_chord_beat(total: float, beats_per_bar: int) -> float:
    """The last downbeat leaving at least two beats; the last half bar instead when the downbeat would hold
    the chord over a quarter of the cue."""
    downbeat = math.floor(total / beats_per_bar) * beats_per_bar
    if total - downbeat < FINAL_CHORD_MIN_BEATS:
        downbeat -= beats_per_bar
    half = beats_per_bar / 2
    half_bar = math.floor((total - FINAL_CHORD_MIN_BEATS) / half) * half
    longest = max(FINAL_CHORD_MIN_BEATS, MAX_HOLD_SHARE * total)
    final = half_bar if total - downbeat > longest and half_bar > downbeat else downbeat
    return max(0.0, float(final))


def body_end(layout: CueLayout, ending: Ending) -> float:
    """Where the composed music gives way to the closing chords."""
    if ending in HELD_THROUGH:
        return layout.final_chord_beat
    return max(0.0, layout.final_chord_beat - CADENCE_BEATS)


def closing_chords(ending: Ending, key: Key, next_key: Key | None, layout: CueLayout, velocity: int) -> list[Note]:
    """The chords that end the cue, from `body_end` to the release."""
    final, release = layout.final_chord_beat, layout.release_beat
    if ending == "fade":
        return chord(tonic_chord(key), final, release - final, velocity)
    if ending == "unresolved":
        return chord(dominant_triad(key), final, release - final, velocity)
    if ending == "segue":  # the dominant struck on every beat, growing, so the music drives on through the cut
        pulses = [final + k for k in range(math.ceil(release - final - 1e-9))]
        return [n for k, beat in enumerate(pulses)
                for n in chord(dominant_triad(next_key or key), beat, min(1.0, release - beat), min(127, velocity + 3 * k))]  # fmt: skip
    dominant = max(0.0, final - CADENCE_BEATS)
    stab = min(127, velocity + 12) if ending == "button" else velocity
    return [*chord(dominant_seventh(key), dominant, final - dominant, velocity), *chord(tonic_chord(key), final, release - final, stab)]


def entrance(key: Key, beats_per_bar: int, velocity: int) -> list[Note]:
    """How a cue that takes over from a segue enters: its tonic, held for a bar under whatever the cue
    begins with, so the outgoing cue's dominant resolves on the cut and the music never stops."""
    return chord(tonic_chord(key), 0.0, float(beats_per_bar), max(1, velocity - 10))


def tonic_chord(key: Key) -> list[int]:
    """Root-position tonic: the root in the bass, then third, fifth and root (open position: the root
    doubled once, not three times, so a short piece's close does not crowd its pitch classes)."""
    base = 48 + key.tonic
    third, fifth = key.tonic_triad()[1:]
    return [base - 12, base + third, base + fifth, base + 12]


def dominant_seventh(key: Key) -> list[int]:
    """V7 in root position; in minor too (harmonic minor), so its leading tone defines the key."""
    base = 48 + key.tonic
    return [base - 5, base + 7, base + 11, base + 14, base + 17]


def dominant_triad(key: Key) -> list[int]:
    """V in root position with its leading tone on top: a half cadence, open, asking for the tonic."""
    base = 48 + key.tonic
    return [base - 5, base + 7, base + 14, base + 23]


def chord(pitches: list[int], onset: float, duration: float, velocity: int) -> list[Note]:
    """Notes of one chord struck together; none when there is no time for it."""
    return [Note(onset, duration, p, velocity) for p in pitches] if duration > 0 else []
