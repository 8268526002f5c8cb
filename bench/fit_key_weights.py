"""Fit the home-key finders: the linear weights of the evidence (corpus/global_key.py, used for audio's
chroma) on odd-numbered POP909 songs, and the learned scorer (corpus/key_model.py, used for notes) on
those songs and the folk tunes of half the ABC files (analysis_accuracy.folk_files(0); a modal tune's
key is the major or minor key on its tonic, A dorian as A minor).

The linear weights are a conditional logit over the 24 keys: each song's keys score evidence @ weights,
and the weights maximise the softmax likelihood of the annotated key (gradient descent, a little L2).
The scorer is trained with each truth weighing alike. The even-numbered songs, the other folk files, the
Bach chorales, the RomanText analyses and VGMusic stay out of both; bench/analysis_accuracy.py reports
on them. Prints the linear weights to copy into WEIGHTS, both finders' accuracy on the fitted and held-out
halves, and with --write saves the scorer over the shipped one. With --validate it first compares shapes of
the scorer by two-fold validation within the training songs and tunes (how its shape was chosen).

  python bench/fit_key_weights.py [--data ../shared/data] [--write] [--validate]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from analysis_accuracy import SHARED_DATA, folk_files, folk_tunes, pop909_songs
from cuecraft.corpus.chords import label_chords
from cuecraft.corpus.global_key import EVIDENCE, WEIGHTS, key_evidence
from cuecraft.corpus.key_model import ASSET, KeyScorer, fit_scorer, key_features
from cuecraft.corpus.keyfinding import KEYS
from cuecraft.corpus.modes import key_of_mode
from cuecraft.model.events import Note
from cuecraft.theory import Key


def fit(evidence: np.ndarray, truth: np.ndarray, steps: int = 3000, rate: float = 0.5, l2: float = 1e-3) -> np.ndarray:
    """Weights maximising the mean log-probability of the true key under a softmax of evidence @ weights."""
    weights = np.zeros(evidence.shape[2])
    for _ in range(steps):
        scores = evidence @ weights
        probability = np.exp(scores - scores.max(axis=1, keepdims=True))
        probability /= probability.sum(axis=1, keepdims=True)
        gradient = (evidence * probability[:, :, None]).sum(axis=1) - evidence[np.arange(len(truth)), truth]
        weights -= rate * (gradient.mean(axis=0) + l2 * weights)
    return weights


def mode_rates(found: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """The share of major and of minor pieces whose key was found (KEYS indices)."""
    right = found == truth
    minor = np.array([KEYS[t].mode == "minor" for t in truth])
    return float(right[~minor].mean()), float(right[minor].mean())


def accuracy(found: np.ndarray, truth: np.ndarray) -> str:
    minor = sum(KEYS[t].mode == "minor" for t in truth)
    major_rate, minor_rate = mode_rates(found, truth)
    return f"major {major_rate:.1%} ({len(truth) - minor}), minor {minor_rate:.1%} ({minor})"


def picks(scorer: KeyScorer, features: np.ndarray) -> np.ndarray:
    """The key (KEYS index) the scorer picks for each piece's key_features."""
    return np.array([scorer.log_probabilities(f).argmax() for f in features])


SHAPES = {"as shipped (10 members, 32 hidden, weight decay 1)": {}, "5 members": {"members": 5}, "weight decay 0.1": {"weight_decay": 0.1},
          "16 hidden, dropout 0.3": {"hidden": 16, "dropout": 0.3}, "150 epochs": {"epochs": 150}}  # fmt: skip


def validate(groups: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """Print each SHAPES scorer's accuracy (major and minor per group, and their mean) trained on one half of
    every group and scored on the other, both ways round; halves are alternate pieces."""
    for name, shape in SHAPES.items():
        rates = []
        for half in (0, 1):
            scorer = fit_scorer([(features[half::2], truth[half::2]) for features, truth in groups], **shape)
            rates += [rate for features, truth in groups for rate in mode_rates(picks(scorer, features[1 - half :: 2]), truth[1 - half :: 2])]
        print(f"validation, {name}: mean of major and minor per truth {np.mean(rates):.1%}")


def truth_set(pieces: list[tuple[list[Note], Key]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(evidence, scorer features, true key indices) of (notes, key) pieces."""
    evidence, features = [], []
    for notes, _ in pieces:
        chords = label_chords(notes)
        evidence.append(key_evidence(notes, chords))
        features.append(key_features(notes, chords, evidence[-1]))
    return np.stack(evidence), np.stack(features), np.array([KEYS.index(key) for _, key in pieces])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--write", action="store_true", help=f"save the trained scorer as {ASSET}")
    parser.add_argument("--validate", action="store_true", help="compare the scorer's shapes within the training data first")
    args = parser.parse_args()
    songs = list(pop909_songs(args.data, 1))
    odd = np.array([int(s.title) % 2 == 1 for s in songs])
    pop = truth_set([(s.notes, s.key) for s in songs])
    folk = {half: truth_set([(notes, key_of_mode(tonic, mode)) for notes, tonic, mode, _ in folk_tunes(folk_files(half))]) for half in (0, 1)}
    weights = fit(pop[0][odd], pop[2][odd])
    print("linear weights:", ", ".join(f"{name} {w:.1f}" for name, w in zip(EVIDENCE, weights)))
    groups = [(pop[1][odd], pop[2][odd]), (folk[0][1], folk[0][2])]
    if args.validate:
        validate(groups)
    scorer = fit_scorer(groups)
    if args.write:
        scorer.save(ASSET)
    shipped = KeyScorer.load(ASSET) if ASSET.exists() else scorer
    rows = {"POP909 odd (fitted)": (pop, odd), "POP909 even (held out)": (pop, ~odd),
            "folk half 0 (scorer fitted)": (folk[0], slice(None)), "folk half 1 (held out; modal tunes as the key on their tonic)": (folk[1], slice(None))}  # fmt: skip
    for name, ((evidence, features, truth), rows_of) in rows.items():
        print(f"{name}:")
        print(f"  linear, these weights: {accuracy((evidence[rows_of] @ weights).argmax(axis=1), truth[rows_of])}")
        print(f"  linear, shipped WEIGHTS: {accuracy((evidence[rows_of] @ WEIGHTS).argmax(axis=1), truth[rows_of])}")
        print(f"  scorer, this fit: {accuracy(picks(scorer, features[rows_of]), truth[rows_of])}")
        print(f"  scorer, shipped: {accuracy(picks(shipped, features[rows_of]), truth[rows_of])}")


if __name__ == "__main__":
    main()
