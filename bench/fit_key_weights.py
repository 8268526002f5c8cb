"""Fit the weights of the home-key finder's evidence (corpus/global_key.py) on odd-numbered POP909 songs.

A conditional logit over the 24 keys: each song's keys score evidence @ weights, and the weights
maximise the softmax likelihood of the annotated key (gradient descent, a little L2). The even-numbered
songs, the Bach chorales and the RomanText analyses stay out of the fit; bench/analysis_accuracy.py
reports on them. Prints the weights to copy into WEIGHTS and the accuracy on both halves.

  python bench/fit_key_weights.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from analysis_accuracy import pop909_songs
from cuecraft.corpus.chords import label_chords
from cuecraft.corpus.global_key import EVIDENCE, WEIGHTS, key_evidence
from cuecraft.corpus.keyfinding import KEYS


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


def accuracy(evidence: np.ndarray, truth: np.ndarray, weights: np.ndarray) -> str:
    right = (evidence @ weights).argmax(axis=1) == truth
    minor = np.array([KEYS[t].mode == "minor" for t in truth])
    return f"major {right[~minor].mean():.1%}, minor {right[minor].mean():.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args()
    songs = list(pop909_songs(args.data, 1))
    evidence = np.stack([key_evidence(s.notes, label_chords(s.notes)) for s in songs])
    truth = np.array([KEYS.index(s.key) for s in songs])
    odd = np.array([int(s.title) % 2 == 1 for s in songs])
    weights = fit(evidence[odd], truth[odd])
    print("weights:", ", ".join(f"{name} {w:.1f}" for name, w in zip(EVIDENCE, weights)))
    print(f"fitted on {odd.sum()} odd-numbered songs: {accuracy(evidence[odd], truth[odd], weights)}")
    print(f"held-out {(~odd).sum()} even-numbered songs: {accuracy(evidence[~odd], truth[~odd], weights)}")
    print(f"held-out with the shipped WEIGHTS: {accuracy(evidence[~odd], truth[~odd], WEIGHTS)}")


if __name__ == "__main__":
    main()
