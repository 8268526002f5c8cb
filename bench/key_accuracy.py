"""Symbolic key accuracy on music21's Bach chorales (truth: key signature + final bass), per key-profile set."""

from __future__ import annotations

import argparse

from cuecraft.corpus.evaluation import mirex_key_score, notated_key
from cuecraft.corpus.keyfinding import PROFILES, estimate_key, pitch_class_profile
from cuecraft.corpus.sources import music21_corpus_paths
from cuecraft.corpus.symbolic import load_midi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="first N Bach files only")
    args = parser.parse_args()
    correct = {name: 0 for name in PROFILES}
    mirex = {name: 0.0 for name in PROFILES}
    evaluated = skipped = 0
    for path in music21_corpus_paths("bach", args.limit):
        truth = notated_key(path)
        if truth is None:
            skipped += 1
            continue
        notes = [n for inst in load_midi(path).instruments for n in inst.notes]
        profile = pitch_class_profile((n.pitch, n.end - n.start) for n in notes)
        evaluated += 1
        for name in PROFILES:
            estimate, _ = estimate_key(profile, name)
            correct[name] += estimate == truth
            mirex[name] += mirex_key_score(estimate, truth)
    print(f"Bach files with an unambiguous notated key: {evaluated} (skipped {skipped} modal/ambiguous endings)")
    print(f"{'profiles':<20}{'accuracy':>10}{'MIREX':>10}")
    for name in PROFILES:
        print(f"{name:<20}{correct[name] / evaluated:>10.1%}{mirex[name] / evaluated:>10.3f}")


if __name__ == "__main__":
    main()
