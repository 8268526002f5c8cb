"""Regenerating bars N-M of a take ("the same, but change bars 9-12"): the model continues the music
before bar N (a reduction of the take: one instrument per role) up to the end of bar M with a new
seed; the new material is orchestrated like the take and replaces only notes that start in those
bars. Notes starting elsewhere (including any held into the range) stay exactly as they were.

The model is left-to-right, so it drafts the new bars from what precedes them; to make them also
lead into the bars after, a model that can judge music (the transformer) drafts them several times
and keeps the draft under which it finds the next bars most likely (sample-and-rank: the model was
not trained to fill in). The new notes are cut at bar M's end so nothing spills across the seam.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import pretty_midi

from cuecraft.compose.articulation import part_name
from cuecraft.compose.cue_writer import shape_dynamics, steering
from cuecraft.corpus.chords import label_chords
from cuecraft.compose.cue_plan import cue_intensity
from cuecraft.compose.orchestration import orchestrate
from cuecraft.compose.styles import ENSEMBLES
from cuecraft.compose.tempo_map import TempoMap
from cuecraft.errors import CuecraftError
from cuecraft.model.composer import RETRY_SEED_STEP, Composer, GenerationRequest, Listener
from cuecraft.model.events import Note
from cuecraft.project import Mood, MusicSettings
from cuecraft.render.stems import STEMS, stem_for
from cuecraft.theory import Key

SEAM_DRAFTS, SEAM_BARS = 4, 2  # drafts of the new bars; bars after them that judge the seam


def tempo_map_of(midi: pretty_midi.PrettyMIDI) -> TempoMap:
    """The MIDI file's own tempo map (beats counted in quarter notes)."""
    times, tempos = midi.get_tempo_changes()
    beats = [midi.time_to_tick(t) / midi.resolution for t in times]
    return TempoMap(tuple(beats), tuple(float(t) for t in times), tuple(float(t) for t in tempos))


def bar_count(midi: pretty_midi.PrettyMIDI, beats_per_bar: int) -> int:
    """Bars the music occupies (the last one may be partial)."""
    return int(-(-tempo_map_of(midi).beat_at(midi.get_end_time()) // beats_per_bar))


def regenerate_bars(composer: Composer, midi: pretty_midi.PrettyMIDI, settings: MusicSettings, mood: Mood | None,
                    first_bar: int, last_bar: int, seed: int, family: str | None = None,
                    n_drafts: int = SEAM_DRAFTS) -> pretty_midi.PrettyMIDI:  # fmt: skip
    """A copy of `midi` whose bars first_bar..last_bar (1-based, inclusive) are newly composed (the
    best of `n_drafts` at the seam); with `family` (a stem: strings, brass, …) only that family's
    instruments change."""
    if family is not None and family not in STEMS:
        raise CuecraftError(family, f"not an instrument family (one of: {', '.join(STEMS)})")
    bpb = settings.beats_per_bar
    bars = bar_count(midi, bpb)
    if not 1 <= first_bar <= last_bar <= bars:
        raise CuecraftError(f"bars {first_bar}-{last_bar}", f"out of range: the take has bars 1-{bars}")
    tempo_map = tempo_map_of(midi)
    start_beat, end_beat = (first_bar - 1) * bpb, last_bar * bpb
    ensemble = ENSEMBLES[settings.style]
    following = reduction(midi, tempo_map, settings.style, end_beat, end_beat + SEAM_BARS * bpb)
    # the new bars keep the take's harmony: its chords, as the labeller hears them, are the plan
    harmony = label_chords(reduction(midi, tempo_map, settings.style, 0, end_beat + SEAM_BARS * bpb))
    request = GenerationRequest(key=Key.parse(settings.key), length_beats=end_beat, beats_per_bar=bpb,
                                prompt=reduction(midi, tempo_map, settings.style, 0, start_beat), seed=seed,
                                chords=tuple(harmony), **steering(settings, mood))  # fmt: skip
    fresh = new_bars(composer, request, start_beat, following, n_drafts)
    intensity = cue_intensity(settings, mood)
    parts = orchestrate(shape_dynamics(fresh, settings), ensemble, intensity, bars=last_bar, beats_per_bar=bpb,
                        final_beat=end_beat + bpb, velocity=settings.velocity, tempo=settings.tempo, seed=settings.seed,
                        chords=harmony, key=Key.parse(settings.key))  # fmt: skip
    new_by_part = {p.part.name: [n for n in p.notes if start_beat <= n.onset < end_beat] for p in parts}
    range_of = {p.name: (p.low, p.high) for p in ensemble.parts if not p.is_drum}
    end_s = tempo_map.seconds(end_beat)
    first_tick, end_tick = round(start_beat * midi.resolution), round(end_beat * midi.resolution)
    edited = copy.deepcopy(midi)
    for instrument in edited.instruments:  # which bar a note is in is decided in ticks: exact, as the file stores it
        if family is not None and stem_for(instrument) != family:
            continue
        kept = [n for n in instrument.notes if not first_tick <= midi.time_to_tick(n.start) < end_tick]
        new = new_by_part.get(instrument.name, [])
        if instrument.name in range_of:
            own = [Note(tempo_map.beat_at(n.start), tempo_map.beat_at(n.end) - tempo_map.beat_at(n.start), n.pitch) for n in kept]
            before, after = [n for n in own if n.onset < start_beat], [n for n in own if n.onset >= end_beat]
            new = in_register(new, before, after, (start_beat, end_beat), range_of[instrument.name])
        added = [pretty_midi.Note(n.velocity, n.pitch, tempo_map.seconds(n.onset), min(end_s, tempo_map.seconds(n.onset + n.duration)))
                 for n in new]  # fmt: skip
        instrument.notes = sorted(kept + added, key=lambda n: (n.start, n.pitch))
    return edited


def new_bars(composer: Composer, request: GenerationRequest, start_beat: float, following: list[Note],
             n_drafts: int = SEAM_DRAFTS) -> list[Note]:  # fmt: skip
    """Notes from `start_beat` to the request's end continuing its prompt: with a model that listens,
    the draft (of `n_drafts`) that leads best into `following` (the bars after), else the first."""
    if not following or not isinstance(composer, Listener):
        return drafts(composer, request, start_beat, 1)[0]
    return max(drafts(composer, request, start_beat, n_drafts), key=lambda notes: seam_fit(composer, request, notes, following))


def drafts(composer: Composer, request: GenerationRequest, start_beat: float, count: int) -> list[list[Note]]:
    """`count` drafts (seeds spaced from the request's) of the notes from `start_beat` to the request's end."""
    end_beat = request.length_beats
    return [[Note(n.onset, min(n.duration, end_beat - n.onset), n.pitch)
             for n in composer.generate(replace(request, seed=request.seed + RETRY_SEED_STEP * k)) if start_beat <= n.onset < end_beat]
            for k in range(count)]  # fmt: skip


def in_register(new: list[Note], before: list[Note], after: list[Note], span: tuple[float, float], pitch_range: tuple[int, int]) -> list[Note]:
    """A part's `new` notes (filling the beats `span`) moved by whole octaves within `pitch_range`, or
    not, so the part's top voice leaps least from its music before and into its music after: an
    arranger's move that keeps the key and the rhythm."""
    def leaps(shift: int) -> int:
        moved = [replace(n, pitch=n.pitch + shift) for n in new]
        return top_voice_leap(before, moved, span[0]) + top_voice_leap(moved, after, span[1])

    if not new:
        return new
    low, high = min(n.pitch for n in new), max(n.pitch for n in new)
    shifts = [s for s in (0, -12, 12) if pitch_range[0] <= low + s and high + s <= pitch_range[1]] or [0]
    shift = min(shifts, key=leaps)  # ties keep the notes as orchestrated
    return [replace(n, pitch=n.pitch + shift) for n in new]


def top_voice_leap(before: list[Note], after: list[Note], seam: float) -> int:
    """Semitones between the highest note sounding in the beat before `seam` and in the beat after
    (0 when either side is silent)."""
    def top(notes: list[Note], start: float, end: float) -> int | None:
        return max((n.pitch for n in notes if n.onset < end and n.onset + n.duration > start), default=None)

    left, right = top(before, seam - 1, seam), top(after, seam, seam + 1)
    return 0 if left is None or right is None else abs(left - right)


def seam_fit(listener: Listener, request: GenerationRequest, new: list[Note], following: list[Note]) -> float:
    """How likely the model finds the bars after the new ones (mean log-probability per token)."""
    return listener.log_likelihood(request, request.prompt + new + following, request.length_beats)


def reduction(midi: pretty_midi.PrettyMIDI, tempo_map: TempoMap, style: str, from_beat: float, to_beat: float) -> list[Note]:
    """What the model hears of the take between two beats: notes of the first part of each role (so
    octave doublings do not crowd it), in beats."""
    leading, roles = set(), set()
    for part in ENSEMBLES[style].parts:
        if not part.is_drum and part.roles[0] not in roles:
            roles.add(part.roles[0])
            leading.add(part.name)
    leading &= {part_name(i.name) for i in midi.instruments}  # an imported take may name its parts otherwise: then all pitched ones
    notes = {}
    for instrument in midi.instruments:
        if part_name(instrument.name) in leading or (not leading and not instrument.is_drum):
            for n in instrument.notes:
                onset = tempo_map.beat_at(n.start)
                if from_beat - 1e-6 <= onset < to_beat - 1e-6:
                    notes[(midi.time_to_tick(n.start), n.pitch)] = Note(onset, tempo_map.beat_at(n.end) - onset, n.pitch)
    return sorted(notes.values(), key=lambda n: (n.onset, n.pitch))
