"""Fit the local-key model (corpus/local_key_model.py) on music21's human RomanText analyses: 18 Bach
chorales and 48 Monteverdi madrigals, each truth weighing alike. Prints what it learned (how long an
analyst stays in a key, where keys move, the commonest chords per mode) and with --write saves it over
the shipped one. With --grid it first shows how the decoder's weights were chosen: for each setting, two
models each fitted on one half of the analyses (every other chorale and madrigal) agree with the other
half's local keys beat by beat, with every sixth POP909 song's annotated key regions beside them (made
by an algorithm; the model never learns from them). bench/analysis_accuracy.py reports the same two-fold
figures for the shipped weights.

  python bench/fit_local_keys.py [--data ../shared/data] [--write] [--grid]
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np

from analysis_accuracy import (SHARED_DATA, Truth, analysis_groups, fold_models, is_chorale, local_key_agreement,
                               passages_off_the_score, pop909_songs, romantext_pieces)  # fmt: skip
from cuecraft.corpus.chords import TimedChord, label_chords
from cuecraft.corpus.global_key import find_key
from cuecraft.corpus.keyfinding import KEYS
from cuecraft.corpus.local_key_model import ASSET, FAMILIES, MODES, LocalKeyModel, fit_local_key_model, note_local_keys
from cuecraft.theory import PITCH_CLASS_NAMES, Key

GRID = {"profile_weight": (4.0, 8.0), "profile_reach": (2, 4), "home_per_beat": (0.05, 0.1, 0.2, 0.4)}  # the settings --grid compares


Analysed = tuple[Truth, list[TimedChord], Key, set[int]]


def analysed(pieces: list[Truth]) -> list[Analysed]:
    """Each piece with the chords and home key the analysers find in it (what the local keys start from),
    and its passages off the score; once for all the settings compared."""
    labelled = [(piece, label_chords(piece.notes)) for piece in pieces]
    return [(piece, chords, find_key(piece.notes, chords)[0], passages_off_the_score(piece)) for piece, chords in labelled]


def agreement(pieces: list[Analysed], models: list[LocalKeyModel]) -> dict[str, float]:
    """Share of beats whose local key agrees with the truth's, per truth (beats of passages off the score left out)."""
    right: dict[str, list[bool]] = {}
    for (piece, chords, home, apart), model in zip(pieces, models):
        found = note_local_keys(piece.notes, chords, home, model)
        name = "chorales" if is_chorale(piece) else "madrigals" if piece.title.startswith("madrigal") else "POP909"
        right.setdefault(name, []).extend(local_key_agreement(piece, found, apart))
    return {name: float(np.mean(agreed)) for name, agreed in right.items()}


def describe(model: LocalKeyModel) -> None:
    """Print what the model learned."""
    print(f"stays in its key from one chord to the next: {np.exp(model.stay):.1%}")
    moves = np.exp(model.moves)
    for flat in np.argsort(moves, axis=None)[::-1][:6]:
        step, before, after = np.unravel_index(flat, moves.shape)
        print(f"  a change of key goes {step:2d} semitones up, {MODES[before]} to {MODES[after]}: {moves[step, before, after]:.1%}")
    for mode in range(2):
        chords = np.exp(model.emissions[mode])
        top = ", ".join(f"{PITCH_CLASS_NAMES[s // len(FAMILIES)]}:{FAMILIES[s % len(FAMILIES)]} {chords[s]:.0%}"
                        for s in np.argsort(chords)[::-1][:8])  # fmt: skip
        print(f"  commonest chords in {KEYS[mode].name} ({MODES[mode]}): {top}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grid", action="store_true", help="two-fold agreement for each setting of the decoder's weights")
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="where POP909 is, for --grid")
    parser.add_argument("--write", action="store_true", help=f"save the model over {ASSET.name}")
    args = parser.parse_args()
    pieces = list(romantext_pieces(1))
    model = fit_local_key_model(analysis_groups(pieces))
    if args.grid:
        pop = list(pop909_songs(args.data, 6))
        folds = fold_models(pieces)
        heard = analysed(pieces + pop)
        for values in itertools.product(*GRID.values()):
            setting = dict(zip(GRID, values))
            tuned = [replace(fold, **setting) for fold in folds] + [replace(model, **setting)] * len(pop)
            rates = agreement(heard, tuned)
            shown = " ".join(f"{k} {v}" for k, v in setting.items())
            print(shown, "::", " ".join(f"{k} {v:.1%}" for k, v in rates.items()), flush=True)
    describe(model)
    if args.write:
        model.save(ASSET)
        print(f"wrote {ASSET}")


if __name__ == "__main__":
    main()
