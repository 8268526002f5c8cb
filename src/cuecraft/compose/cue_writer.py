"""Write one cue as MIDI of exact length: a harmony and phrase plan first (compose.harmony_plan), then
the theme and the model's continuation over it, the ending its context asks for (compose.endings),
orchestrated for the settings' ensemble section by section (compose.cue_form).

The tempo is honoured exactly, bent only so hit points land on beats (compose.tempo_map).
"""

from __future__ import annotations

import io
import math
from dataclasses import replace
from collections.abc import Callable, Sequence

import numpy as np
import pretty_midi

from cuecraft.compose.articulation import articulate, track_name
from cuecraft.compose.cue_plan import cue_intensity
from cuecraft.compose.cue_form import CueForm
from cuecraft.compose.endings import body_end, chord, closing_chords, dominant_seventh, entrance, layout_cue, tonic_chord
from cuecraft.compose.expression import FADE_DROP, RELEASE_DROP, Shape, accented, controls
from cuecraft.compose.harmony_plan import HarmonyPlan, plan_harmony
from cuecraft.compose.humanize import timing_offsets, velocity_changes
from cuecraft.compose.locales import LOCALES, snap_to_scale
from cuecraft.compose.orchestration import ScoredPart, orchestrate, split_layers
from cuecraft.compose.styles import ENSEMBLES
from cuecraft.compose.tempo_map import TempoMap, apply_tempo_map, solve_tempo_map
from cuecraft.compose.theme import develop, theme_in_key
from cuecraft.corpus.chords import TimedChord, label_chords
from cuecraft.corpus.keyfinding import key_scores, pitch_class_profile
from cuecraft.model.composer import RETRY_SEED_STEP, Composer, GenerationRequest
from cuecraft.model.emotion_profile import shipped_emotion_profile
from cuecraft.model.events import Note
from cuecraft.model.harmony import HarmonyModel, shipped_harmony
from cuecraft.project import Mood, MusicSettings, Theme
from cuecraft.theory import Key

DENSITY_MIN, DENSITY_SPAN = 4.0, 20.0  # notes per bar asked of the model at intensity 0 and 1
MIDI_RESOLUTION = 480
KEY_ATTEMPTS = 3
MOTIF_NOTES = 5  # the head motif: five melody notes (four intervals) must fit for a treatment to be used


def write_cue(composer: Composer, settings: MusicSettings, duration_s: float, theme: Theme | None,
              mood: Mood | None = None, hits_s: list[float] = (), sections_s: list[tuple[float, float]] = (),
              lines_s: list[tuple[float, float]] = ()) -> pretty_midi.PrettyMIDI:  # fmt: skip
    """Compose the cue described by `settings`, `duration_s` long, quoting `theme` at its start and
    ending as the settings say (compose.endings); `mood` steers models conditioned on emotion and
    density; the tempo bends so that each hit point (seconds from the cue's start) lands on a beat
    (compose.tempo_map); the form follows `sections_s` ((start, intensity) per scene) and thins under
    the spoken `lines_s` (compose.cue_form)."""
    key = Key.parse(settings.key)
    tempo_map = solve_tempo_map(duration_s, list(hits_s), settings.tempo, settings.beats_per_bar).tempo_map
    layout = layout_cue(duration_s, tempo_map, settings.beats_per_bar, settings.ending)
    form = CueForm.from_seconds(list(sections_s), list(lines_s), tempo_map)
    music_end = body_end(layout, settings.ending)
    prompt = _quote(theme, key, settings, music_end) if theme else []
    # the model hears the theme played by the ensemble's lead; the score keeps it as quoted, for the parts to take by layer
    heard_prompt = [replace(n, program=ENSEMBLES[settings.style].lead.program) for n in prompt]
    plan = plan_for(settings, key, music_end, mood, prompt, cadence=False)
    next_key = Key.parse(settings.next_key) if settings.next_key else None
    close = closing_chords(settings.ending, key, next_key, layout, settings.velocity)
    opening = entrance(key, settings.beats_per_bar, settings.velocity) if settings.segue_in else []

    def attempt(seed: int) -> pretty_midi.PrettyMIDI:
        request = GenerationRequest(key=key, length_beats=music_end, beats_per_bar=settings.beats_per_bar, prompt=heard_prompt,
                                    seed=seed, **steering(settings, mood), **plan_fields(plan))  # fmt: skip
        body = [
            replace(n, duration=min(n.duration, music_end - n.onset), velocity=80)
            for n in _theme_then_continuation(prompt, composer.generate(request))
            if n.onset < music_end
        ]
        notes = shape_dynamics(body, settings) + close + opening
        if settings.locale:
            notes = snap_to_scale(notes, key, LOCALES[settings.locale].scale(key))
        return arrange(notes, settings, key, layout.final_chord_beat, mood, tempo_map, form, plan.chords)

    return first_in_key(attempt, settings.seed, None if settings.locale else key)


def plan_for(settings: MusicSettings, key: Key, length_beats: float, mood: Mood | None, prompt: list[Note], cadence: bool,
             harmony: HarmonyModel | None = None) -> HarmonyPlan:  # fmt: skip
    """The harmony and phrase plan of `length_beats` of music: a quoted theme keeps the chords it
    carries (as the labeller hears them), the rest is drawn from the learned harmony model."""
    bars = max(1, math.ceil(length_beats / settings.beats_per_bar - 1e-9))
    quoted_bars = math.ceil(max((n.onset for n in prompt), default=-1) / settings.beats_per_bar + 1e-9) if prompt else 0
    opening = label_chords(prompt, quoted_bars * settings.beats_per_bar) if prompt else None
    valence, arousal = (mood.valence, mood.arousal) if mood else (0.0, 0.0)
    intensity = cue_intensity(settings, mood)
    outside_share = shipped_emotion_profile().chromatic_chords_at(valence, arousal)
    return plan_harmony(harmony or shipped_harmony(), key, bars, settings.tempo, valence, arousal, intensity, settings.seed,
                        opening, cadence, outside_share)  # fmt: skip


def plan_fields(plan: HarmonyPlan) -> dict:
    return {"chords": plan.chords, "repeats": plan.repeats}


def first_in_key(attempt: Callable[[int], pretty_midi.PrettyMIDI], seed: int, key: Key | None) -> pretty_midi.PrettyMIDI:
    """The first of up to KEY_ATTEMPTS compositions (seeds seed, seed + step, ...) in which the corpus
    key finder hears `key`; the one closest to it if none does. The constraints keep every note in
    the scale, but a scale is shared by two keys and a dominant can outweigh its tonic. Deterministic
    for a seed; a localized cue (key None: its modes are not major/minor) takes the first attempt."""
    best, best_margin = None, -math.inf
    for number in range(KEY_ATTEMPTS if key else 1):
        midi = attempt(seed + RETRY_SEED_STEP * number)
        if key is None:
            return midi
        pitched = ((n.pitch, n.end - n.start) for i in midi.instruments if not i.is_drum for n in i.notes)
        scores = key_scores(pitch_class_profile(pitched))
        margin = scores.get(key, 0.0) - max((v for k, v in scores.items() if k != key), default=0.0)
        if margin > 0:
            return midi
        if margin > best_margin:
            best, best_margin = midi, margin
    return best


def _quote(theme: Theme, key: Key, settings: MusicSettings, end_beat: float) -> list[Note]:
    """The theme in the cue's key, developed as the settings ask, up to `end_beat`; a stretched
    treatment whose head motif would not fit before the cadence falls back to a plain statement."""
    in_key = theme_in_key(theme, key)
    quoted = develop(in_key, settings.theme_treatment, key, settings.beats_per_bar)
    head = split_layers(quoted).melody[: MOTIF_NOTES]
    if settings.theme_treatment != "statement" and (len(head) < MOTIF_NOTES or head[-1].onset >= end_beat):
        quoted = in_key
    return [n for n in quoted if n.onset < end_beat]


def _theme_then_continuation(prompt: list[Note], generated: list[Note]) -> list[Note]:
    """The theme exactly as quoted, then only what the model wrote after its last onset (a model may
    add notes inside the quotation, which would blur the motif)."""
    if not prompt:
        return generated
    last = max(n.onset for n in prompt)
    return [*prompt, *(n for n in generated if n.onset > last + 1e-6)]


def steering(settings: MusicSettings, mood: Mood | None) -> dict:
    """Request fields for conditioned models: tempo, the instrument families of the ensemble's parts that
    play at the mood's intensity, dynamic, and emotion, density and chromatic colour from mood."""
    intensity = cue_intensity(settings, mood)
    fields: dict = {"tempo": settings.tempo, "families": ENSEMBLES[settings.style].line_families(intensity), "velocity": settings.velocity}
    if mood is not None:
        profile = shipped_emotion_profile()
        fields.update(valence=mood.valence, arousal=mood.arousal, density=DENSITY_MIN + DENSITY_SPAN * mood.intensity,
                      chromatic=profile.chromatic_at(mood.valence, mood.arousal), colour_weights=profile.colour_weights(Key.parse(settings.key)))  # fmt: skip
    return fields


def piece_plan(settings: MusicSettings, bars: int, mood: Mood | None = None) -> HarmonyPlan:
    """The harmony plan write_piece writes a free-standing piece of `bars` bars on (closing on a cadence)."""
    return plan_for(settings, Key.parse(settings.key), bars * settings.beats_per_bar, mood, [], cadence=True)


def write_piece(composer: Composer, settings: MusicSettings, bars: int, mood: Mood | None = None) -> pretty_midi.PrettyMIDI:
    """A free-standing piece of exactly `bars` bars in the settings' key and tempo, closing on a cadence
    whose final tonic rings out: what the model strikes with it stays, nothing after (as a cue's ring-out)."""
    key = Key.parse(settings.key)
    length = bars * settings.beats_per_bar
    plan = piece_plan(settings, bars, mood)
    close = cadence_chords(plan, key, length, settings.velocity)
    final = plan.chords[-1].start

    def attempt(seed: int) -> pretty_midi.PrettyMIDI:
        request = GenerationRequest(key=key, length_beats=length, beats_per_bar=settings.beats_per_bar, seed=seed, cadence=True,
                                    **steering(settings, mood), **plan_fields(plan))  # fmt: skip
        notes = above_the_close(close, [ring(n, final, length) for n in composer.generate(request) if n.onset <= final])
        return arrange(shape_dynamics(notes, settings) + close, settings, key, length - settings.beats_per_bar, mood, chords=plan.chords)

    return first_in_key(attempt, settings.seed, key)


def arrange(notes: list[Note], settings: MusicSettings, key: Key, final_beat: float, mood: Mood | None,
            tempo_map: TempoMap | None = None, form: CueForm = CueForm(), chords: Sequence[TimedChord] = (),
            ) -> pretty_midi.PrettyMIDI:  # fmt: skip
    """Orchestrate the short score for the settings' ensemble at the mood's intensity, section by section
    and thinned under lines (`form`), on its planned `chords`, and perform it (articulation, expression,
    humanisation) as MIDI."""
    intensity = cue_intensity(settings, mood)
    tempo_map = tempo_map or TempoMap.constant(settings.tempo)
    parts = orchestrate(notes, ENSEMBLES[settings.style], intensity, bars=int(final_beat // settings.beats_per_bar),
                        beats_per_bar=settings.beats_per_bar, final_beat=final_beat, velocity=settings.velocity, form=form,
                        tempo=settings.tempo, seed=settings.seed, chords=chords, key=key)  # fmt: skip
    end = max((n.onset + n.duration for p in parts for n in p.notes), default=final_beat)
    fading = settings.ending != "segue"  # a segue keeps its level through the cut: the next cue takes over
    shape = Shape(intensity, settings.beats_per_bar, end, final_beat if fading else end, tuple(tempo_map.start_beats[1:]), form,
                  FADE_DROP if settings.ending == "fade" else RELEASE_DROP)  # fmt: skip
    return as_written(to_midi(parts, settings, key, tempo_map, shape))


def cadence_chords(plan: HarmonyPlan, key: Key, length: float, velocity: int) -> list[Note]:
    """The plan's closing V7 and I as full chords (root in the bass) under the model's last notes,
    so the dominant seventh is complete and the piece ends on its tonic in the bass."""
    last, before = plan.chords[-1], plan.chords[-2] if len(plan.chords) >= 2 else None
    notes = chord(tonic_chord(key), last.start, length - last.start, velocity)
    if before is not None:
        notes += chord(dominant_seventh(key), before.start, before.end - before.start, velocity)
    return notes


def ring(note: Note, final: float, length: float) -> Note:
    """A note struck with the final chord (at beat `final`) held with it to the end (`length`)."""
    return replace(note, duration=length - note.onset) if note.onset >= final else note


def above_the_close(close: list[Note], notes: list[Note]) -> list[Note]:
    """Notes that sound during a cadence chord but lie below its bass moved up by octaves, so the
    V7 and the final tonic are heard over their roots."""
    floors = {}
    for c in close:
        floors[c.onset] = min(floors.get(c.onset, 128), c.pitch)
    spans = [(onset, max(c.onset + c.duration for c in close if c.onset == onset), floor) for onset, floor in floors.items()]
    moved = []
    for n in notes:
        floor = next((f for start, end, f in spans if start <= n.onset < end), None)
        pitch = n.pitch
        while floor is not None and pitch < floor:
            pitch += 12
        moved.append(replace(n, pitch=pitch))
    return moved


def shape_dynamics(notes: list[Note], settings: MusicSettings) -> list[Note]:
    """Velocities around the brief's level: accents on downbeats and beats, a little human variation."""
    rng = np.random.default_rng(settings.seed + 1)
    shaped = []
    for n in notes:
        accent = 10 if n.onset % settings.beats_per_bar == 0 else 4 if n.onset % 1 == 0 else 0
        velocity = int(np.clip(settings.velocity + accent + rng.integers(-5, 6), 1, 127))
        shaped.append(replace(n, velocity=velocity))
    return shaped


def to_midi(parts: list[ScoredPart], settings: MusicSettings, key: Key, tempo_map: TempoMap, shape: Shape) -> pretty_midi.PrettyMIDI:
    """A MIDI file with the cue's tempo map, meter and key signature and one named track per part and
    articulation, carrying the part's expression (controllers) and a player's small unevenness."""
    midi = pretty_midi.PrettyMIDI(resolution=MIDI_RESOLUTION, initial_tempo=tempo_map.tempos[0])
    apply_tempo_map(midi, tempo_map)
    midi.time_signature_changes.append(pretty_midi.TimeSignature(settings.beats_per_bar, 4, 0.0))
    midi.key_signature_changes.append(pretty_midi.KeySignature(key.tonic + (12 if key.mode == "minor" else 0), 0.0))
    last = tempo_map.seconds(shape.end_beat)
    for number, scored in enumerate(parts):
        part, notes = scored.part, accented(scored.notes, shape.hits)
        shifts = timing_offsets([n.onset for n in notes], settings.seed, number, shape.hits, settings.beats_per_bar)
        for group in articulate(part, notes, settings.tempo, shape.intensity):
            program = part.program if group.articulation.program is None else group.articulation.program
            instrument = pretty_midi.Instrument(program=program, is_drum=part.is_drum, name=track_name(part, group.articulation))
            velocities = velocity_changes(len(group.notes), settings.seed, number)
            for n, change in zip(group.notes, velocities):
                if n.duration > 0:
                    start, end = tempo_map.seconds(n.onset), tempo_map.seconds(n.onset + n.duration)
                    shift = shifts.get(n.onset, 0.0)
                    velocity = int(np.clip(n.velocity + change, 1, 127))
                    stop = min(end + shift, last)  # a player's timing never carries a note past the out point
                    instrument.notes.append(pretty_midi.Note(velocity, n.pitch, start + shift, max(start + shift + 0.01, stop)))
            instrument.notes = released_before_restrike(instrument.notes)
            instrument.control_changes = [pretty_midi.ControlChange(c.number, c.value, tempo_map.seconds(c.beat))
                                          for c in controls(part, group.notes, shape)]  # fmt: skip
            midi.instruments.append(instrument)
    return midi


def released_before_restrike(notes: list[pretty_midi.Note]) -> list[pretty_midi.Note]:
    """Notes sorted by start, each released by the time its pitch is struck again (humanised timing can
    make two of one pitch overlap, which a MIDI channel cannot hold: the file would pair them otherwise)."""
    notes = sorted(notes, key=lambda n: (n.start, n.pitch))
    next_strike: dict[int, float] = {}
    for note in reversed(notes):
        if note.pitch in next_strike and note.end > next_strike[note.pitch]:
            note.end = max(note.start + 1e-3, next_strike[note.pitch])
        next_strike[note.pitch] = note.start
    return notes


def as_written(midi: pretty_midi.PrettyMIDI) -> pretty_midi.PrettyMIDI:
    """`midi` as its file will read back: times on ticks, tempi in whole microseconds per beat, so a
    take rendered now and one rendered later from its file sound the same to the sample."""
    buffer = io.BytesIO()
    midi.write(buffer)
    buffer.seek(0)
    return pretty_midi.PrettyMIDI(buffer)
