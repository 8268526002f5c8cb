"""The local-key model: what it counts from analyses, that a saved model decodes as before, that it
hears every transposition alike, and what the shipped one learned from the human analyses."""

from pathlib import Path

import numpy as np

from cuecraft.corpus.chords import Chord, label_chords
from cuecraft.corpus.keyfinding import KEYS
from cuecraft.corpus.local_key_model import (FAMILIES, LocalKeyModel, chord_symbol, fit_local_key_model, note_local_keys,
                                             shipped_local_key_model)  # fmt: skip
from cuecraft.model.events import Note
from cuecraft.theory import Key

C, G, A_MINOR = Key(0, "major"), Key(7, "major"), Key(9, "minor")


def block_chords(progression: list[Chord], beats: float = 2.0, shift: int = 0) -> list[Note]:
    """Each chord held for `beats`, root in the bass, its other tones above middle C, moved up `shift` semitones."""
    return [Note(i * beats, beats, pitch + shift) for i, chord in enumerate(progression)
            for pitch in [36 + chord.root] + [60 + pc for pc in sorted(chord.pitch_classes - {chord.root})]]  # fmt: skip


def chords(names: str) -> list[Chord]:
    """'C G7 Am' as chords (a trailing 7 a dominant seventh, m minor)."""
    roots = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
    return [Chord(roots[n[0]], "min" if n.endswith("m") else "7" if n.endswith("7") else "maj") for n in names.split()]


def test_fitting_counts_chords_per_mode_and_how_often_the_key_stays() -> None:
    """Two analyses, one per group: C major (I V7 I I, then I in G major), and A minor's i V i: the
    chords' shares per mode, the stays (4 of 5 steps, groups weighing alike) and the move's interval."""
    first = [(Chord(0, "maj"), C), (Chord(7, "7"), C), (Chord(0, "maj"), C), (Chord(0, "maj"), C), (Chord(7, "maj"), G)]
    second = [(Chord(9, "min"), A_MINOR), (Chord(4, "maj"), A_MINOR), (Chord(9, "min"), A_MINOR)]
    model = fit_local_key_model([[first], [second]])
    major, minor = np.exp(model.emissions)
    assert major.argmax() == chord_symbol(Chord(0, "maj"), C) and minor.argmax() == chord_symbol(Chord(9, "min"), A_MINOR)
    assert major[chord_symbol(Chord(7, "maj"), C)] > major[chord_symbol(Chord(2, "min"), C)]  # V (and V7 as its triad) counted
    assert np.exp(model.stay) == np.float64(5 / 6)  # stays: 3 in the first analysis, 2 in the second; one change
    moves = np.exp(model.moves)
    assert moves.argmax() == np.ravel_multi_index((7, 0, 0), moves.shape)  # up a fifth, major to major
    assert moves[0, 0, 0] == moves[0, 1, 1] == 0.0  # a move to the same key is a stay


def test_a_saved_model_decodes_as_before(tmp_path: Path) -> None:
    model = shipped_local_key_model()
    model.save(tmp_path / "keys.npz")
    again = LocalKeyModel.load(tmp_path / "keys.npz")
    assert again.profile_reach == model.profile_reach and isinstance(again.stay, float)
    notes = block_chords(chords("C F G7 C Am Dm G7 C") * 2 + chords("G C D7 G Em Am D7 G") * 2)
    labelled = label_chords(notes)
    assert note_local_keys(notes, labelled, C, again) == note_local_keys(notes, labelled, C, model)


def test_every_transposition_is_heard_alike() -> None:
    """A verse in C and a passage in G with two D7-G cadences: each of the twelve transpositions gets
    the same keys, moved with it, and the passage is heard in G."""
    progression = chords("C F G7 C Am Dm G7 C") * 2 + chords("G C D7 G Em Am D7 G") * 2 + chords("C F G7 C")
    heard = []
    for shift in range(12):
        notes = block_chords(progression, shift=shift)
        keys = note_local_keys(notes, label_chords(notes), Key(shift, "major"))
        heard.append([(k.start, Key((k.key.tonic - shift) % 12, k.key.mode)) for k in keys])
    assert all(h == heard[0] for h in heard), heard
    assert [key for _, key in heard[0]] == [C, G, C], heard[0]


def test_the_shipped_model_learned_tonal_harmony_from_the_analyses() -> None:
    """What the analysts' chords say: I, then V, are a major key's commonest chords, i and V a minor
    key's (V with the raised leading tone); an analyst stays in the key from most chords to the next,
    and the commonest moves go to the relative key, the subdominant or the dominant."""
    model = shipped_local_key_model()
    major, minor = np.exp(model.emissions)
    top = lambda table: [(s // len(FAMILIES), FAMILIES[s % len(FAMILIES)]) for s in np.argsort(table)[::-1][:2]]  # noqa: E731
    assert top(major) == [(0, "maj"), (7, "maj")] and top(minor) == [(0, "min"), (7, "maj")]
    assert 0.8 < np.exp(model.stay) < 0.97
    moves = np.exp(model.moves)
    commonest = {np.unravel_index(i, moves.shape) for i in np.argsort(moves, axis=None)[::-1][:4]}
    assert commonest <= {(9, 0, 1), (3, 1, 0), (5, 0, 0), (7, 0, 0), (5, 1, 1), (7, 1, 1)}, commonest
    assert len(KEYS) == model.transitions().shape[0] == 24
