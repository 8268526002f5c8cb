"""Harmony analysis as timed sequences: Roman numerals in the local key, local keys that follow a
modulation, sections from repetition, all stored in the catalog."""

import csv
from pathlib import Path

import pretty_midi

from cuecraft.corpus.catalog import Catalog
from cuecraft.corpus.chords import Chord
from cuecraft.corpus.harmony_analysis import harmony_of, phrase_sections, roman_numeral
from cuecraft.corpus.symbolic import analyse_midi
from cuecraft.model.events import Note
from cuecraft.theory import Key

from tests.test_cli import cuecraft, error_line
from tests.test_harmony import block_chords


def test_numerals_name_degree_quality_and_inversion() -> None:
    c_major, c_minor = Key.parse("C major"), Key.parse("C minor")
    assert roman_numeral(Chord(7, "7"), 7, c_major) == "V7"
    assert roman_numeral(Chord(7, "7"), 11, c_major) == "V65"
    assert roman_numeral(Chord(2, "min"), 5, c_major) == "ii6"
    assert roman_numeral(Chord(0, "maj"), 7, c_major) == "I64"
    assert roman_numeral(Chord(8, "maj"), 8, c_major) == "bVI"  # borrowed from the minor
    assert roman_numeral(Chord(11, "dim"), 11, c_major) == "vii°"
    assert roman_numeral(Chord(3, "maj"), 3, c_minor) == "III"  # E flat is the minor key's own third degree
    assert roman_numeral(Chord(11, "dim"), 11, c_minor) == "#vii°"  # the raised leading tone's chord


def modulating_piece() -> list[Note]:
    """Four bars of I-IV-V7-I in C, the same again, then eight in G (each chord a bar)."""
    c = [Chord(0, "maj"), Chord(5, "maj"), Chord(7, "7"), Chord(0, "maj")]
    g = [Chord(7, "maj"), Chord(0, "maj"), Chord(2, "7"), Chord(7, "maj")]
    return block_chords(c * 2 + g * 2)


def test_harmony_is_a_timed_sequence_in_the_local_key() -> None:
    keys, chords, sections = harmony_of(modulating_piece())
    assert [k.key for k in keys] == ["C major", "G major"]
    assert abs(keys[1].start_beat - 32) <= 8
    by_start = {c.start_beat: c for c in chords}
    assert by_start[8.0].numeral == "V7" and by_start[8.0].local_key == "C major" and by_start[8.0].chord == "G:7"
    assert by_start[56.0].numeral == "V7" and by_start[56.0].local_key == "G major" and by_start[56.0].chord == "D:7"
    assert [s.label for s in sections] == ["A", "A", "B", "B"]


def test_sections_tell_restatement_variation_and_contrast() -> None:
    tune = [Note(i, 1, 60 + (0, 2, 4, 5, 7, 5, 4, 2)[i % 8]) for i in range(16)]
    varied = [Note(n.onset, n.duration, n.pitch + (1 if n.onset in (14, 15) else 0)) for n in tune]
    other = [Note(i, 1, 72 - (i % 5)) for i in range(16)]
    piece = [*tune, *(Note(n.onset + 16, 1, n.pitch) for n in tune), *(Note(n.onset + 32, 1, n.pitch) for n in other),
             *(Note(n.onset + 48, 1, n.pitch) for n in varied)]  # fmt: skip
    assert [s.label for s in phrase_sections(piece)] == ["A", "A", "B", "A'"]


def modulating_midi() -> pretty_midi.PrettyMIDI:
    """The modulating piece as a piano track at 120 bpm."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=120)
    piano = pretty_midi.Instrument(0)
    for n in modulating_piece():
        piano.notes.append(pretty_midi.Note(90, n.pitch, n.onset * 0.5, (n.onset + n.duration) * 0.5))
    midi.instruments.append(piano)
    return midi


def test_the_catalog_stores_chords_local_keys_and_sections(tmp_path: Path) -> None:
    midi = modulating_midi()
    features = analyse_midi(midi)
    with Catalog(tmp_path / "c.db") as catalog:
        piece = catalog.add(sha1="x", path="m.mid", title="m", fmt="midi", source="test", features=features)
        chords = catalog.chords(piece)
        assert [c["numeral"] for c in chords][:4] == ["I", "IV", "V7", "I"]
        assert chords[-2]["local_key"] == "G major" and chords[-2]["chord"] == "D:7"
        assert [k["key"] for k in catalog.local_keys(piece)] == ["C major", "G major"]
        assert [s["label"] for s in catalog.sections(piece)] == ["A", "A", "B", "B"]


def test_timed_harmony_is_queried_and_exported_from_the_command_line(tmp_path: Path) -> None:
    midi = modulating_midi()
    (tmp_path / "in").mkdir()
    midi.write(str(tmp_path / "in" / "modulating.mid"))
    db, out = tmp_path / "c.db", tmp_path / "chords.csv"
    assert cuecraft("corpus", "add", str(tmp_path / "in"), "--catalog", str(db)).returncode == 0
    result = cuecraft("corpus", "query", "--catalog", str(db), "--timed", "chords", "--export", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    assert [r["numeral"] for r in rows][:3] == ["I", "IV", "V7"] and rows[0]["title"] == "modulating"
    assert {r["local_key"] for r in rows} == {"C major", "G major"}
    bad = cuecraft("corpus", "query", "--catalog", str(db), "--timed", "melodies")
    assert bad.returncode == 2 and "unknown timed table" in error_line(bad)
