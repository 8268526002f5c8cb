"""Symbolic key accuracy on music21's Bach chorales (truth: key signature + final bass), per key finder:
each key-profile set alone, and the home-key finder (corpus.key_model's learned scorer of the profile,
bass, strong beats, first and last notes and chords, tonic-chord time and cadences; it never saw a chorale).

The truth reads the mode from the final bass, which the home-key finder also weighs (its last notes and
chord), so its figure here leans its way; bench/analysis_accuracy.py has truths that do not. The home-key
finder's disagreements are listed with the piece's final chord: a chorale that closes on a major chord on
the dominant of the key the finder names ends on a half cadence (a Phrygian ending, iv6-V), which the
truth reads as a close on the final chord's own tonic. Analysts differ on these; Riemenschneider 3
(BWV 153.1), one of them, has a RomanText analysis in music21 that names A minor, not the truth's E minor.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from cuecraft.corpus.chords import label_chords
from cuecraft.corpus.evaluation import mirex_key_score, notated_key
from cuecraft.corpus.global_key import find_key
from cuecraft.corpus.keyfinding import PROFILES, estimate_key, pitch_class_profile
from cuecraft.corpus.sources import music21_corpus_paths
from cuecraft.corpus.symbolic import in_beats, load_midi
from cuecraft.model.events import Note
from cuecraft.theory import Key


def finders() -> dict[str, Callable[[list[Note]], Key]]:
    """Each key finder by name, as a function of notes in beats."""
    by_profile = {name: (lambda notes, name=name: estimate_key(pitch_class_profile((n.pitch, n.duration) for n in notes), name)[0])
                  for name in PROFILES}  # fmt: skip
    return by_profile | {"home-key finder": lambda notes: find_key(notes)[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="first N Bach files only")
    args = parser.parse_args()
    methods = finders()
    right = {(name, mode): 0 for name in methods for mode in ("major", "minor")}
    mirex = {name: 0.0 for name in methods}
    counts = {"major": 0, "minor": 0}
    skipped = 0
    disagreements: list[tuple[str, bool]] = []  # (line, whether the piece ends on a half cadence in the found key)
    for path in music21_corpus_paths("bach", args.limit):
        truth = notated_key(path)
        if truth is None:
            skipped += 1
            continue
        midi = load_midi(path)
        notes = in_beats(midi, [n for inst in midi.instruments for n in inst.notes])
        counts[truth.mode] += 1
        for name, finder in methods.items():
            estimate = finder(notes)
            right[name, truth.mode] += estimate == truth
            mirex[name] += mirex_key_score(estimate, truth)
            if name == "home-key finder" and estimate != truth:
                disagreements.append(disagreement(path.name, truth, estimate, notes))
    evaluated = sum(counts.values())
    print(f"Bach files with an unambiguous notated key: {evaluated} ({counts['major']} major, {counts['minor']} minor; "
          f"skipped {skipped} modal/ambiguous endings)")  # fmt: skip
    print(f"{'key finder':<20}{'major':>10}{'minor':>10}{'MIREX':>10}")
    for name in methods:
        print(f"{name:<20}{right[name, 'major'] / max(1, counts['major']):>10.1%}{right[name, 'minor'] / max(1, counts['minor']):>10.1%}"
              f"{mirex[name] / evaluated:>10.3f}")  # fmt: skip
    half_cadences = sum(half_cadence for _, half_cadence in disagreements)
    print(f"\nThe home-key finder's {len(disagreements)} disagreements ({half_cadences} end on a half cadence in the key it names):")
    print("\n".join(line for line, _ in disagreements))


def disagreement(name: str, truth: Key, found: Key, notes: list[Note]) -> tuple[str, bool]:
    """A line naming a piece the home-key finder reads otherwise than the truth, with its final chord, and
    whether that chord is the found key's dominant (a half cadence there)."""
    final = label_chords(notes)[-1].chord
    half_cadence = final.root == (found.tonic + 7) % 12 and final.triad_family() == "maj"
    line = f"  {name}: truth {truth.name}, found {found.name}, final chord {final.name}"
    return line + (f" (a half cadence in {found.name})" if half_cadence else ""), half_cadence


if __name__ == "__main__":
    main()
