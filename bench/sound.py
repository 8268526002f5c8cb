"""The sound of the score, before and after issue 18 (hall, stage, expression, articulation, SoundFont).

Scores the example film twice — with this checkout and with an earlier commit (a git worktree) —
and measures both mixes: loudness range (EBU Tech 3342) and crest factor against film-score norms,
the stereo image (L/R correlation), and how much of each pitched part carries expression. Then,
on the new cues, the room's reverb tail (dry against the hall) and the two SoundFonts side by side
(FluidR3 GM against MuseScore General: velocity response, brightness, stereo width of the samples).
Writes docs/sound.md with spectrograms in docs/sound/. Run: python bench/sound.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import librosa  # noqa: E402
import librosa.display  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pretty_midi  # noqa: E402
import soundfile  # noqa: E402

from cuecraft.compose.styles import ENSEMBLES  # noqa: E402
from cuecraft.project import Project  # noqa: E402
from cuecraft.render.loudness import integrated_loudness, loudness_range, true_peak_dbtp  # noqa: E402
from cuecraft.render.room import ROOMS, impulse_response  # noqa: E402
from cuecraft.render.stems import render_stems  # noqa: E402
from cuecraft.render.synth import Renderer  # noqa: E402
from cuecraft.scoring import SCORE_WAV  # noqa: E402

RATE = 48000
FLUIDR3 = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
MUSESCORE = Path("/usr/share/sounds/sf2/MuseScore_General_Full.sf2")
PROBE_PROGRAMS = {"strings": 48, "solo violin": 40, "french horn": 60, "flute": 73, "piano": 0, "harp": 46}
TAIL_SECONDS = 5.0


def score(film: Path, out: Path, source: Path, soundfont: Path) -> Path:
    """Score `film` into `out` with the cuecraft package under `source`/src; the project folder."""
    env = {**os.environ, "PYTHONPATH": str(source / "src")}
    command = [sys.executable, "-m", "cuecraft", "score", str(film), "-o", str(out), "--soundfont", str(soundfont)]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return out


def mix_of(project: Path) -> np.ndarray:
    """The project's score mix (2 x n)."""
    audio, _ = soundfile.read(project / SCORE_WAV, dtype="float32", always_2d=True)
    return audio.T


def stereo_correlation(audio: np.ndarray) -> tuple[float, float]:
    """Pearson correlation of left and right: over the whole mix, and the median over 400-ms windows with signal."""
    window = round(0.4 * RATE)
    values = []
    for start in range(0, audio.shape[1] - window, window):
        left, right = audio[0, start : start + window], audio[1, start : start + window]
        if np.sqrt(np.mean(left**2)) > 1e-4 and np.std(left) > 0 and np.std(right) > 0:
            values.append(float(np.corrcoef(left, right)[0, 1]))
    whole = float(np.corrcoef(audio[0], audio[1])[0, 1])
    return whole, float(np.median(values)) if values else float("nan")


def crest_factor_db(audio: np.ndarray) -> float:
    """Peak over RMS (dB) of the mix where music sounds (silence left out, as a meter's gate would)."""
    frames = librosa.util.frame(audio.mean(axis=0), frame_length=RATE // 10, hop_length=RATE // 10)
    rms = np.sqrt((frames**2).mean(axis=0))
    sounding = frames[:, rms > 10 ** (-60 / 20)]
    return float(20 * np.log10(np.abs(audio).max() / np.sqrt((sounding**2).mean())))


def expression_coverage(project: Path) -> tuple[float, int, float]:
    """Share of pitched tracks carrying CC1 or CC11, articulation tracks, median |onset - grid| in ms."""
    pitched = expressive = articulated = 0
    deviations = []
    for path in sorted((project / "cues").glob("*.mid")):
        midi = pretty_midi.PrettyMIDI(str(path))
        beats = midi.get_beats()
        for instrument in midi.instruments:
            if instrument.is_drum or not instrument.notes:
                continue
            pitched += 1
            expressive += any(c.number in (1, 11) for c in instrument.control_changes)
            articulated += instrument.name.endswith(("pizz.", "trem."))
            for note in instrument.notes:
                sixteenths = np.interp(note.start, beats, np.arange(len(beats))) * 4
                deviations.append(abs(sixteenths - round(sixteenths)) / 4 * 60 / midi.estimate_tempo() * 1000)
    return expressive / max(1, pitched), articulated, float(np.median(deviations)) if deviations else 0.0


def tail_levels(audio: np.ndarray, music_end: float) -> tuple[float, float]:
    """Level (dB) 0.5 s and 1.5 s after the music's last note-off, against its last second of music."""
    def level(start: float, length: float) -> float:
        chunk = audio[:, round(start * RATE) : round((start + length) * RATE)]
        return 10 * np.log10(np.mean(chunk**2) + 1e-20)

    last = level(music_end - 1.0, 1.0)
    return level(music_end + 0.45, 0.1) - last, level(music_end + 1.45, 0.1) - last


def rt60(room_name: str) -> float:
    """The room's reverberation time measured on its impulse response (Schroeder integration, T30 x 2)."""
    response = impulse_response(ROOMS[room_name], RATE).mean(axis=0)
    decay = np.cumsum(response[::-1] ** 2)[::-1]
    db = 10 * np.log10(decay / decay[0])
    return 2 * (np.argmax(db < -35) - np.argmax(db < -5)) / RATE


def reverb_tails(project: Path, soundfont: Path) -> list[tuple[str, str, float, float, float, float]]:
    """Per cue: (cue, room, dry and in-room level 0.5 s after the last note-off, the same 1.5 s after)."""
    renderer = Renderer(soundfont, RATE)
    rows = []
    for cue in Project.load(project).cues:
        take = cue.chosen_take()
        if take is None:
            continue
        midi = pretty_midi.PrettyMIDI(str(project / take.midi))
        end = max(n.end for i in midi.instruments for n in i.notes)
        n = round((end + TAIL_SECONDS) * RATE)
        room = ROOMS[ENSEMBLES[take.settings.style].room]
        dry = tail_levels(sum(render_stems(renderer, midi, n).values()), end)
        wet = tail_levels(sum(render_stems(renderer, midi, n, room=room).values()), end)
        rows.append((cue.id, room.name, dry[0], wet[0], dry[1], wet[1]))
    return rows


def soundfont_probe(soundfont: Path) -> dict[str, tuple[float, float, float]]:
    """Per instrument: level change (dB) from velocity 40 to 110, brightness change (spectral centroid
    ratio) over the same, and L/R correlation of one held note — what velocity layers and stereo
    samples give a part's expression and image."""
    renderer = Renderer(soundfont, RATE)
    found = {}
    for name, program in PROBE_PROGRAMS.items():
        measures = {}
        for velocity in (40, 110):
            midi = pretty_midi.PrettyMIDI()
            instrument = pretty_midi.Instrument(program)
            instrument.notes.append(pretty_midi.Note(velocity, 60, 0.05, 1.55))
            midi.instruments.append(instrument)
            audio = renderer.render(midi, 2 * RATE)
            centroid = librosa.feature.spectral_centroid(y=audio.mean(axis=0), sr=RATE)[0]
            measures[velocity] = (20 * np.log10(np.sqrt((audio**2).mean()) + 1e-12), float(np.median(centroid)),
                                  float(np.corrcoef(audio[0], audio[1])[0, 1]))  # fmt: skip
        found[name] = (measures[110][0] - measures[40][0], measures[110][1] / measures[40][1], measures[110][2])
    return found


def spectrograms(panels: list[tuple[str, np.ndarray]], target: Path, seconds: float = 30.0) -> None:
    """Stacked log-frequency spectrograms of the first `seconds` of each (title, audio)."""
    figure, axes = plt.subplots(len(panels), 1, figsize=(11, 2.6 * len(panels)), sharex=True)
    for axis, (title, audio) in zip(np.atleast_1d(axes), panels):
        mono = audio.mean(axis=0)[: round(seconds * RATE)]
        spectrum = librosa.amplitude_to_db(np.abs(librosa.stft(mono, n_fft=4096, hop_length=1024)), ref=np.max)
        librosa.display.specshow(spectrum, sr=RATE, hop_length=1024, x_axis="time", y_axis="log", ax=axis, vmin=-80)
        axis.set_title(title)
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=80)
    plt.close(figure)


def mix_row(name: str, audio: np.ndarray, coverage: tuple[float, int, float]) -> str:
    whole, windowed = stereo_correlation(audio)
    return (f"| {name} | {integrated_loudness(audio, RATE):.1f} | {loudness_range(audio, RATE):.1f} | {crest_factor_db(audio):.1f} | "
            f"{true_peak_dbtp(audio):.1f} | {whole:.2f} / {windowed:.2f} | {100 * coverage[0]:.0f} % | {coverage[1]} | {coverage[2]:.1f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--film", type=Path, default=Path("examples/film.mp4"))
    parser.add_argument("--before-commit", default="0535c71")
    parser.add_argument("--sheet", type=Path, default=Path("docs/sound.md"))
    args = parser.parse_args()
    images = args.sheet.parent / "sound"
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        before_src = work / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(before_src), args.before_commit], check=True, capture_output=True)
        try:
            before = score(args.film, work / "score-before", before_src, FLUIDR3)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before_src)], check=True)
        after_fluid = score(args.film, work / "score-after-fluidr3", Path.cwd(), FLUIDR3)
        after = score(args.film, work / "score-after", Path.cwd(), MUSESCORE)
        mixes = {name: mix_of(p) for name, p in (("before", before), ("after, FluidR3", after_fluid), ("after", after))}
        rows = [mix_row(name, audio, expression_coverage(p))
                for (name, audio), p in zip(mixes.items(), (before, after_fluid, after))]  # fmt: skip
        tails = reverb_tails(after, MUSESCORE)
        spectrograms([(f"{name} ({args.film.name})", audio) for name, audio in mixes.items()], images / "before_after.png")
    probes = {sf.stem: soundfont_probe(sf) for sf in (FLUIDR3, MUSESCORE)}
    lines = [
        "# The sound of the score — before and after",
        "",
        f"Made by `python bench/sound.py` on `{args.film}`: *before* is commit `{args.before_commit}` (FluidR3 GM, FluidSynth's",
        "default reverb and chorus, no controllers), *after* is this checkout (MuseScore General, a hall per ensemble, expression,",
        "articulation, humanisation); *after, FluidR3* is this checkout with the old SoundFont, to separate the two changes.",
        "",
        "## Mix",
        "",
        "| score | LUFS | LRA (LU) | crest (dB) | true peak (dBTP) | L/R correlation (whole / median 0.4 s) | pitched tracks with CC1/CC11 | pizz./trem. tracks | median onset off the grid (ms) |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Norms: Netflix's mix specification asks a programme loudness range of 4-18 LU (dialogue-gated -27 LKFS, true peak",
        "-2 dBTP); Katz's K-System gives film and classical music 20 dB between average and peak (K-20), pop 12-14 dB.",
        "A correlation near 1 is a mono image; a concert-hall recording sits around 0.3-0.7.",
        "",
        "![spectrograms before and after](sound/before_after.png)",
        "",
        "## Room: the tail after the last note",
        "",
        "Reverberation time of each room, measured on its impulse response (Schroeder, T30 x 2): "
        + ", ".join(f"{name} {rt60(name):.2f} s" for name in ROOMS) + ".",
        "",
        "Each cue of the demo rendered with 5 s to spare after its last note-off, dry and in its room: the level",
        "after the music stops, against the level of its last second (pianos and harps ring on by themselves).",
        "",
        "| cue | room | +0.5 s dry (dB) | +0.5 s in the room (dB) | +1.5 s dry (dB) | +1.5 s in the room (dB) |",
        "|---|---|---|---|---|---|",
        *[f"| {cue} | {room} | {d1:.0f} | {w1:.0f} | {d2:.0f} | {w2:.0f} |" for cue, room, d1, w1, d2, w2 in tails],
        "",
        "## SoundFonts: FluidR3 GM against MuseScore General (C4, velocity 40 against 110)",
        "",
        "| instrument | " + " | ".join(f"{sf}: level change (dB) / brightness ratio / L-R correlation" for sf in probes) + " |",
        "|---|" + "---|" * len(probes),
        *[f"| {name} | " + " | ".join(f"{p[name][0]:+.1f} / {p[name][1]:.2f} / {p[name][2]:.2f}" for p in probes.values()) + " |"
          for name in PROBE_PROGRAMS],  # fmt: skip
        "",
    ]
    args.sheet.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
