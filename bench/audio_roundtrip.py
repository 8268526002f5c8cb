"""Render catalog MIDI with cuecraft's renderer, analyse the audio, compare with the symbolic truth:
tempo within 4 % (octave errors counted apart) and key by the MIREX weighted score."""

from __future__ import annotations

import argparse
from pathlib import Path

from cuecraft.corpus.audio import analyse_audio
from cuecraft.corpus.evaluation import mirex_key_score, tempo_agreement
from cuecraft.corpus.files import MIDI_SUFFIXES, find_files
from cuecraft.corpus.symbolic import analyse_midi, load_midi
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.synth import Renderer
from cuecraft.theory import Key

RATE = 22050


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=Path("../shared/data/vgmidi/labelled_midi"))
    parser.add_argument("--pieces", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30.0, help="render this much of each piece")
    args = parser.parse_args()
    renderer = Renderer(find_soundfont(), RATE)
    verdicts = {"match": 0, "octave": 0, "miss": 0}
    key_scores, keys_exact, n = [], 0, 0
    for path in find_files([args.data], MIDI_SUFFIXES)[: args.pieces]:
        midi = load_midi(path)
        truth = analyse_midi(midi)
        if truth.tempo_changes or not truth.key:
            continue  # one tempo only: the truth must be a single number
        audio = renderer.render(midi, int(min(args.seconds, truth.duration_s) * RATE))
        found = analyse_audio(audio, RATE)
        n += 1
        verdicts[tempo_agreement(found.tempo_bpm, truth.tempo_bpm)] += 1
        if found.key:
            score = mirex_key_score(Key.parse(found.key), Key.parse(truth.key))
            key_scores.append(score)
            keys_exact += score == 1.0
    print(f"pieces: {n} (piano GM rendering, first {args.seconds:.0f} s each)")
    print(f"tempo within 4 %: {verdicts['match'] / n:.1%}   octave errors: {verdicts['octave'] / n:.1%}   "
          f"misses: {verdicts['miss'] / n:.1%}")
    print(f"key: exact {keys_exact / n:.1%}, MIREX mean {sum(key_scores) / n:.3f} "
          f"({n - len(key_scores)} withheld as atonal)")


if __name__ == "__main__":
    main()
