"""Symbolic key finding against the keys Bach chorales state (key signature + final bass), and the
home-key finder hearing the key a piece cadences on where its pitch profile leans elsewhere."""

import pytest

from cuecraft.corpus.chords import label_chords
from cuecraft.corpus.evaluation import mirex_key_score, notated_key, tempo_agreement
from cuecraft.corpus.global_key import EVIDENCE, find_key, key_evidence
from cuecraft.corpus.keyfinding import KEYS, estimate_key, pitch_class_profile
from cuecraft.corpus.sources import music21_corpus_paths
from cuecraft.corpus.symbolic import analyse_symbolic_file
from cuecraft.model.events import Note
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


def minor_song_on_a_major_arpeggio() -> list[Note]:
    """A minor harmony (i iv VII III VI iv V7 i, twice) under a melody that keeps to C-E-G: the
    profile leans to C major, the chords open on, cadence onto and close on A minor."""
    voicings = {"Am": (57, 60, 64), "Dm": (50, 57, 65), "G": (43, 59, 62), "C": (48, 55, 64), "F": (53, 57, 60), "E7": (52, 56, 62)}
    notes = []
    for bar, name in enumerate(["Am", "Dm", "G", "C", "F", "Dm", "E7", "Am"] * 2):
        notes += [Note(bar * 4.0, 4.0, pitch) for pitch in voicings[name]]
        notes += [Note(bar * 4.0 + i, 1.0, pitch) for i, pitch in enumerate((72, 76, 79, 76))]
    return notes


def test_the_home_key_is_the_one_the_harmony_cadences_on() -> None:
    notes = minor_song_on_a_major_arpeggio()
    assert estimate_key(pitch_class_profile((n.pitch, n.duration) for n in notes))[0] == Key.parse("C major")
    assert find_key(notes)[0] == Key.parse("A minor")
    evidence = key_evidence(notes, label_chords(notes))
    a_minor, c_major = evidence[KEYS.index(Key.parse("A minor"))], evidence[KEYS.index(Key.parse("C major"))]
    cadences, final, first = (EVIDENCE.index(name) for name in ("cadences", "final root", "first chord"))
    assert a_minor[cadences] == c_major[cadences] > 0  # E7 -> Am and G -> C twice each: the ends decide
    assert (a_minor[final], a_minor[first], c_major[final], c_major[first]) == (1, 1, 0, 0)


def test_no_notes_no_key() -> None:
    assert find_key([]) == (Key(0, "major"), 0.0)


def test_mirex_scores() -> None:
    c = Key.parse("C major")
    assert [mirex_key_score(Key.parse(k), c) for k in ("C major", "G major", "F major", "A minor", "C minor", "D major")] == [
        1.0, 0.5, 0.5, 0.3, 0.2, 0.0,
    ]


@pytest.mark.parametrize("estimate, verdict", [(121, "match"), (240, "octave"), (60.5, "octave"), (133, "miss")])
def test_tempo_agreement(estimate: float, verdict: str) -> None:
    assert tempo_agreement(estimate, 120) == verdict
