"""Symbolic key finding against the keys Bach chorales state (key signature + final bass)."""

import pytest

from cuecraft.corpus.evaluation import mirex_key_score, notated_key, tempo_agreement
from cuecraft.corpus.sources import music21_corpus_paths
from cuecraft.corpus.symbolic import analyse_symbolic_file
from cuecraft.theory import Key

SUBSET = 40  # the first 40 Bach files of music21's corpus, sorted by name: a fixed subset


def test_key_accuracy_on_bach_chorales() -> None:
    scored = []
    for path in music21_corpus_paths("bach", SUBSET):
        truth = notated_key(path)
        if truth is None:
            continue
        scored.append(Key.parse(analyse_symbolic_file(path).key) == truth)
    assert len(scored) >= 25
    assert sum(scored) / len(scored) >= 0.85


def test_mirex_scores() -> None:
    c = Key.parse("C major")
    assert [mirex_key_score(Key.parse(k), c) for k in ("C major", "G major", "F major", "A minor", "C minor", "D major")] == [
        1.0, 0.5, 0.5, 0.3, 0.2, 0.0,
    ]


@pytest.mark.parametrize("estimate, verdict", [(121, "match"), (240, "octave"), (60.5, "octave"), (133, "miss")])
def test_tempo_agreement(estimate: float, verdict: str) -> None:
    assert tempo_agreement(estimate, 120) == verdict
