"""How much do generated cues share with the music the model learned from, against what real music
from unseen games shares with it?

Writes N pieces (default 100: 8 bars, moods, keys and tempi varied, the shipped transformer) and
looks every one up in the shipped originality index, beside the held-out real pieces (VGMusic games
and VGMIDI pieces kept out of training). Prints the distribution of the longest shared melodic
passage (notes) for both, and how many generated pieces are flagged.

  python bench/originality.py --data ../shared/data [-n 100]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from cuecraft.compose.cue_plan import velocity_for
from cuecraft.compose.cue_writer import write_piece
from cuecraft.model.loading import SHIPPED_TRANSFORMER, load_composer
from cuecraft.model.originality import shipped_index
from cuecraft.model.training_set import load_split
from cuecraft.project import Mood, MusicSettings
from cuecraft.takes import originality_of

REPO = Path(__file__).resolve().parents[1]
KEYS = ["C major", "A minor", "D major", "E minor", "F major", "G minor", "Bb major", "C minor", "G major", "D minor"]


def describe(values: list[int]) -> str:
    v = np.array(values)
    return (f"n={len(v)}  median {np.median(v):.0f}  p75 {np.percentile(v, 75):.0f}  p90 {np.percentile(v, 90):.0f}  "
            f"max {v.max()}  (notes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=REPO / "models" / "transformer" / "corpora.pkl")
    parser.add_argument("-n", type=int, default=100)
    args = parser.parse_args()
    index = shipped_index()
    _, held_out = load_split(args.data, args.cache)
    real = [index.longest_shared(p.notes)[0] for p in held_out]
    composer = load_composer("transformer", SHIPPED_TRANSFORMER, None)
    generated, flagged, started = [], 0, time.perf_counter()
    for i in range(args.n):
        valence, arousal = np.cos(i * 2.4), np.sin(i * 2.4)
        mood = Mood(valence=float(valence), arousal=float(arousal), intensity=float((arousal + 1) / 2))
        settings = MusicSettings(key=KEYS[i % len(KEYS)], tempo=70 + (i * 7) % 80, program=0, velocity=velocity_for(mood.intensity),
                                 seed=i, style="piano")  # fmt: skip
        report = originality_of(write_piece(composer, settings, 8, mood))
        generated.append(report.longest_notes)
        flagged += report.flagged
    print(f"index: {len(index.titles)} training pieces, threshold {index.threshold_notes} notes")
    print(f"held-out real pieces vs the training corpus: {describe(real)}")
    print(f"generated pieces vs the training corpus:     {describe(generated)}")
    print(f"generated pieces flagged: {flagged} of {len(generated)} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
