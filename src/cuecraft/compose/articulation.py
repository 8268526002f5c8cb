"""Articulation: how each note of a part is played, chosen as an orchestrator would — by the note's
length at the tempo, the part's role and the scene's intensity.

Bowed strings play short repeated notes (ostinati, walking bass) pizzicato when the scene is quiet
and spiccato (short, on the string patch) when it is loud; long held chords tremolo when it is loud;
a melody legato (each note held into the next). Other instruments play short notes staccato.
Pizzicato and tremolo are separate General MIDI programs, so they become their own MIDI track,
named after the part ("violas pizz."): every DAW and notation program reads that without keyswitches.
"""

from __future__ import annotations

from dataclasses import dataclass

from cuecraft.compose.styles import BASS, BASS_FIGURE, HARMONY, MELODY, OSTINATO, PAD, RHYTHM, Part
from cuecraft.model.events import Note

PIZZICATO_PROGRAM, TREMOLO_PROGRAM = 45, 44
BOWED_PROGRAMS = frozenset({40, 41, 42, 43, 48, 49})  # violin … contrabass, string ensembles
SHORT_SECONDS = 0.3  # a note this short (or shorter) at the tempo is a short note
OSTINATO_RUN = 4  # this many short notes in a row make an ostinato
TREMOLO_BEATS, TREMOLO_INTENSITY = 2.0, 0.75
PIZZICATO_BELOW = 0.5  # intensity under which string ostinati are plucked
STACCATO_LENGTH = 0.55  # share of its written length a staccato note sounds
LEGATO_OVERLAP = 0.04  # beats a legato note overlaps the next


@dataclass(frozen=True)
class Articulation:
    name: str
    label: str  # the marking added to a part's name when it gets its own track, e.g. "pizz."
    program: int | None = None  # None: the part's own program


ARCO = Articulation("arco", "")
LEGATO = Articulation("legato", "")
STACCATO = Articulation("staccato", "")
PIZZICATO = Articulation("pizzicato", "pizz.", PIZZICATO_PROGRAM)
TREMOLO = Articulation("tremolo", "trem.", TREMOLO_PROGRAM)
TRACK_ARTICULATIONS = (PIZZICATO, TREMOLO)


@dataclass(frozen=True)
class ArticulatedNotes:
    articulation: Articulation
    notes: list[Note]


def articulate(part: Part, notes: list[Note], tempo: float, intensity: float) -> list[ArticulatedNotes]:
    """The part's notes grouped by articulation (ARCO first, always present), lengths adjusted."""
    if part.is_drum or not notes:
        return [ArticulatedNotes(ARCO, list(notes))]
    beat_s = 60.0 / tempo
    ordered = sorted(notes, key=lambda n: (n.onset, n.pitch))
    short = [n.duration * beat_s <= SHORT_SECONDS for n in ordered]
    in_run = _runs(ordered, short)
    bowed = part.program in BOWED_PROGRAMS
    chosen: dict[str, list[Note]] = {a.name: [] for a in (ARCO, LEGATO, STACCATO, PIZZICATO, TREMOLO)}
    for k, n in enumerate(ordered):
        if bowed and in_run[k] and {BASS, BASS_FIGURE, HARMONY, OSTINATO, RHYTHM} & set(part.roles):
            chosen[(PIZZICATO if intensity < PIZZICATO_BELOW else STACCATO).name].append(n)
        elif bowed and n.duration >= TREMOLO_BEATS and intensity >= TREMOLO_INTENSITY and {HARMONY, OSTINATO, PAD} & set(part.roles):
            chosen[TREMOLO.name].append(n)
        elif short[k] and in_run[k]:
            chosen[STACCATO.name].append(n)
        elif MELODY in part.roles:
            chosen[LEGATO.name].append(n)
        else:
            chosen[ARCO.name].append(n)
    arco = chosen[ARCO.name] + _legato(chosen[LEGATO.name]) + [_shortened(n) for n in chosen[STACCATO.name]]
    groups = [ArticulatedNotes(ARCO, sorted(arco, key=lambda n: (n.onset, n.pitch)))]
    groups += [ArticulatedNotes(a, chosen[a.name]) for a in TRACK_ARTICULATIONS if chosen[a.name]]
    return groups


def _runs(notes: list[Note], short: list[bool]) -> list[bool]:
    """Whether each note belongs to a run of OSTINATO_RUN or more successive short notes."""
    flags, start = [False] * len(notes), 0
    for k in range(len(notes) + 1):
        if k == len(notes) or not short[k]:
            if k - start >= OSTINATO_RUN:
                flags[start:k] = [True] * (k - start)
            start = k + 1
    return flags


def _legato(notes: list[Note]) -> list[Note]:
    """Each melody note held into the next one (a small overlap) when the gap between them is short."""
    held = []
    for n, following in zip(notes, notes[1:] + [None]):
        if following is not None and following.pitch != n.pitch and following.onset > n.onset and following.onset - (n.onset + n.duration) < 0.25:
            n = Note(n.onset, following.onset - n.onset + LEGATO_OVERLAP, n.pitch, n.velocity)
        held.append(n)
    return held


def _shortened(note: Note) -> Note:
    return Note(note.onset, note.duration * STACCATO_LENGTH, note.pitch, note.velocity)


def track_name(part: Part, articulation: Articulation) -> str:
    """The MIDI track name of a part in an articulation: "violas", "violas pizz."."""
    return f"{part.name} {articulation.label}".strip()


def part_name(track: str) -> str:
    """The part a track belongs to: its name without an articulation marking."""
    for articulation in TRACK_ARTICULATIONS:
        if track.endswith(" " + articulation.label):
            return track[: -len(articulation.label) - 1]
    return track
