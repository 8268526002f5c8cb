"""`deliver`: a project's chosen takes turned into everything post-production asks for.

Each cue's take MIDI is rendered stem by stem; the mix is the sum of the stems; one loudness gain
curve (target gain and limiter, computed on the mix) is applied to every stem, so the delivered
stems add back up to the delivered mix. Everything is staged and published at once.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile

from cuecraft.atomic import staged_folder, write_text_atomic
from cuecraft.config import SAMPLE_RATE
from cuecraft.corpus.symbolic import load_midi
from cuecraft.deliver.cue_sheet_csv import Credits, write_cue_sheet_csv
from cuecraft.deliver.midi_files import write_midi_with_markers, write_musicxml
from cuecraft.deliver.presets import PRESETS, LoudnessPreset
from cuecraft.deliver.timeline import music_edl, score_timeline, write_timeline
from cuecraft.errors import CuecraftError
from cuecraft.progress import ProgressReporter, SilentProgress
from cuecraft.film.dialogue import detect_speech
from cuecraft.project import Cue, Project
from cuecraft.render.ducking import DEPTH_DB, duck_curve
from cuecraft.render.loudness import LoudnessReport, integrated_loudness, loudness_gain, measure
from cuecraft.render.mux import lay_in, mux_score, read_film_audio
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.stems import STEMS
from cuecraft.render.synth import Renderer
from cuecraft.render.transitions import ride_in, runs_into
from cuecraft.takes import cue_samples, render_cue_stems

MIX_WAV, STEMS_DIR, CUES_DIR = "mix.wav", "stems", "cues"
LOUDNESS_JSON, TIMELINE_OTIO, TIMELINE_EDL, CUE_SHEET = "loudness.json", "timeline.otio", "timeline.edl", "cue_sheet.csv"


@dataclass
class Delivery:
    outdir: Path
    loudness: LoudnessReport
    stems: list[str]
    cues: list[str]


def deliver_project(project_dir: str | Path, outdir: str | Path, preset: str = "default", credits: Credits = Credits(),
                    soundfont: Path | None = None, progress: ProgressReporter | None = None, duck: bool = True,
                    dialogue: Path | None = None) -> Delivery:  # fmt: skip
    """Write the delivery of the project in `project_dir` into `outdir` (see the module docstring).
    With `duck`, the score dips under the dialogue found in `dialogue` (a stem), else under the project's
    dialogue map, else under what the voice detector hears in the film's own sound."""
    progress = progress or SilentProgress()
    project_dir, outdir = Path(project_dir), Path(outdir)
    project = Project.load(project_dir)
    spec = _preset(preset)
    film_path = Path(project.film.path)
    if not film_path.is_file():
        raise CuecraftError(film_path, "the project's film is missing: cannot lay the score into it")
    scored = [c for c in project.cues if c.music and c.chosen_take() is not None]
    if not scored:
        raise CuecraftError(project_dir, "no cue has a take to deliver")
    film = project.film
    total = film.frames_to_samples(film.n_frames, SAMPLE_RATE)
    renderer = Renderer(find_soundfont(soundfont), SAMPLE_RATE)

    stems: dict[str, np.ndarray] = {}
    progress.start("render stems", len(scored))
    previous: tuple[Cue, np.ndarray] | None = None
    for cue in scored:
        start = film.frames_to_samples(cue.start_frame, SAMPLE_RATE)
        take = cue.chosen_take()
        cue_stems = render_cue_stems(renderer, film, cue, load_midi(project_dir / take.midi), take.settings)
        mixed = sum(cue_stems.values())
        if previous is not None and runs_into(previous[0], cue):  # a segue: ride the incoming cue as the score does
            gain = ride_in(mixed, previous[1], cue_samples(film, previous[0], SAMPLE_RATE)[1], SAMPLE_RATE)
            cue_stems, mixed = {name: audio * gain for name, audio in cue_stems.items()}, mixed * gain
        for name, audio in cue_stems.items():
            end = min(total, start + audio.shape[1])
            stems.setdefault(name, np.zeros((2, total), dtype=np.float32))[:, start:end] += audio[:, : end - start]
        previous = (cue, mixed)
        progress.advance()
    stems = {name: stems[name] for name in STEMS if name in stems}

    progress.start("dialogue, loudness and files")
    film_sound = read_film_audio(film_path, SAMPLE_RATE, total)
    speech = _speech(dialogue, project.dialogue_seconds(), film_sound)
    if duck and speech:
        ducking = duck_curve(speech, total, SAMPLE_RATE)
        stems = {name: audio * ducking for name, audio in stems.items()}
    mix = sum(stems.values())
    curve = loudness_gain(mix, SAMPLE_RATE, spec.integrated_lufs, spec.true_peak_dbtp)
    stems = {name: audio * curve for name, audio in stems.items()}
    mix = sum(stems.values())
    report = measure(mix, SAMPLE_RATE, 20 * float(np.log10(np.max(curve))))

    with staged_folder(outdir) as staging:
        soundfile.write(staging / MIX_WAV, mix.T, SAMPLE_RATE, subtype="PCM_24")
        (staging / STEMS_DIR).mkdir()
        for name, audio in stems.items():
            soundfile.write(staging / STEMS_DIR / f"{name}.wav", audio.T, SAMPLE_RATE, subtype="PCM_24")
        figures = _loudness_json(report, spec) | {"dialogue": _dialogue_json(speech, duck, mix, film_sound)}
        write_text_atomic(staging / LOUDNESS_JSON, json.dumps(figures, indent=2) + "\n")
        for cue in scored:
            _write_cue_files(project, cue, project_dir, staging / CUES_DIR)
        stem_urls = {name: f"{STEMS_DIR}/{name}.wav" for name in stems}
        timeline = score_timeline(project, film_path.as_uri(), stem_urls, MIX_WAV)
        write_timeline(timeline, staging / TIMELINE_OTIO)
        write_text_atomic(staging / TIMELINE_EDL, music_edl(project))
        spoken = {c.id for c in scored if any(s < film.frames_to_seconds(c.end_frame) and e > film.frames_to_seconds(c.start_frame) for s, e in speech)}
        write_cue_sheet_csv(project, credits, staging / CUE_SHEET, spoken)
        mux_score(film_path, staging / MIX_WAV, staging)
    return Delivery(outdir, report, list(stems), [c.id for c in scored])


def _preset(name: str) -> LoudnessPreset:
    if name not in PRESETS:
        raise CuecraftError(name, f"unknown loudness preset (one of: {', '.join(PRESETS)})")
    return PRESETS[name]


def _loudness_json(report: LoudnessReport, spec: LoudnessPreset) -> dict:
    figures = asdict(report)
    return {
        "preset": spec.model_dump(),
        "measured": figures,
        "meets_spec": bool(abs(report.integrated_lufs - spec.integrated_lufs) <= 0.5 and report.true_peak_dbtp <= spec.true_peak_dbtp),
        "standard": "ITU-R BS.1770-4 integrated loudness and true peak; EBU Tech 3342 loudness range",
    }


def _speech(dialogue: Path | None, mapped: list[tuple[float, float]] | None, film_sound: np.ndarray | None) -> list[tuple[float, float]]:
    """Speech regions: from a dialogue stem if given, else the project's dialogue map (its subtitles or the
    voice detector's reading when it was scored), else the voice detector on the film's own sound."""
    if dialogue is not None:
        try:
            audio, rate = soundfile.read(dialogue, always_2d=True)
        except (OSError, RuntimeError) as exc:
            raise CuecraftError(dialogue, f"unreadable dialogue stem ({exc})") from None
        return detect_speech(audio.T, rate)
    if mapped is not None:
        return mapped
    return detect_speech(film_sound, SAMPLE_RATE) if film_sound is not None else []


def _dialogue_json(speech: list[tuple[float, float]], ducked: bool, score: np.ndarray, film_sound: np.ndarray | None) -> dict:
    """Speech regions, and the loudness of the final film mix (score + film sound): program and dialogue-gated."""
    final = lay_in(score, film_sound)
    figures: dict = {"regions_s": speech, "ducked": bool(ducked and speech), "duck_depth_db": DEPTH_DB if ducked and speech else 0.0,
                     "program_lufs": integrated_loudness(final, SAMPLE_RATE)}  # fmt: skip
    spans = [final[:, round(s * SAMPLE_RATE) : round(e * SAMPLE_RATE)] for s, e in speech]
    if spans and sum(x.shape[1] for x in spans) >= SAMPLE_RATE // 2:
        figures["dialogue_gated_lufs"] = integrated_loudness(np.concatenate(spans, axis=1), SAMPLE_RATE)
    return figures


def _write_cue_files(project: Project, cue: Cue, project_dir: Path, folder: Path) -> None:
    """The cue's MIDI with a start marker and a marker per hit point, and its MusicXML."""
    midi = load_midi(project_dir / cue.chosen_take().midi)
    film = project.film
    markers = [(0.0, f"{cue.id} start {film.timecode(cue.start_frame)}")]
    markers += [(float(film.frames_to_seconds(f - cue.start_frame)), f"{cue.id} hit {i} {film.timecode(f)}")
                for i, f in enumerate(cue.hit_points, 1)]  # fmt: skip
    midi_path = folder / f"{cue.id}.mid"
    write_midi_with_markers(midi, markers, midi_path)
    write_musicxml(midi_path, folder / f"{cue.id}.musicxml")
