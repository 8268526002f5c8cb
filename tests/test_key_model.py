"""The learned home-key scorer: what it reads of the notes, that it hears every transposition alike,
that training it learns keys, and that the shipped one hears a minor tune's key where the linearly
weighted evidence hears its relative major."""

import numpy as np

from cuecraft.corpus.chords import label_chords
from cuecraft.corpus.global_key import find_key, home_key, key_evidence
from cuecraft.corpus.key_model import ROWS, KeyScorer, fit_scorer, key_features, pitch_rows, shipped_scorer
from cuecraft.corpus.keyfinding import KEYS
from cuecraft.model.events import Note
from cuecraft.theory import Key


def dorian_reel() -> list[Note]:
    """An A-dorian tune (the G-major scale, F# and all) that dwells on and ends on A: a folk fiddler's A minor."""
    line = [69, 71, 72, 74, 76, 74, 72, 71, 69, 67, 69, 71, 72, 71, 69, 69,
            76, 78, 79, 78, 76, 74, 72, 74, 76, 74, 72, 71, 69, 67, 69, 69]  # fmt: skip
    return [Note(i * 0.5, 0.5 if i % 16 != 15 else 1.0, pitch) for i, pitch in enumerate(line * 2)]


def transposed(notes: list[Note], shift: int) -> list[Note]:
    return [Note(n.onset, n.duration, n.pitch + shift) for n in notes]


def test_pitch_rows_read_bass_ends_and_strong_beats() -> None:
    notes = [Note(0.0, 2.0, 48), Note(0.0, 1.0, 64), Note(1.0, 1.0, 67), Note(2.0, 2.0, 43), Note(2.0, 2.0, 71)]
    rows = pitch_rows(notes, label_chords(notes))
    row = {name: rows[i] for i, name in enumerate(ROWS)}
    assert row["bass"][0] == row["bass"][7] == 0.5  # C under beats 0-1, G under beats 2-3
    assert row["final notes"][7] == row["final notes"][11] == 0.5  # the last onset's lowest (G) and highest (B)
    assert row["first bass"][0] == 1.0
    assert np.isclose(row["strong-beat time"][7], 2 / 7)  # the G struck on beat 2, not the one on beat 1
    assert np.isclose(row["sounding time"][7], 3 / 8)


def test_the_shipped_scorer_hears_every_transposition_alike() -> None:
    tune = dorian_reel()
    found = [find_key(transposed(tune, shift))[0] for shift in range(-6, 6)]
    assert len({((key.tonic - shift) % 12, key.mode) for key, shift in zip(found, range(-6, 6))}) == 1


def b_minor_reel() -> list[Note]:
    """A reel in B minor with no A sharp, whose bars run up the D-major scale and fall back onto B: the
    relative major's notes, a minor tune's cadences (modelled on a tune of O'Neill's 1850 the scorer never saw)."""
    line = [74, 69, 71, 74, 76, 78, 74, 76, 78, 69, 69, 69, 69, 66, 69, 69, 74, 69, 71, 74, 76, 78, 74, 76, 78, 71, 71, 71, 74, 69, 71, 71]
    lengths = [.5, .75, .25, .5, .5, .5, .5, .5, .5, .25, .25, .5, .5, .5, 1, .5, .5, .75, .25, .5, .5, .5, .5, .5, .5, .25, .25, .5, .5, .5, 1, .5]
    onsets = np.cumsum([0.0] + lengths * 2)
    return [Note(float(onset), length, pitch) for onset, length, pitch in zip(onsets, lengths * 2, line * 2)]


def test_the_scorer_hears_a_minor_tune_where_the_hand_weights_hear_its_relative_major() -> None:
    assert find_key(dorian_reel())[0] == Key.parse("A minor")
    reel = b_minor_reel()
    assert find_key(reel)[0] == Key.parse("B minor")
    assert home_key(key_evidence(reel, label_chords(reel)))[0] == Key.parse("D major")


def test_saved_scorer_scores_as_before(tmp_path) -> None:
    tune = dorian_reel()
    chords = label_chords(tune)
    features = key_features(tune, chords, key_evidence(tune, chords))
    shipped_scorer().save(tmp_path / "scorer.npz")
    again = KeyScorer.load(tmp_path / "scorer.npz").log_probabilities(features)
    assert np.allclose(again, shipped_scorer().log_probabilities(features))
    assert np.exp(again).sum() <= 1.0 + 1e-9 and again.argmax() == KEYS.index(Key.parse("A minor"))


def test_fitting_learns_keys_it_is_shown() -> None:
    """Tunes that end on their tonic, in eight keys, teach a scorer to name the keys of the other four."""

    def tune_in(key: Key) -> list[Note]:
        steps = [0, 2, 4, 5, 7, 9, 11] if key.mode == "major" else [0, 2, 3, 5, 7, 8, 11]
        order = [4, 2, 3, 1, 6, 5, 4, 2, 1, 3, 5, 6, 4, 2, 1, 0]
        return [Note(i * 1.0, 1.0, 60 + key.tonic + steps[degree]) for i, degree in enumerate(order)]

    def group(keys: list[Key]) -> tuple[np.ndarray, np.ndarray]:
        features = []
        for key in keys:
            notes = tune_in(key)
            chords = label_chords(notes)
            features.append(key_features(notes, chords, key_evidence(notes, chords)))
        return np.stack(features), np.array([KEYS.index(key) for key in keys])

    taught = [Key(tonic, mode) for tonic in range(8) for mode in ("major", "minor")]
    unseen = [Key(tonic, mode) for tonic in range(8, 12) for mode in ("major", "minor")]
    scorer = fit_scorer([group(taught)], members=1, hidden=8, epochs=150)
    features, truth = group(unseen)
    assert [int(scorer.log_probabilities(f).argmax()) for f in features] == list(truth)
