"""Are the planned chords heard? The harmony plan gives each beat a chord; the transformer writes the
notes; the chord labeller (corpus.chords, 85 % right against POP909's annotated chords) says what they
sound like. Per beat of the music_quality bench's briefs (4 emotion quadrants x seeds, 16 bars, the
same keys in every quadrant), the share heard with the planned root and family (maj, min, dim, aug,
sus4), the share heard on the planned root in another family (a minor chord heard major: its third
missing or contradicted), and the share of pieces whose key music21's Krumhansl-Schmuckler hears as
asked. --third-bonus 0 writes the same briefs without the sampler's third bias (model.sampling.THIRD_BONUS).

  python bench/plan_adherence.py [--seeds 30] [--first-seed 300] [--style piano] [--third-bonus 2.0]
"""

from __future__ import annotations

import argparse
from collections import Counter

from cuecraft.compose.cue_plan import piece_brief
from cuecraft.compose.cue_writer import piece_plan, write_piece
from cuecraft.corpus.chords import chord_at, label_chords
from cuecraft.model import sampling
from cuecraft.model.events import Note, midi_notes
from cuecraft.model.checkpoint import load_model
from cuecraft.model.paths import SHIPPED_TRANSFORMER
from cuecraft.model.sampling import TransformerComposer
from cuecraft.theory import Key
from music_quality import BARS, KEYS, QUADRANTS, music21_key  # bench/ is on the path when run as a script

TEMPO = 100.0


def heard(plan_chords: list, notes: list[Note]) -> Counter:
    """Per planned beat: 'as planned', 'other family' (same root) or 'other root'."""
    found = label_chords(notes)
    out: Counter = Counter()
    for beat in range(BARS * 4):
        planned, sounding = chord_at(plan_chords, beat + 0.5), chord_at(found, beat + 0.5)
        if planned is None:
            continue
        if sounding is not None and sounding.root == planned.root:
            out["as planned" if sounding.triad_family() == planned.triad_family() else "other family"] += 1
        else:
            out["other root"] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--first-seed", type=int, default=300)
    parser.add_argument("--style", default="piano")
    parser.add_argument("--third-bonus", type=float, default=sampling.THIRD_BONUS)
    args = parser.parse_args()
    sampling.THIRD_BONUS = args.third_bonus
    composer = TransformerComposer(*load_model(SHIPPED_TRANSFORMER))
    beats: Counter = Counter()
    keys_heard = pieces = 0
    for valence, arousal in QUADRANTS.values():
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            key = KEYS[seed % len(KEYS)]
            settings, mood = piece_brief(key, TEMPO, valence, arousal, args.style, seed)
            plan = piece_plan(settings, BARS, mood)
            notes = midi_notes(write_piece(composer, settings, BARS, mood))
            beats += heard(list(plan.chords), notes)
            keys_heard += music21_key(notes) == Key.parse(key)
            pieces += 1
    total = sum(beats.values())
    print(f"{args.style}, seeds {args.first_seed}-{args.first_seed + args.seeds - 1}, third bonus {args.third_bonus}: "
          f"{pieces} pieces, {total} planned beats")
    for name in ("as planned", "other family", "other root"):
        print(f"  {name:<14} {beats[name] / total:6.1%}")
    print(f"  key heard as asked (Krumhansl-Schmuckler): {keys_heard}/{pieces}")


if __name__ == "__main__":
    main()
