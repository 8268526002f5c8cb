"""Adaptive game music from one cue, in the manner of FMOD/Wwise music tracks: vertical intensity
layers that loop seamlessly at a bar boundary, horizontal segments with bar-quantised transition
points, stingers, and a JSON manifest; plus a Web Audio page that plays it with an intensity slider.

Seamless loops: the loop's notes are rendered twice in a row and the second pass is kept, so the
decays of the loop's end already ring into its start: what plays after the seam is exactly what a
repeat would sound like. The full loop (and so each segment) is the sum of the layers.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import numpy as np
import pretty_midi
import soundfile
from pydantic import BaseModel

from cuecraft.atomic import staged_folder, write_text_atomic
from cuecraft.compose.articulation import part_name
from cuecraft.compose.endings import body_end, layout_cue
from cuecraft.compose.orchestration import split_layers
from cuecraft.compose.styles import BASS, BASS_FIGURE, ENSEMBLES, HARMONY, MELODY, OSTINATO, PAD, RHYTHM, TIMPANI
from cuecraft.config import SAMPLE_RATE
from cuecraft.corpus.symbolic import load_midi
from cuecraft.errors import CuecraftError
from cuecraft.model.events import Note
from cuecraft.project import Project
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.stems import render_mix
from cuecraft.render.synth import Renderer
from cuecraft.takes import room_of

LAYERS = ("bed", "harmony", "melody", "rhythm")  # in the order they enter as intensity rises
LAYER_OF_ROLE = {BASS: "bed", BASS_FIGURE: "bed", PAD: "bed", HARMONY: "harmony", OSTINATO: "harmony", MELODY: "melody", RHYTHM: "rhythm",
                 TIMPANI: "rhythm"}
STINGER_TAIL_S = 2.0
MIN_LOOP_BARS = 2


class Layer(BaseModel):
    name: str
    file: str
    intensity_from: float


class Segment(BaseModel):
    name: str
    file: str
    start_bar: int
    bars: int
    samples: int
    transition_points: list[int]  # samples (within the segment) where a jump may happen: every bar line


class Stinger(BaseModel):
    name: str
    file: str
    samples: int


class AdaptiveManifest(BaseModel):
    format: str = "cuecraft-adaptive/1"
    cue: str
    take: str
    key: str
    tempo: float
    beats_per_bar: int
    sample_rate: int
    bar_samples: float
    loop_bars: int
    loop_samples: int
    layers: list[Layer]
    segments: list[Segment]
    stingers: list[Stinger]


def _layer_notes(midi: pretty_midi.PrettyMIDI, style: str) -> dict[str, list[tuple[pretty_midi.Instrument, list[pretty_midi.Note]]]]:
    """Each instrument's notes sorted into layers: by its part's role in the ensemble, or, for
    instruments the ensemble does not name (an imported take), by voice (top, inner, bottom)."""
    parts = {p.name: p for p in ENSEMBLES[style].parts} if style in ENSEMBLES else {}
    layers: dict[str, list] = {name: [] for name in LAYERS}
    for instrument in midi.instruments:
        if not instrument.notes:
            continue
        part = parts.get(part_name(instrument.name))
        if instrument.is_drum:
            layers["rhythm"].append((instrument, instrument.notes))
        elif part is not None:
            layers[LAYER_OF_ROLE[part.roles[0]]].append((instrument, instrument.notes))
        else:
            originals = {(n.start, n.pitch): n for n in instrument.notes}
            voices = split_layers([Note(n.start, n.end - n.start, n.pitch, n.velocity) for n in instrument.notes])
            by_layer = {"melody": voices.melody, "harmony": [n for g in voices.harmony for n in g], "bed": voices.bass}
            for layer, notes in by_layer.items():
                if notes:
                    layers[layer].append((instrument, [originals[(n.onset, n.pitch)] for n in notes]))
    return {name: found for name, found in layers.items() if found}


def _loop_midi(instruments: list[tuple[pretty_midi.Instrument, list[pretty_midi.Note]]], start: float, end: float,
               repeats: int, period: float) -> pretty_midi.PrettyMIDI:  # fmt: skip
    """The notes sounding in [start, end), moved to start at 0, cut at the end, repeated every `period` s,
    with the controllers that shape them (each repeat starts from the controllers' state at `start`)."""
    midi = pretty_midi.PrettyMIDI()
    for instrument, notes in instruments:
        copy_ = pretty_midi.Instrument(instrument.program, is_drum=instrument.is_drum, name=instrument.name)
        state = {c.number: c for c in sorted(instrument.control_changes, key=lambda c: c.time) if c.time <= start}
        inside = [c for c in instrument.control_changes if start < c.time < end]
        for r in range(repeats):
            for n in notes:
                if start <= n.start < end:
                    copy_.notes.append(pretty_midi.Note(n.velocity, n.pitch, n.start - start + r * period, min(n.end, end) - start + r * period))
            copy_.control_changes += [pretty_midi.ControlChange(c.number, c.value, r * period) for c in state.values()]
            copy_.control_changes += [pretty_midi.ControlChange(c.number, c.value, c.time - start + r * period) for c in inside]
        midi.instruments.append(copy_)
    return midi


SEAM_S = 0.05


def seamless(rendered: np.ndarray, period: int) -> np.ndarray:
    """The second of three rendered passes, its start crossfaded from the third pass's start: the
    synthesizer's free-running vibrato and sample loops are not periodic to the sample, so the loop's
    last sample runs on into exactly what followed it in the render, then eases into its own start."""
    loop = rendered[:, period : 2 * period].copy()
    n = min(period, round(SEAM_S * SAMPLE_RATE))
    fade = np.linspace(0.0, 1.0, n, dtype=np.float32)
    loop[:, :n] = rendered[:, 2 * period : 2 * period + n] * (1 - fade) + loop[:, :n] * fade
    return loop


def export_adaptive(project_dir: str | Path, cue_id: str, outdir: str | Path, soundfont: Path | None = None) -> AdaptiveManifest:
    """Write the cue's adaptive package (layers, segments, stingers, manifest.json, index.html) to `outdir`."""
    project_dir = Path(project_dir)
    project = Project.load(project_dir)
    cue = project.cue(cue_id)
    take = cue.chosen_take()
    if take is None:
        raise CuecraftError(cue_id, "has no take to export")
    midi = load_midi(project_dir / take.midi)
    if len(midi.get_tempo_changes()[0]) > 1:
        raise CuecraftError(cue_id, "bends its tempo to hit the picture; a game loop needs one tempo (regenerate it without hit points)")
    tempo, bpb = take.settings.tempo, take.settings.beats_per_bar
    layout = layout_cue(float(project.film.frames_to_seconds(cue.n_frames)), tempo, bpb, take.settings.ending)
    dominant_beat = body_end(layout, take.settings.ending)
    first_bar = 1 if take.settings.segue_in else 0  # a segue's entrance (its first bar) happens once, not every loop
    available = int(dominant_beat // bpb) - first_bar
    if available < MIN_LOOP_BARS:
        raise CuecraftError(cue_id, f"is too short for a loop ({available} bar(s) before its cadence; {MIN_LOOP_BARS} needed)")
    loop_bars = 2 ** int(math.log2(available))  # whole phrases: 2, 4, 8 … bars
    beat_s = 60.0 / tempo
    bar_samples = bpb * beat_s * SAMPLE_RATE
    loop_samples = round(loop_bars * bar_samples)
    period = loop_samples / SAMPLE_RATE
    renderer = Renderer(find_soundfont(soundfont), SAMPLE_RATE)
    room = room_of(take.settings)
    layered = _layer_notes(midi, take.settings.style)
    everything = [pair for pairs in layered.values() for pair in pairs]

    def steady_loop(instruments: list) -> np.ndarray:
        loop = _loop_midi(instruments, first_bar * bpb * beat_s, (first_bar + loop_bars) * bpb * beat_s, 3, period)
        rendered = render_mix(renderer, loop, 3 * loop_samples + SAMPLE_RATE, room)  # the second pass carries the first's tail
        return seamless(rendered, loop_samples)

    manifest_layers, audio_files = [], {}
    for number, (name, instruments) in enumerate(layered.items()):
        audio_files[f"layers/{name}.wav"] = steady_loop(instruments)
        manifest_layers.append(Layer(name=name, file=f"layers/{name}.wav", intensity_from=round(number / len(layered), 3)))
    full = sum(audio_files[layer.file] for layer in manifest_layers)  # the loop is its layers together
    half = loop_bars // 2
    segments = []
    for name, first, bars in (("A", 0, half), ("B", half, loop_bars - half)):
        start, end = round(first * bar_samples), round((first + bars) * bar_samples)
        audio_files[f"segments/{name}.wav"] = full[:, start:end]
        points = [round(b * bar_samples) for b in range(bars)]
        segments.append(Segment(name=name, file=f"segments/{name}.wav", start_bar=first, bars=bars, samples=end - start, transition_points=points))
    stingers = []
    for name, onset in (("resolve", dominant_beat), ("hit", layout.final_chord_beat)):
        start = onset * beat_s
        length = round((layout.total_beats - onset) * beat_s * SAMPLE_RATE + STINGER_TAIL_S * SAMPLE_RATE)
        sting = render_mix(renderer, _loop_midi(everything, start, math.inf, 1, 0.0), length, room)
        audio_files[f"stingers/{name}.wav"] = sting
        stingers.append(Stinger(name=name, file=f"stingers/{name}.wav", samples=length))
    manifest = AdaptiveManifest(cue=cue.id, take=take.id, key=take.settings.key, tempo=tempo, beats_per_bar=bpb, sample_rate=SAMPLE_RATE,
                                bar_samples=bar_samples, loop_bars=loop_bars, loop_samples=loop_samples, layers=manifest_layers,
                                segments=segments, stingers=stingers)  # fmt: skip
    with staged_folder(outdir) as staging:
        for relative, audio in audio_files.items():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            soundfile.write(staging / relative, audio.T, SAMPLE_RATE, subtype="PCM_24")
        write_text_atomic(staging / "manifest.json", manifest.model_dump_json(indent=2) + "\n")
        page = resources.files("cuecraft.deliver").joinpath("static/adaptive.html").read_text(encoding="utf-8")
        write_text_atomic(staging / "index.html", page)
    return manifest
