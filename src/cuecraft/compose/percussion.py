"""Percussion for RHYTHM parts: drum kits play grooves learned from soundtracks (model.grooves),
the other grooves a written bar pattern, thicker as intensity rises.

A kit plays one learned groove through the cue, chosen by the cue's tempo and intensity: each phrase
(four bars) opens on it and goes on with bars soundtracks play after it there (variations, a fill),
drawn afresh for the second phrase of each eight-bar period.
A written groove lists, per eighth-note step of a 4/4 bar, which instruments strike and from which
intensity on (the taiko, the hand drums and the named rhythms of localized scores, which the
soundtrack corpus hardly plays); its phrase ends get a tom fill. The last bar gets a single hit on
the final chord. (Timpani are TIMPANI parts, playing learned figures: compose.figures.)
"""

from __future__ import annotations

import numpy as np

from cuecraft.corpus.drums import DRUM_CLASSES, STEPS_PER_BEAT
from cuecraft.model.events import Note
from cuecraft.model.grooves import shipped_grooves

# General MIDI percussion keys (channel 10).
KICK, SNARE, CRASH, LOW_TOM, HIGH_TOM = 36, 38, 49, 45, 50
HIGH_BONGO, LOW_BONGO, MUTE_CONGA, LOW_CONGA, CLAVES, SHAKER = 60, 61, 62, 64, 75, 82
STEP = 0.5  # beats per grid step (eighth notes)

# groove name -> list of (steps within the bar, pitch, from intensity, velocity offset); pitch None = the bass note (taiko).
GROOVES: dict[str, list[tuple[tuple[int, ...], int | None, float, int]]] = {
    # Locales (compose.locales): taiko strikes the bass note; hand drums stand in for tabla and darbuka.
    "taiko": [((0,), None, 0.0, 0), ((3, 6), None, 0.6, -10)],
    "tabla": [((0, 3, 6), LOW_CONGA, 0.0, 0), ((2, 5, 7), HIGH_BONGO, 0.3, -10), ((1, 4), MUTE_CONGA, 0.6, -16)],
    "maqsum": [((0, 5), LOW_CONGA, 0.0, 0), ((2, 3, 6), HIGH_BONGO, 0.0, -8), ((1, 4, 7), LOW_BONGO, 0.6, -18)],
    "tresillo": [((0, 3, 6), LOW_CONGA, 0.0, 0), ((0, 3, 5), CLAVES, 0.3, -10), ((1, 2, 4, 7), SHAKER, 0.6, -22)],
    "reel": [((0, 4), LOW_TOM, 0.0, 0), ((2, 6), HIGH_TOM, 0.4, -10), ((1, 3, 5, 7), LOW_TOM, 0.7, -20)],
}
PITCHED, KIT = ("taiko",), ("electronic", "action")  # KIT: drum kits, playing learned grooves
FILL = (LOW_TOM, LOW_TOM, HIGH_TOM, SNARE)  # last beats of a phrase at high intensity


def groove_notes(groove: str, bars: int, beats_per_bar: int, intensity: float, velocity: int,
                 bass: list[Note], tempo: float = 100.0, seed: int = 0) -> list[Note]:  # fmt: skip
    """Percussion notes for `bars` bars of `groove`; pitched drums strike the bass note sounding at the step;
    a kit's groove is drawn with `seed` for the cue's `tempo` and intensity."""
    if groove in KIT:
        return kit_notes(bars, beats_per_bar, intensity, velocity, tempo, seed)
    steps_per_bar = int(beats_per_bar / STEP)
    notes = []
    for bar in range(bars):
        fill = intensity >= 0.7 and bar % 4 == 3 and bar < bars - 1
        for steps, pitch, threshold, offset in GROOVES.get(groove, []):
            if intensity < threshold:
                continue
            for step in steps:
                if step >= steps_per_bar or (fill and step >= steps_per_bar - len(FILL)):
                    continue
                onset = bar * beats_per_bar + step * STEP
                hit = pitch if pitch is not None else _sounding(bass, onset)
                if hit is not None:
                    notes.append(Note(onset, STEP, hit, _clip(velocity + offset)))
        if fill:
            for i, pitch in enumerate(FILL):
                onset = bar * beats_per_bar + (steps_per_bar - len(FILL) + i) * STEP
                notes.append(Note(onset, STEP, pitch, _clip(velocity - 6 + 4 * i)))
    return notes


def kit_notes(bars: int, beats_per_bar: int, intensity: float, velocity: int, tempo: float, seed: int) -> list[Note]:
    """A learned groove for `bars` bars: each phrase opens on it and goes on with the bars soundtracks
    play after it (PhrasePatterns.bar_of_cue), each kit class at its learned accent."""
    model = shipped_grooves()
    steps = beats_per_bar * STEPS_PER_BEAT
    groove = model.drums.choose(steps, intensity, tempo, np.random.default_rng(seed))
    keys = [key for key, _ in DRUM_CLASSES.values()]
    notes: list[Note] = []
    for bar in range(bars if groove else 0):
        for key, mask, offset in zip(keys, model.drums.bar_of_cue(groove, bar, seed), model.velocity_offsets):
            notes += [Note(bar * beats_per_bar + step / STEPS_PER_BEAT, 1 / STEPS_PER_BEAT, key, _clip(velocity + round(offset)))
                      for step in range(steps) if mask >> step & 1]  # fmt: skip
    return notes


def final_hit(groove: str, onset: float, velocity: int, bass: list[Note]) -> list[Note]:
    """One accent with the final chord: drums of a kit strike kick and crash, pitched drums (taiko) the
    bass note, hand drums their groove's first stroke."""
    if groove in PITCHED:
        pitch = _sounding(bass, onset)
        return [Note(onset, 1.0, pitch, _clip(velocity))] if pitch is not None else []
    if groove in KIT:
        return [Note(onset, 1.0, KICK, _clip(velocity)), Note(onset, 2.0, CRASH, _clip(velocity - 10))]
    if groove in GROOVES:
        return [Note(onset, 1.0, GROOVES[groove][0][1], _clip(velocity))]
    return []


def _sounding(bass: list[Note], onset: float) -> int | None:
    """The bass pitch sounding at `onset` (the last one started), or None before the first."""
    started = [n for n in bass if n.onset <= onset + 1e-6]
    return started[-1].pitch if started else None


def _clip(velocity: int) -> int:
    return max(1, min(127, velocity))
