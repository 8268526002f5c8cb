"""Modes reported as modes: the key named with its mode in the analysis and in the catalog, found by
the degrees that set the modes apart, and catalogs of the previous schema brought up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from cuecraft.corpus.catalog import SCHEMA_VERSION, Catalog, PieceQuery
from cuecraft.corpus.ingest import ingest
from cuecraft.corpus.modes import key_of_mode, mode_by_its_third, mode_of, signature_tonic
from cuecraft.corpus.symbolic import analyse_midi
from cuecraft.errors import CuecraftError
from cuecraft.theory import Key

DORIAN = [0, 2, 3, 5, 7, 9, 10, 9, 7, 5, 3, 2, 0, 9, 7, 3]  # the major sixth, no leading tone
MIXOLYDIAN = [0, 2, 4, 5, 7, 9, 10, 7, 4, 5, 10, 9, 7, 4, 2, 0]  # the flat seventh
MAJOR = [0, 2, 4, 5, 7, 9, 11, 12, 11, 7, 5, 4, 2, 11, 2, 0]
HARMONIC_MINOR = [0, 2, 3, 5, 7, 8, 11, 12, 11, 8, 7, 5, 3, 2, 11, 0]
NO_THIRD_FLAT_SEVENTH = [0, 2, 5, 7, 9, 10, 9, 7, 5, 2, 0, 10, 7, 9, 2, 0]  # a fiddle tune on the open fifth
NO_THIRD_LEADING_TONE = [0, 2, 5, 7, 11, 12, 11, 7, 5, 2, 0, 11, 7, 5, 2, 0]


def drone_tune(tonic: int, steps: list[int], bars: int = 8) -> pretty_midi.PrettyMIDI:
    """A tune on the scale steps over a tonic-and-fifth drone, ending on the tonic."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=100)
    part, beat = pretty_midi.Instrument(0), 0.6
    for i, step in enumerate([steps[i % len(steps)] for i in range(bars * 4)] + [0]):
        part.notes.append(pretty_midi.Note(90, 60 + tonic + step, i * beat, (i + 0.95) * beat))
    for bar in range(bars + 1):
        part.notes += [pretty_midi.Note(70, 36 + tonic, bar * 4 * beat, (bar + 1) * 4 * beat),
                       pretty_midi.Note(70, 43 + tonic, bar * 4 * beat, (bar + 1) * 4 * beat)]  # fmt: skip
    midi.instruments.append(part)
    return midi


@pytest.mark.parametrize("tonic, steps, key, modal", [
    (2, DORIAN, "D minor", "D dorian"), (7, MIXOLYDIAN, "G major", "G mixolydian"),
    (0, MAJOR, "C major", "C major"), (9, HARMONIC_MINOR, "A minor", "A minor"),
    (9, NO_THIRD_FLAT_SEVENTH, "A minor", "A dorian"), (4, NO_THIRD_LEADING_TONE, "E major", "E major"),
])  # fmt: skip
def test_analysis_names_the_mode(tonic: int, steps: list[int], key: str, modal: str) -> None:
    features = analyse_midi(drone_tune(tonic, steps))
    assert (features.key, features.modal_key) == (key, modal)


def test_mode_is_the_scale_holding_most_note_time() -> None:
    profile = np.zeros(12)
    profile[[0, 2, 4, 7, 9]] = 4.0  # C major's pentatonic core
    profile[6], profile[5] = 2.0, 1.0  # F sharp outlasts F: lydian
    assert mode_of(profile, Key(0, "major")) == "lydian"
    profile[5] = 3.0  # F now outlasts F sharp: plain major
    assert mode_of(profile, Key(0, "major")) == "major"
    minor = np.zeros(12)
    minor[[4, 7, 11, 9]] = 4.0  # E minor's tonic triad and fourth
    minor[5], minor[6] = 2.0, 1.0  # the flat second outlasts the second: phrygian
    assert mode_of(minor, Key(4, "minor")) == "phrygian"


def test_catalog_stores_and_queries_modes(tmp_path: Path) -> None:
    for name, tonic, steps in (("dorian", 2, DORIAN), ("mixolydian", 7, MIXOLYDIAN), ("major", 0, MAJOR)):
        drone_tune(tonic, steps).write(str(tmp_path / f"{name}.mid"))
    with Catalog(tmp_path / "c.db") as catalog:
        ingest([tmp_path], catalog, workers=1)
        titles = lambda mode: sorted(r["title"] for r in catalog.query(PieceQuery(mode=mode)))  # noqa: E731
        assert titles("dorian") == ["dorian"] and titles("mixolydian") == ["mixolydian"]
        assert titles("major") == ["major", "mixolydian"] and titles("minor") == ["dorian"]  # the key's family
        assert catalog.stats()["modal"] == {"dorian": 1, "mixolydian": 1, "major": 1}
        with pytest.raises(CuecraftError, match="unknown mode"):
            catalog.query(PieceQuery(mode="hypodorian"))


def test_a_version_2_catalog_gains_the_modal_key(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Catalog(path) as catalog:
        drone_tune(2, DORIAN).write(str(tmp_path / "tune.mid"))
        ingest([tmp_path / "tune.mid"], catalog, workers=1)
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE pieces DROP COLUMN modal_key")  # as a version-2 catalog was made
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with Catalog(path) as catalog:
        (row,) = catalog.query(PieceQuery())
        assert row["key"] == "D minor" and row["modal_key"] is None  # kept, not re-analysed
        assert catalog.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        ingest([tmp_path / "tune.mid"], catalog, workers=1)  # the same file again: a duplicate, not an error


def test_the_third_names_the_family_and_without_one_the_seventh() -> None:
    profile = np.zeros(12)
    profile[[9, 11, 2, 4, 6]] = 4.0  # A, B, D, E and F sharp: no C, no C sharp
    profile[7] = 2.0  # G natural: the subtonic
    assert mode_by_its_third(profile, Key(9, "major")) == Key(9, "minor")
    profile[7], profile[8] = 0.0, 2.0  # G sharp: the leading tone
    assert mode_by_its_third(profile, Key(9, "minor")) == Key(9, "major")
    profile[0] = 1.0  # C natural alone: the minor third names minor, whatever the seventh
    assert mode_by_its_third(profile, Key(9, "major")) == Key(9, "minor")
    profile[1] = 1.0  # both thirds sound: the key stands as given
    assert mode_by_its_third(profile, Key(9, "major")) == Key(9, "major")
    assert mode_by_its_third(profile, Key(9, "minor")) == Key(9, "minor")


def test_each_mode_is_written_with_the_signature_of_its_parent_major_key() -> None:
    """A dorian, E minor and D mixolydian are written with G major's one sharp; E phrygian and F lydian with
    C major's none; E flat major with its own."""
    assert signature_tonic(9, "dorian") == 7
    assert signature_tonic(4, "minor") == 7
    assert signature_tonic(2, "mixolydian") == 7
    assert signature_tonic(4, "phrygian") == 0
    assert signature_tonic(5, "lydian") == 0
    assert signature_tonic(3, "major") == 3


def test_a_mode_is_heard_in_the_major_or_minor_key_on_its_tonic() -> None:
    assert [key_of_mode(9, mode) for mode in ("dorian", "phrygian", "minor")] == [Key(9, "minor")] * 3
    assert [key_of_mode(7, mode) for mode in ("mixolydian", "lydian", "major")] == [Key(7, "major")] * 3
