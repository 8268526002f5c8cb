"""`make bench`: one table of the figures that matter, with the machine's core count, saved as JSON
(bench/results/<time>.json) so runs can be compared. Quick versions of the detailed scripts beside it.

Rows: end-to-end seconds per film minute by stage; render speed (x real time) of cuecraft's renderer
and of the FluidSynth command line on the same cues; transformer tokens/s with and without KV cache;
corpus MIDI files/s; hit-point sync error; cue length error; loudness error; range violations;
theme recurrence; audio tempo/key analysis by librosa (cuecraft's path) vs essentia, same audio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pretty_midi
import soundfile

from cuecraft.compose.styles import ENSEMBLES
from cuecraft.compose.tempo_map import solve_tempo_map
from cuecraft.compose.theme import contains_motif, theme_in_key, theme_motif
from cuecraft.config import ScoreConfig
from cuecraft.corpus.audio import analyse_audio
from cuecraft.corpus.catalog import Catalog
from cuecraft.corpus.files import MIDI_SUFFIXES, find_files
from cuecraft.corpus.ingest import ingest
from cuecraft.model.composer import GenerationRequest
from cuecraft.model.events import Note
from cuecraft.model.loading import SHIPPED_TRANSFORMER, load_composer
from cuecraft.model.sampling import SamplingSettings, sample_ids
from cuecraft.render.loudness import integrated_loudness, true_peak_dbtp
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.synth import Renderer
from cuecraft.scoring import score_film
from cuecraft.theory import Key

RATE = 48000


def score_figures(film: Path, out: Path) -> dict:
    started = time.perf_counter()
    config = ScoreConfig()
    result = score_film(film, out, config)
    total = time.perf_counter() - started
    minutes = result.project.film.duration_s / 60
    mix, rate = soundfile.read(out / "score.wav", always_2d=True)
    project, film_info = result.project, result.project.film
    length_errors, violations, recurrence = [], 0, []
    for cue in (c for c in project.cues if c.music):
        take = cue.takes[0]
        length_errors.append(abs(soundfile.info(out / take.audio).frames / RATE - float(film_info.frames_to_seconds(cue.n_frames))))
        midi = pretty_midi.PrettyMIDI(str(out / take.midi))
        parts = {p.name: p for p in ENSEMBLES[take.settings.style].parts}
        for instrument in midi.instruments:
            part = parts.get(instrument.name)
            if part and not part.is_drum:
                violations += sum(not part.low <= n.pitch <= part.high for n in instrument.notes)
        lead = [Note(n.start, n.end - n.start, n.pitch) for i in midi.instruments if i.name == ENSEMBLES[take.settings.style].lead.name for n in i.notes]
        recurrence.append(contains_motif(lead, theme_motif(theme_in_key(project.theme_for(take.settings), Key.parse(take.settings.key)))))
    return {
        "film_seconds": film_info.duration_s, "cues": len(project.cues),
        "seconds_per_film_minute": total / minutes,
        "stage_seconds_per_film_minute": {k: v / minutes for k, v in result.stage_seconds.items()},
        "loudness_error_lu": abs(integrated_loudness(mix.T, rate) - config.loudness_target_lufs),
        "true_peak_margin_db": config.true_peak_ceiling_dbtp - true_peak_dbtp(mix.T),
        "max_cue_length_error_ms": 1000 * max(length_errors), "range_violations": violations,
        "theme_recurrence": sum(recurrence) / len(recurrence),
        "takes": [str(out / c.takes[0].midi) for c in project.cues if c.music],
    }  # fmt: skip


def render_figures(midis: list[str], tmp: Path) -> dict:
    """cuecraft's Renderer vs the FluidSynth command line (what a user might run), same MIDI and SoundFont."""
    soundfont = find_soundfont()
    renderer = Renderer(soundfont, RATE)
    audio_s = ours = cli = 0.0
    for path in midis:
        midi = pretty_midi.PrettyMIDI(path)
        n = round((midi.get_end_time() + 1.0) * RATE)
        started = time.perf_counter()
        renderer.render(midi, n)
        ours += time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run(["fluidsynth", "-ni", "-q", "-F", str(tmp / "cli.wav"), "-r", str(RATE), str(soundfont), path], check=True,
                       capture_output=True)  # fmt: skip
        cli += time.perf_counter() - started
        audio_s += n / RATE
    return {"cuecraft_render_x_realtime": audio_s / ours, "fluidsynth_cli_x_realtime": audio_s / cli, "rendered_seconds": audio_s}


def model_figures() -> dict:
    composer = load_composer("transformer", SHIPPED_TRANSFORMER, None)
    request = GenerationRequest(Key.parse("C major"), 16 * 4, seed=0, tempo=120)
    figures = {}
    for use_cache in (True, False):
        started = time.perf_counter()
        ids = sample_ids(composer.model, composer.tokenizer, request, SamplingSettings(use_cache=use_cache))
        figures[f"tokens_per_s_{'with' if use_cache else 'without'}_kv_cache"] = len(ids) / (time.perf_counter() - started)
    return figures


def corpus_figures(data: Path, n: int) -> dict:
    files = find_files([data], MIDI_SUFFIXES)[:n]
    if not files:
        return {}
    with tempfile.TemporaryDirectory() as tmp, Catalog(Path(tmp) / "c.db") as catalog:
        started = time.perf_counter()
        ingest(files, catalog, workers=1)
        return {"corpus_midi_files_per_s_1_worker": len(files) / (time.perf_counter() - started)}


def sync_figures(trials: int = 200) -> dict:
    rng = np.random.default_rng(0)
    errors, synced, total = [], 0, 0
    for _ in range(trials):
        duration, tempo = rng.uniform(10, 120), rng.uniform(60, 150)
        hits = sorted(rng.uniform(1, duration - 1, rng.integers(1, 6)).tolist())
        plan = solve_tempo_map(duration, hits, tempo, 4)
        errors += [abs(plan.tempo_map.seconds(round(plan.tempo_map.beat_at(h))) - h) for h in plan.synced]
        synced, total = synced + len(plan.synced), total + len(hits)
    return {"sync_error_max_ms": 1000 * max(errors), "hits_synced_fraction": synced / total}


def analysis_figures(mix_path: Path) -> dict:
    """Tempo and key of the same rendered score by librosa (cuecraft's corpus path) and essentia."""
    audio, rate = soundfile.read(mix_path, always_2d=True)
    mono = audio.mean(axis=1).astype(np.float32)
    figures = {}
    started = time.perf_counter()
    ours = analyse_audio(audio.T.astype(np.float32), rate)
    figures["librosa_seconds"] = time.perf_counter() - started
    figures["librosa_tempo_bpm"], figures["librosa_key"] = ours.tempo_bpm, ours.key
    try:
        import essentia.standard as es
    except ImportError:
        return figures
    started = time.perf_counter()
    resampled = es.Resample(inputSampleRate=rate, outputSampleRate=44100)(mono)
    tempo = es.RhythmExtractor2013(method="multifeature")(resampled)[0]
    key, scale, _ = es.KeyExtractor()(resampled)
    figures["essentia_seconds"] = time.perf_counter() - started
    figures["essentia_tempo_bpm"], figures["essentia_key"] = float(tempo), f"{key} {scale}"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--film", type=Path, default=Path("examples/film.mp4"))
    parser.add_argument("--corpus", type=Path, default=Path("../shared/data/vgmusic/midi"))
    parser.add_argument("--corpus-files", type=int, default=100)
    parser.add_argument("--results", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    figures: dict = {"cores": os.cpu_count(), "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory() as tmp:
        score = score_figures(args.film, Path(tmp) / "score")
        figures["score"] = {k: v for k, v in score.items() if k != "takes"}
        figures["render"] = render_figures(score["takes"], Path(tmp))
        figures["analysis"] = analysis_figures(Path(tmp) / "score" / "score.wav")
    figures["model"] = model_figures()
    figures["corpus"] = corpus_figures(args.corpus, args.corpus_files)
    figures["sync"] = sync_figures()
    print_table(figures)
    args.results.mkdir(parents=True, exist_ok=True)
    target = args.results / f"{figures['when'].replace(':', '')}.json"
    target.write_text(json.dumps(figures, indent=2, default=float) + "\n")
    print(f"saved {target}")


def print_table(f: dict) -> None:
    s, r, a = f["score"], f["render"], f["analysis"]
    rows = [
        ("end-to-end, s per film minute", f"{s['seconds_per_film_minute']:.2f}"),
        *((f"  {stage}", f"{v:.2f}") for stage, v in s["stage_seconds_per_film_minute"].items()),
        ("render, x real time (cuecraft / fluidsynth CLI)", f"{r['cuecraft_render_x_realtime']:.1f} / {r['fluidsynth_cli_x_realtime']:.1f}"),
        ("model tokens/s (KV cache / none)", f"{f['model']['tokens_per_s_with_kv_cache']:.0f} / {f['model']['tokens_per_s_without_kv_cache']:.0f}"),
        ("corpus MIDI files/s (1 worker)", f"{f['corpus'].get('corpus_midi_files_per_s_1_worker', float('nan')):.1f}"),
        ("hit-point sync error, max ms", f"{f['sync']['sync_error_max_ms']:.4f}"),
        ("hits synced (gentle tempo)", f"{100 * f['sync']['hits_synced_fraction']:.0f} %"),
        ("cue length error, max ms", f"{s['max_cue_length_error_ms']:.3f}"),
        ("loudness error, LU / true-peak margin dB", f"{s['loudness_error_lu']:.3f} / {s['true_peak_margin_db']:.2f}"),
        ("range violations", f"{s['range_violations']}"),
        ("theme recurrence across cues", f"{100 * s['theme_recurrence']:.0f} %"),
        ("tempo/key librosa", f"{a['librosa_tempo_bpm']} bpm, {a['librosa_key']} ({a['librosa_seconds']:.1f} s)"),
        ("tempo/key essentia", f"{a.get('essentia_tempo_bpm', 'n/a')} bpm, {a.get('essentia_key', 'n/a')} ({a.get('essentia_seconds', float('nan')):.1f} s)"),
    ]  # fmt: skip
    print(f"cuecraft bench, {f['cores']} cores, {f['when']}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
