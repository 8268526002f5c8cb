"""Seams of regenerated bars: does choosing among drafts by how likely the model finds the bars after
them (bar_edit.new_bars) make the new bars lead into the kept music better than taking one draft?

For cues written by the shipped transformer, bars N..N+1 are regenerated with one draft and with
SEAM_DRAFTS drafts to choose from; measured on the orchestrated result (the reduction the model hears),
per edit: the model's mean log-probability per token of the two bars after the seam, and the top
voice's leap across the seam (semitones); the take's own bars for reference.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cuecraft.compose.bar_edit import SEAM_BARS, SEAM_DRAFTS, reduction, regenerate_bars, seam_fit, tempo_map_of, top_voice_leap
from cuecraft.compose.cue_writer import steering, write_cue
from cuecraft.model.composer import GenerationRequest
from cuecraft.model.loading import SHIPPED_TRANSFORMER, load_composer
from cuecraft.project import Mood, MusicSettings
from cuecraft.theory import Key

KEYS = ["D minor", "C major", "A minor", "F major", "E minor", "Bb major"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=24)
    args = parser.parse_args()
    composer = load_composer("transformer", SHIPPED_TRANSFORMER, None)
    rows: dict[str, list[tuple[float, float]]] = {"one draft": [], f"best of {SEAM_DRAFTS}": [], "take's own bars": []}
    started = time.perf_counter()
    for i in range(args.edits):
        settings = MusicSettings(key=KEYS[i % len(KEYS)], tempo=80 + 10 * (i % 5), program=48, velocity=80, seed=i, style="orchestral")
        mood = Mood(valence=(-1) ** i * 0.5, arousal=0.6 if i % 3 else -0.6, intensity=0.7)
        midi = write_cue(composer, settings, 30.0, None, mood)
        tempo_map = tempo_map_of(midi)
        first_bar = 2 + i % 4
        start_beat, end_beat = (first_bar - 1) * 4, (first_bar + 1) * 4
        prompt = reduction(midi, tempo_map, settings.style, 0, start_beat)
        following = reduction(midi, tempo_map, settings.style, end_beat, end_beat + SEAM_BARS * 4)
        request = GenerationRequest(key=Key.parse(settings.key), length_beats=end_beat, prompt=prompt, **steering(settings, mood))
        versions = {"take's own bars": midi}
        for name, count in (("one draft", 1), (f"best of {SEAM_DRAFTS}", SEAM_DRAFTS)):
            versions[name] = regenerate_bars(composer, midi, settings, mood, first_bar, first_bar + 1, seed=1000 + i, n_drafts=count)
        for name, version in versions.items():
            new = reduction(version, tempo_map, settings.style, start_beat, end_beat)
            if new and following:
                rows[name].append((seam_fit(composer, request, new, following), top_voice_leap(prompt + new, following, end_beat)))
    print(f"{args.edits} edits of 2 bars, {time.perf_counter() - started:.0f} s")
    print(f"{'':18} {'log p/token after seam':>24} {'top-voice leap (st)':>20}")
    for name, values in rows.items():
        fit, leap = np.array(values).T
        print(f"{name:18} {fit.mean():>24.3f} {leap.mean():>12.1f} (median {np.median(leap):.0f})")


if __name__ == "__main__":
    main()
