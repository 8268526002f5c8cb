"""Regenerating bars N-M of a take ("the same, but change bars 9-12"): the model continues the music
before bar N (a reduction of the take: one instrument per role) up to the end of bar M with a new
seed; the new material is orchestrated like the take and replaces only notes that start in those
bars. Notes starting elsewhere (including any held into the range) stay exactly as they were.

The model is left-to-right, so the new bars follow from what precedes them; the bars after are
kept as written, and the new notes are cut at bar M's end so nothing spills across the seam.
"""

from __future__ import annotations

import copy

import pretty_midi

from cuecraft.compose.cue_writer import shape_dynamics, steering
from cuecraft.compose.cue_plan import intensity_for
from cuecraft.compose.orchestration import orchestrate
from cuecraft.compose.styles import ENSEMBLES
from cuecraft.compose.tempo_map import TempoMap
from cuecraft.errors import CuecraftError
from cuecraft.model.composer import Composer, GenerationRequest
from cuecraft.model.events import Note
from cuecraft.project import Mood, MusicSettings
from cuecraft.render.stems import STEMS, stem_for
from cuecraft.theory import Key


def tempo_map_of(midi: pretty_midi.PrettyMIDI) -> TempoMap:
    """The MIDI file's own tempo map (beats counted in quarter notes)."""
    times, tempos = midi.get_tempo_changes()
    beats = [midi.time_to_tick(t) / midi.resolution for t in times]
    return TempoMap(tuple(beats), tuple(float(t) for t in times), tuple(float(t) for t in tempos))


def bar_count(midi: pretty_midi.PrettyMIDI, beats_per_bar: int) -> int:
    """Bars the music occupies (the last one may be partial)."""
    return int(-(-tempo_map_of(midi).beat_at(midi.get_end_time()) // beats_per_bar))


def regenerate_bars(composer: Composer, midi: pretty_midi.PrettyMIDI, settings: MusicSettings, mood: Mood | None,
                    first_bar: int, last_bar: int, seed: int, family: str | None = None) -> pretty_midi.PrettyMIDI:  # fmt: skip
    """A copy of `midi` whose bars first_bar..last_bar (1-based, inclusive) are newly composed; with
    `family` (a stem: strings, brass, …) only that family's instruments change."""
    if family is not None and family not in STEMS:
        raise CuecraftError(family, f"not an instrument family (one of: {', '.join(STEMS)})")
    bpb = settings.beats_per_bar
    bars = bar_count(midi, bpb)
    if not 1 <= first_bar <= last_bar <= bars:
        raise CuecraftError(f"bars {first_bar}-{last_bar}", f"out of range: the take has bars 1-{bars}")
    tempo_map = tempo_map_of(midi)
    start_beat, end_beat = (first_bar - 1) * bpb, last_bar * bpb
    ensemble = ENSEMBLES[settings.style]
    request = GenerationRequest(key=Key.parse(settings.key), length_beats=end_beat, beats_per_bar=bpb,
                                prompt=_reduction(midi, tempo_map, settings.style, start_beat), seed=seed,
                                **steering(settings, mood))  # fmt: skip
    fresh = [Note(n.onset, min(n.duration, end_beat - n.onset), n.pitch)
             for n in composer.generate(request) if start_beat <= n.onset < end_beat]  # fmt: skip
    intensity = mood.intensity if mood else intensity_for(settings.velocity)
    parts = orchestrate(shape_dynamics(fresh, settings), ensemble, intensity, bars=last_bar, beats_per_bar=bpb,
                        final_beat=end_beat + bpb, velocity=settings.velocity)  # fmt: skip
    new_by_part = {p.part.name: [n for n in p.notes if start_beat <= n.onset < end_beat] for p in parts}
    start_s, end_s = tempo_map.seconds(start_beat), tempo_map.seconds(end_beat)
    first_tick, end_tick = round(start_beat * midi.resolution), round(end_beat * midi.resolution)
    edited = copy.deepcopy(midi)
    for instrument in edited.instruments:  # which bar a note is in is decided in ticks: exact, as the file stores it
        if family is not None and stem_for(instrument) != family:
            continue
        kept = [n for n in instrument.notes if not first_tick <= midi.time_to_tick(n.start) < end_tick]
        added = [pretty_midi.Note(n.velocity, n.pitch, tempo_map.seconds(n.onset), min(end_s, tempo_map.seconds(n.onset + n.duration)))
                 for n in new_by_part.get(instrument.name, [])]  # fmt: skip
        instrument.notes = sorted(kept + added, key=lambda n: (n.start, n.pitch))
    return edited


def _reduction(midi: pretty_midi.PrettyMIDI, tempo_map: TempoMap, style: str, before_beat: float) -> list[Note]:
    """What the model hears as the music so far: notes before `before_beat` of the first part of each
    role (so octave doublings do not crowd the prompt), in beats."""
    leading, roles = set(), set()
    for part in ENSEMBLES[style].parts:
        if not part.is_drum and part.roles[0] not in roles:
            roles.add(part.roles[0])
            leading.add(part.name)
    leading &= {i.name for i in midi.instruments}  # an imported take may name its parts otherwise: then all pitched ones
    notes = {}
    for instrument in midi.instruments:
        if instrument.name in leading or (not leading and not instrument.is_drum):
            for n in instrument.notes:
                onset = tempo_map.beat_at(n.start)
                if onset < before_beat - 1e-6:
                    notes[(midi.time_to_tick(n.start), n.pitch)] = Note(onset, tempo_map.beat_at(n.end) - onset, n.pitch)
    return sorted(notes.values(), key=lambda n: (n.onset, n.pitch))
