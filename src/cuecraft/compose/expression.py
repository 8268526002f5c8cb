"""Expression: the controller moves a player (or a programmer riding faders) adds to the notes.

CC11 (expression) follows each section's intensity, drops back under dialogue, shapes each four-bar
phrase as an arch, swells into every hit point and dies away through the final chord; CC1 (modulation: vibrato in General
MIDI, the dynamics layer in sample libraries) follows it on sustaining instruments; CC10 (pan) and
CC91 (reverb send) seat the part on the stage; pianos pedal (CC64) with the harmonic rhythm.
Hit points also get an accent. All in beats, so the cue's tempo map places them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cuecraft.compose.cue_form import UNDER_LINES_DROP, CueForm
from cuecraft.compose.styles import Part
from cuecraft.model.events import Note
from cuecraft.render.room import REVERB_SEND_CC

EXPRESSION, MODULATION, PAN, SUSTAIN = 11, 1, 10, 64  # General MIDI controllers (the reverb send: render.room)
STEP_BEATS = 0.25  # controller resolution
PHRASE_BARS = 4
PHRASE_SWELL = 14  # CC11 units between a phrase's ends and its peak
HIT_SWELL, HIT_LEAD_BEATS = 18, 2.0  # a crescendo of this much over the beats before a hit
RELEASE_DROP = 28  # CC11 units lost through the final chord
FADE_DROP = 80  # a fade ending dies away almost to nothing
HIT_ACCENT = 14  # velocity added to notes struck on a hit
SUSTAINING = range(40, 80)  # strings, ensembles and choirs, brass, reeds and pipes: they hold a tone and can swell
PIANOS = range(0, 8)
PEDAL_CATCH = 0.1  # beats after a change of harmony the pedal goes down again (legato pedalling)


@dataclass(frozen=True)
class Shape:
    """What the expression of one cue follows."""

    intensity: float  # 0..1
    beats_per_bar: int
    end_beat: float  # last beat of music
    final_beat: float  # where the final chord starts (diminuendo from here)
    hits: tuple[float, ...] = ()  # hit points, in beats
    form: CueForm = CueForm()  # sections' intensity and the lines spoken over the cue
    release_drop: float = RELEASE_DROP  # CC11 units lost from the final chord's start to the end


@dataclass(frozen=True)
class Control:
    beat: float
    number: int
    value: int


def level(shape: Shape, beat: float) -> float:
    """CC11 value (0..127) at `beat`: the section's intensity, the phrase arch, swells into hits, a step
    back under dialogue and the diminuendo of the close."""
    base = 72 + 38 * shape.form.intensity_at(beat, shape.intensity) - (UNDER_LINES_DROP if shape.form.speaking(beat) else 0)
    phrase = PHRASE_BARS * shape.beats_per_bar
    position = (beat % phrase) / phrase
    value = base + PHRASE_SWELL * (math.sin(math.pi * position**1.25) - 0.5)
    for hit in shape.hits:
        if hit - HIT_LEAD_BEATS <= beat <= hit:
            value += HIT_SWELL * (1 - (hit - beat) / HIT_LEAD_BEATS)
    if beat > shape.final_beat and shape.end_beat > shape.final_beat:
        value -= shape.release_drop * min(1.0, (beat - shape.final_beat) / (shape.end_beat - shape.final_beat))
    return max(0.0, min(127.0, value))


def controls(part: Part, notes: list[Note], shape: Shape) -> list[Control]:
    """The part's controllers: seat (pan, reverb send) at the start, then expression curves (pitched
    parts), vibrato/dynamics (sustaining instruments) and pedalling (pianos)."""
    seat = [Control(0.0, PAN, round(64 + 63 * part.pan)), Control(0.0, REVERB_SEND_CC, round(127 * part.depth))]
    if part.is_drum or not notes:
        return seat
    curve = []
    steps = int(math.floor(shape.end_beat / STEP_BEATS + 1e-9)) + 1  # never past the last note: a cue ends at its out point
    last: dict[int, int] = {}
    for k in range(steps):
        beat = k * STEP_BEATS
        value = level(shape, beat)
        wanted = {EXPRESSION: round(value)}
        if part.program in SUSTAINING:
            wanted[MODULATION] = round(max(0.0, value - 60) * 0.5)
        for number, v in wanted.items():
            if last.get(number) != v:
                curve.append(Control(beat, number, v))
                last[number] = v
    pedal = pedalling(notes, shape) if part.program in PIANOS else []
    return seat + curve + pedal


def pedalling(notes: list[Note], shape: Shape) -> list[Control]:
    """Legato pedalling: up where the harmony may change (each half bar the part strikes: the planned
    harmonic rhythm is two beats), down again just after, up at the end."""
    half_bar = shape.beats_per_bar / 2
    changes = sorted({n.onset for n in notes if n.onset % half_bar == 0 and n.onset < shape.end_beat})
    pedal = []
    for beat in changes:
        pedal += [Control(beat, SUSTAIN, 0), Control(beat + PEDAL_CATCH, SUSTAIN, 127)]
    if pedal:
        pedal.append(Control(shape.end_beat, SUSTAIN, 0))
    return pedal


def accented(notes: list[Note], hits: tuple[float, ...]) -> list[Note]:
    """Notes struck on a hit point played harder (an accent), the rest as they are."""
    on_hit = set(hits)
    return [Note(n.onset, n.duration, n.pitch, min(127, n.velocity + HIT_ACCENT)) if n.onset in on_hit else n for n in notes]
