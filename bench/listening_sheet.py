"""A side-by-side listening sheet: three cues of the example film, each in two styles, as piano rolls
over spectrograms (PNG), with the rendered WAVs beside it. Run: python bench/listening_sheet.py"""

from __future__ import annotations

import argparse
from pathlib import Path

import librosa
import librosa.display
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import soundfile  # noqa: E402

from cuecraft.compose.styles import ENSEMBLES  # noqa: E402
from cuecraft.config import ScoreConfig  # noqa: E402
from cuecraft.model.loading import SHIPPED_TRANSFORMER, load_composer  # noqa: E402
from cuecraft.render.soundfont import find_soundfont  # noqa: E402
from cuecraft.render.synth import Renderer  # noqa: E402
from cuecraft.scoring import StageClock, spot_film  # noqa: E402
from cuecraft.film.probe import probe_video  # noqa: E402
from cuecraft.progress import SilentProgress  # noqa: E402
from cuecraft.compose.theme import write_theme  # noqa: E402
from cuecraft.takes import compose_cue, render_cue, take_audio  # noqa: E402

RATE = 48000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--film", type=Path, default=Path("examples/film.mp4"))
    parser.add_argument("--styles", nargs=2, default=["orchestral", "electronic"], choices=list(ENSEMBLES))
    parser.add_argument("--out", type=Path, default=Path("bench/results/listening_sheet"))
    args = parser.parse_args()
    film = probe_video(args.film)
    spotting = spot_film(film, ScoreConfig(), StageClock(SilentProgress()))
    cues, home_key = spotting.cues, spotting.home_key
    composer = load_composer("transformer", SHIPPED_TRANSFORMER, None)
    theme = write_theme(composer, home_key, seed=0)
    renderer = Renderer(find_soundfont(), RATE)
    args.out.mkdir(parents=True, exist_ok=True)
    chosen = [c for c in cues if c.music][:3]
    figure, axes = plt.subplots(2 * len(chosen), 2, figsize=(14, 4.2 * len(chosen)), dpi=80)
    for row, cue in enumerate(chosen):
        for col, style in enumerate(args.styles):
            settings = cue.settings.model_copy(update={"style": style, "program": ENSEMBLES[style].lead.program})
            midi = compose_cue(composer, film, cue, settings, theme)
            audio = take_audio(render_cue(renderer, film, cue, midi, settings), film, cue, RATE)
            soundfile.write(args.out / f"{cue.id}-{style}.wav", audio.T, RATE, subtype="PCM_24")
            roll, spec = axes[2 * row][col], axes[2 * row + 1][col]
            for number, instrument in enumerate(midi.instruments):
                for n in instrument.notes:
                    roll.plot([n.start, n.end], [n.pitch, n.pitch], color=plt.get_cmap("tab10")(number % 10), linewidth=2.5)
            roll.set_title(f"{cue.id} · {style} · {settings.key}, {settings.tempo:g} bpm, {cue.mood.quadrant}", fontsize=9)
            roll.set_ylabel("pitch")
            db = librosa.amplitude_to_db(abs(librosa.stft(audio.mean(axis=0), n_fft=2048, hop_length=512)), ref=np.max)
            librosa.display.specshow(db, sr=RATE, hop_length=512, x_axis="time", y_axis="log", ax=spec, vmin=-80, vmax=0)
    figure.tight_layout()
    target = args.out / "listening_sheet.png"
    figure.savefig(target)
    print(f"wrote {target} and {len(chosen) * 2} WAVs")


if __name__ == "__main__":
    main()
