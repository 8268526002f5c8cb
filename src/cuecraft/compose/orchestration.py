"""Orchestration: spread the model's short score (melody, harmony, bass) over an ensemble's parts.

Notes struck together form a group: its top note is melody, its lowest is bass, the rest harmony;
a note struck alone belongs to the nearer of the two lines. The model writes each note for an
instrument family: a part of that family plays it when the part's roles take its layer (melody and
bass parts double; an inner voice goes to the harmony part of the nearest range), so who carries the
line is the model's choice, learned from soundtracks. A part whose family the model wrote nothing
for, and every part for notes of no playing part's family (a quoted theme, the closing chords),
takes its layers as before; all folded by octaves into the part's range; several harmony parts share the inner voices top-down; PAD parts hold the
harmony until the next chord; RHYTHM parts play the ensemble's groove; BASS_FIGURE, OSTINATO and
TIMPANI parts a learned bass, accompaniment or timpani figure on the cue's chords. Parts enter by the intensity of
each section of the cue, and the melody and groove rest under dialogue (compose.cue_form).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from statistics import median

from cuecraft.compose.cue_form import CueForm
from cuecraft.compose.percussion import final_hit, groove_notes
from cuecraft.compose.figures import figure_notes
from cuecraft.compose.styles import BASS, BASS_FIGURE, HARMONY, MELODY, OSTINATO, PAD, RHYTHM, TIMPANI, Ensemble, Part
from cuecraft.corpus.chords import TimedChord, label_chords
from cuecraft.corpus.features import gm_family
from cuecraft.model.events import Note
from cuecraft.model.grooves import shipped_grooves
from cuecraft.model.music_measures import strike_runs
from cuecraft.theory import Key

MELODY_START, BASS_START = 67, 45  # where the melody (G4) and bass (A2) lines are assumed to begin
GRID = 1 / 48  # beats: onsets closer than this count as struck together
REVOICE_AFTER = 4  # identical strikes of one chord in a row before the voicing starts to alternate


@dataclass(frozen=True)
class Layers:
    melody: list[Note]
    harmony: list[list[Note]]  # inner voices of each group, top first
    bass: list[Note]


@dataclass(frozen=True)
class ScoredPart:
    part: Part
    notes: list[Note]


def split_layers(notes: list[Note]) -> Layers:
    """Melody, inner voices and bass of a polyphonic line, by what is struck together. A note struck
    alone joins whichever line (melody or bass) last sounded nearer to it, so the split follows the
    music's registers and does not change when the music is transposed."""
    melody, harmony, bass = [], [], []
    melody_at, bass_at = MELODY_START, BASS_START
    for group in struck_together(notes):
        group.sort(key=lambda n: -n.pitch)
        if len(group) == 1:
            note = group[0]
            if abs(note.pitch - bass_at) < abs(note.pitch - melody_at):
                bass.append(note)
                bass_at = note.pitch
            else:
                melody.append(note)
                melody_at = note.pitch
            continue
        melody.append(group[0])
        bass.append(group[-1])
        melody_at, bass_at = group[0].pitch, group[-1].pitch
        if len(group) > 2:
            harmony.append(group[1:-1])
    return Layers(melody, harmony, bass)


def struck_together(notes: list[Note]) -> list[list[Note]]:
    """The notes grouped by onset (within GRID), in time order."""
    groups: dict[int, list[Note]] = defaultdict(list)
    for n in notes:
        groups[round(n.onset / GRID)].append(n)
    return [group for _, group in sorted(groups.items())]


def fold(pitch: int, low: int, high: int) -> int:
    """`pitch` moved by whole octaves into [low, high] (ranges span at least an octave)."""
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch


def orchestrate(notes: list[Note], ensemble: Ensemble, intensity: float, bars: int, beats_per_bar: int,
                final_beat: float, velocity: int, form: CueForm = CueForm(), tempo: float = 100.0, seed: int = 0,
                chords: Sequence[TimedChord] = (), key: Key | None = None) -> list[ScoredPart]:  # fmt: skip
    """The ensemble's parts playing `notes` (one cue's short score) at `intensity` (0..1): a part plays in
    the sections intense enough for it (`form`); under spoken lines the melody, the parts that play only
    the melody (whatever the model wrote for them: a soloist is heard as a line) and the groove rest.
    A drum kit's groove and the learned figures are drawn with `seed` for the cue's `tempo` (a figure at the
    part's own intensity: Part.own_intensity); the figures play on `chords` (the short score's plan, in
    beats) and past their end on the chords heard in `notes`.
    The timpani are tuned to the `key`'s tonic and dominant (untuned, on each chord's root, without one)."""
    voiced = revoiced(notes)
    playing = [p for p in ensemble.parts if form.peak(intensity) >= p.min_intensity]
    layers = split_layers(voiced)
    written = written_parts(voiced, layers, [p for p in playing if p.plays_lines])
    unwritten = _unwritten(layers, written)  # notes of no playing part's family, or of a layer none of its parts takes
    harmony_parts = [p for p in playing if HARMONY in p.roles]
    melody = set(layers.melody)  # rests under spoken lines, whichever part plays it
    # role -> (its figures in the groove model, the layer whose notes it takes on the final chord)
    learned = {BASS_FIGURE: ("bass", layers.bass), OSTINATO: ("accompaniment", [n for g in layers.harmony for n in g]),
               TIMPANI: ("timpani", layers.bass)}  # fmt: skip
    figure_chords = _planned_then_heard(chords, notes) if any(set(learned) & set(p.roles) for p in playing) else []
    drums = frozenset({key.tonic, (key.tonic + 7) % 12}) if key is not None else None  # the timpani's tuning
    scored = []
    for part in playing:
        chosen: list[Note] = []
        lines = unwritten if part in written else layers  # a written part: its family's notes, then its layers' of no playing family
        if part in written:
            chosen += written[part]
        if MELODY in part.roles:
            chosen += lines.melody
        if HARMONY in part.roles:
            chosen += _share(lines.harmony, harmony_parts.index(part), len(harmony_parts))
        if PAD in part.roles:
            chosen += _held(lines.harmony, final_beat)
        if BASS in part.roles:
            chosen += lines.bass
        for role in (r for r in learned if r in part.roles):  # the figure up to the final chord, whose notes of the layer it then takes
            figures, final = learned[role]
            chosen += figure_notes(getattr(shipped_grooves(), figures), figure_chords, bars, beats_per_bar,
                                   part.own_intensity(intensity), velocity, tempo, seed, part.low, notes,
                                   drums if role == TIMPANI else None)  # fmt: skip
            chosen += [n for n in final if n.onset >= bars * beats_per_bar - 1e-6]
        if RHYTHM in part.roles:
            bass = sorted(layers.bass, key=lambda n: n.onset)
            groove = groove_notes(ensemble.groove, bars, beats_per_bar, intensity, velocity, bass, tempo, seed)
            chosen += [n for n in groove if not form.speaking(n.onset)]
            chosen += final_hit(ensemble.groove, final_beat, velocity, bass)
        soloist = set(part.roles) == {MELODY}
        chosen = [n for n in chosen if not ((soloist or n in melody) and form.speaking(n.onset))]
        entered = [n for n in chosen if form.intensity_at(n.onset, intensity) >= part.min_intensity or n.onset >= final_beat]
        scored.append(ScoredPart(part, _voiced(entered, part)))
    return [s for s in held_pedals(scored) if s.notes]


def held_pedals(scored: list[ScoredPart]) -> list[ScoredPart]:
    """Where the ensemble strikes one chord more than REVOICE_AFTER times in a row (single notes between
    strikes do not end the run), its lowest note, when doubled at the octave above, stops striking and
    holds: the basses sustain the pedal under the cellos' pulse. The revoicing of the short score cannot
    see these runs: the doubling that makes them is the parts'."""
    strikes: dict[int, list[tuple[int, Note]]] = defaultdict(list)
    for index, s in enumerate(scored):
        if not s.part.is_drum:
            for n in s.notes:
                strikes[round(n.onset / GRID)].append((index, n))
    groups = [strikes[slot] for slot in sorted(strikes)]
    ends: dict[int, float] = {}  # id of a note that now holds -> where it ends
    silenced: set[int] = set()  # ids of notes no longer struck
    holding: dict[tuple[int, int], Note] = {}  # (part, pitch) -> the note last struck there
    for group, run in zip(groups, strike_runs([frozenset(n.pitch for _, n in g) for g in groups])):
        if not run:
            continue
        index, lowest = min(group, key=lambda item: item[1].pitch)
        doubled = any(n.pitch > lowest.pitch and (n.pitch - lowest.pitch) % 12 == 0 for _, n in group)
        keeper = holding.get((index, lowest.pitch))
        if run > REVOICE_AFTER and doubled and keeper is not None:
            ends[id(keeper)] = max(ends.get(id(keeper), 0.0), lowest.onset + lowest.duration)
            silenced.add(id(lowest))
        else:
            holding[(index, lowest.pitch)] = lowest
    return [ScoredPart(s.part, [replace(n, duration=ends[id(n)] - n.onset) if id(n) in ends else n
                                for n in s.notes if id(n) not in silenced]) for s in scored]  # fmt: skip


# The roles that take each layer of the short score (named by its role in split_layers).
LAYER_TAKERS = {MELODY: {MELODY}, HARMONY: {HARMONY, PAD}, BASS: {BASS}}


def takes(part: Part, layer: str) -> bool:
    """Whether the part plays the model's notes of that layer (MELODY, HARMONY or BASS)."""
    return bool(LAYER_TAKERS[layer] & set(part.roles))


def written_parts(notes: list[Note], layers: Layers, parts: list[Part]) -> dict[Part, list[Note]]:
    """The notes the model wrote for each part's family, by layer: a melody or bass note goes to every
    part of its family with that role, an inner voice to the harmony or pad part of its family whose
    range is centred nearest it. A note of a layer no part of its family takes is left to the parts of
    other families that take the layer (_unwritten): a melody written for solo violin, in a family whose
    only part playing is the cellos' bass, is the violins' to play, not the cellos'; with no such part it
    goes to the nearest part of its family. A part of a family written for may get nothing (the model
    left it silent); parts of families with no notes are left out."""
    role_of = {id(n): MELODY for n in layers.melody} | {id(n): BASS for n in layers.bass}
    families = {gm_family(n.program) for n in notes}
    out: dict[Part, list[Note]] = {p: [] for p in parts if p.family in families}
    played = {layer for layer in LAYER_TAKERS if any(takes(p, layer) for p in parts)}
    for n in notes:
        family = [p for p in parts if p.family == gm_family(n.program)]
        layer = role_of.get(id(n), HARMONY)
        takers = [p for p in family if takes(p, layer)]
        if not family or (not takers and layer in played):
            continue  # no part of its family plays, or another family's part takes its layer
        if layer == HARMONY or not takers:
            takers = [min(takers or family, key=lambda p: abs((p.low + p.high) / 2 - n.pitch))]
        for p in takers:
            out[p].append(n)
    return out


def _unwritten(layers: Layers, written: dict[Part, list[Note]]) -> Layers:
    """The layers' notes no written part of their family takes (written_parts leaves them to the parts
    that take their layer): of families no part plays, or of a layer none of the family's parts takes."""
    taken = {(p.family, layer) for p in written for layer in LAYER_TAKERS if takes(p, layer)}

    def free(n: Note, layer: str) -> bool:
        return (gm_family(n.program), layer) not in taken

    keep = [[n for n in g if free(n, HARMONY)] for g in layers.harmony]
    return Layers([n for n in layers.melody if free(n, MELODY)], [g for g in keep if g], [n for n in layers.bass if free(n, BASS)])


def _planned_then_heard(chords: Sequence[TimedChord], notes: list[Note]) -> list[TimedChord]:
    """The planned chords, then those the labeller hears in `notes` after the plan ends."""
    end = max((c.end for c in chords), default=0.0)
    heard = [TimedChord(max(c.start, end), c.end, c.chord) for c in label_chords(notes) if c.end > end]
    return [*chords, *heard]


def _share(groups: list[list[Note]], index: int, n_parts: int) -> list[Note]:
    """Inner voices for harmony part `index` of `n_parts`: every n-th voice from the top, or all when alone."""
    return [n for g in groups for n in (g[index::n_parts] or [g[index % len(g)]])]


def _held(groups: list[list[Note]], final_beat: float) -> list[Note]:
    """Each chord's inner voices held until the next chord (a pad under the line)."""
    held = []
    for group, following in zip(groups, groups[1:] + [None]):
        end = following[0].onset if following else max(n.onset + n.duration for n in group)
        held += [Note(n.onset, max(n.duration, min(end, final_beat + 4) - n.onset), n.pitch, n.velocity) for n in group]
    return held


def _voiced(notes: list[Note], part: Part) -> list[Note]:
    """Notes moved to the octave that centres them in the part's range (each outlier folded in),
    with the part's dynamics, without unisons struck twice, and each note released when its pitch
    is struck again (MIDI cannot hold two of one pitch on a channel: files and audio would differ)."""
    shift = 0 if part.is_drum or not notes else 12 * round(((part.low + part.high) / 2 - median([n.pitch for n in notes])) / 12)
    seen, voiced = set(), []
    for n in sorted(notes, key=lambda n: (n.onset, n.pitch)):
        pitch = n.pitch if part.is_drum else fold(n.pitch + shift, part.low, part.high)
        if (round(n.onset / GRID), pitch) in seen:
            continue
        seen.add((round(n.onset / GRID), pitch))
        voiced.append(Note(n.onset, n.duration, pitch, max(1, min(127, n.velocity + part.velocity_offset))))
    next_strike: dict[int, float] = {}
    for i in range(len(voiced) - 1, -1, -1):
        n = voiced[i]
        if n.pitch in next_strike:
            voiced[i] = Note(n.onset, min(n.duration, next_strike[n.pitch] - n.onset), n.pitch, n.velocity)
        next_strike[n.pitch] = n.onset
    return voiced


def revoiced(notes: list[Note]) -> list[Note]:
    """A chord struck again and again with the same voicing changes voicing on every other strike after
    REVOICE_AFTER (its lowest note up an octave, or its highest down: an octave bass under a repeated
    dyad); a pulse in bare octaves breaks into alternating octaves (low, high, low, ...), as a player
    keeps a repeated accompaniment alive without changing the harmony. Single notes struck between
    the chord's strikes do not end its run."""
    groups = struck_together(notes)
    result: list[Note] = []
    for group, run in zip(groups, strike_runs([frozenset(n.pitch for n in g) for g in groups])):
        if run > REVOICE_AFTER and len({n.pitch % 12 for n in group}) == 1:
            group = [min(group, key=lambda n: n.pitch) if run % 2 == 0 else max(group, key=lambda n: n.pitch)]
        elif run > REVOICE_AFTER and run % 2 == 0:
            group = _inverted(group)
        result += group
    return result


def _inverted(group: list[Note]) -> list[Note]:
    """The chord with its lowest note an octave up (or its highest an octave down) where MIDI's range
    allows and the moved note does not double another; unchanged otherwise."""
    ordered = sorted(group, key=lambda n: n.pitch)
    taken = {n.pitch for n in group}
    for moved, shift in ((ordered[0], 12), (ordered[-1], -12)):
        pitch = moved.pitch + shift
        if 0 <= pitch <= 127 and pitch not in taken:
            return [replace(n, pitch=pitch) if n is moved else n for n in group]
    return group
