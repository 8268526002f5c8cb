"""Catalog ingest and analysis on files the tests make, with known tempo, key, meter and instruments."""

from pathlib import Path

import pytest

from cuecraft.corpus.catalog import Catalog, PieceQuery
from cuecraft.corpus.export import export_rows
from cuecraft.corpus.ingest import ingest
from cuecraft.corpus.notation import parse_score, score_notes
from cuecraft.corpus.symbolic import analyse_symbolic_file, load_midi
from cuecraft.errors import CuecraftError
from tests.corpus_files import click_track, progression_piece, scale_piece


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """Good files of every kind beside a corrupt MIDI and a truncated WAV."""
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    scale_piece(root / "dm_strings.mid", "D minor", 72, programs=(40, 42))
    scale_piece(root / "sub" / "eb_brass.mid", "Eb major", 132, programs=(61,), drums=True)
    scale_piece(root / "waltz.mid", "G major", 180, meter=(3, 4))
    click_track(root / "clicks.wav", 120)
    (root / "broken.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\x10\x00\x90\x3c")
    good = click_track(root / "cut.wav", 100)
    data = good.read_bytes()
    (root / "truncated.wav").write_bytes(data[: len(data) // 3])
    good.unlink()
    return root


def test_symbolic_features_are_the_ones_written(folder: Path) -> None:
    f = analyse_symbolic_file(folder / "dm_strings.mid")
    assert f.key == "D minor" and f.tempo_bpm == pytest.approx(72, abs=0.01) and f.meter == "4/4"
    assert sorted(i.family for i in f.instruments) == ["strings", "strings"]
    assert f.polyphony > 3  # sustained triads plus the moving line, in two instruments
    assert f.pitch_min < f.pitch_max
    assert "D:min" in f.top_chords and "A:maj" in f.top_chords
    assert f.windows and f.windows[0].key == "D minor"
    waltz = analyse_symbolic_file(folder / "waltz.mid")
    assert waltz.meter == "3/4" and waltz.key == "G major" and waltz.tempo_bpm == pytest.approx(180, abs=0.01)


def test_ingest_skips_bad_files_with_one_line_each(folder: Path, tmp_path: Path) -> None:
    with Catalog(tmp_path / "c.db") as catalog:
        report = ingest([folder], catalog, source="test", workers=2)
        assert report.added == 4
        assert len(report.failed) == 2
        assert any("broken.mid" in line and "unreadable" in line for line in report.failed)
        assert any("truncated.wav" in line and "truncated" in line for line in report.failed)
        assert all("\n" not in line for line in report.failed)
        again = ingest([folder], catalog, source="test", workers=1)
        assert (again.added, again.duplicates) == (0, 4)


def test_audio_features(folder: Path, tmp_path: Path) -> None:
    with Catalog(tmp_path / "c.db") as catalog:
        ingest([folder / "clicks.wav"], catalog, workers=1)
        (row,) = catalog.query(PieceQuery())
    assert row["kind"] == "audio" and row["duration_s"] == pytest.approx(12.0, abs=0.01)
    assert row["tempo_bpm"] == pytest.approx(120, rel=0.04)
    assert row["loudness_lufs"] < -10
    assert row["note_density"] < 0.3 and row["key"] is None  # noise bursts: no pitched notes, no key
    assert row["chord_vocabulary"] is None


def test_audio_is_catalogued_with_timed_chords_local_keys_and_sections(tmp_path: Path) -> None:
    """A WAV of a D minor progression (i - VI - III - V, twice, on the piano) is ingested with its
    harmony heard: its home key, each chord with its numeral in the key in force, one key throughout,
    and the repeat as a restated section."""
    import soundfile

    from cuecraft.render.soundfont import find_soundfont
    from cuecraft.render.synth import Renderer

    midi = progression_piece([(2, 3), (10, 4), (5, 4), (9, 4)], tempo=120)
    audio = Renderer(find_soundfont(), 22050).render(midi, int((midi.get_end_time() + 1) * 22050))
    soundfile.write(tmp_path / "progression.wav", audio.T, 22050)
    with Catalog(tmp_path / "c.db") as catalog:
        ingest([tmp_path / "progression.wav"], catalog, workers=1)
        (row,) = catalog.query(PieceQuery())
        chords, keys, sections = catalog.chords(row["id"]), catalog.local_keys(row["id"]), catalog.sections(row["id"])
    assert row["kind"] == "audio" and row["key"] == "D minor"
    played = [n.pitch for n in midi.instruments[0].notes]
    assert (row["pitch_min"], row["pitch_max"]) == (min(played), max(played))  # heard, not overtones an octave up
    assert row["polyphony"] == pytest.approx(4.0, abs=0.6)  # a bass note under a three-note chord
    assert row["note_count"] == pytest.approx(len(played), rel=0.4)
    heard = [(c["chord"], c["numeral"]) for c in chords if c["end_beat"] - c["start_beat"] >= 2]  # a bar's chord, not a seam
    assert heard[:4] == [("D:min", "i"), ("Bb:maj", "VI"), ("F:maj", "III"), ("A:maj", "V")], heard
    assert len(heard) == 8 and heard[4:] == heard[:4]
    assert [k["key"] for k in keys] == ["D minor"]
    assert [s["label"] for s in sections][:2] == ["A", "A"]


def test_queries_filter_on_every_axis(folder: Path, tmp_path: Path) -> None:
    labels = {"dm_strings": (-1.0, -1.0), "eb_brass": (1.0, 1.0)}
    with Catalog(tmp_path / "c.db") as catalog:
        ingest([folder], catalog, source="test", labels=labels, workers=1)
        titles = lambda **kw: [r["title"] for r in catalog.query(PieceQuery(**kw))]  # noqa: E731
        assert titles(mode="minor") == ["dm_strings"]
        assert titles(tempo_min=100, tempo_max=140, labelled=True) == ["eb_brass"]
        assert titles(quadrant="low-valence-low-arousal") == ["dm_strings"]
        assert titles(family="drums") == ["eb_brass"]
        assert titles(family="brass", mode="major") == ["eb_brass"]
        assert set(titles(source="test")) == {"dm_strings", "eb_brass", "waltz", "clicks"}
        stats = catalog.stats()
        assert stats["mode"] == {"major": 2, "minor": 1}
        assert stats["quadrant"] == {"low-valence-low-arousal": 1, "high-valence-high-arousal": 1}
        rows = catalog.query(PieceQuery(mode="major"))
    csv_path = export_rows(rows, tmp_path / "major.csv")
    assert csv_path.read_text().count("\n") == 3  # header + two pieces
    import pyarrow.parquet as pq

    table = pq.read_table(export_rows(rows, tmp_path / "major.parquet"))
    assert table.num_rows == 2 and "tempo_bpm" in table.column_names


def test_labels_reach_a_piece_ingested_unlabelled_earlier(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "labelled"
    copy.mkdir()
    (copy / "renamed.mid").write_bytes((folder / "waltz.mid").read_bytes())
    with Catalog(tmp_path / "c.db") as catalog:
        ingest([folder / "waltz.mid"], catalog, workers=1)
        report = ingest([copy], catalog, labels={"renamed": (1.0, -1.0)}, workers=1)
        assert (report.added, report.duplicates, report.labelled) == (0, 1, 1)
        (row,) = catalog.query(PieceQuery(quadrant="high-valence-low-arousal"))
    assert row["title"] == "waltz"


def test_a_damaged_catalog_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CuecraftError, match="not a usable catalog"):
        Catalog(bad)


def test_dask_cluster_gives_the_same_catalog(folder: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Catalog(tmp_path / "dask.db") as catalog:
            report = ingest([folder], catalog, scheduler=cluster.scheduler_address)
            remote = {r["title"]: (r["key"], r["tempo_bpm"]) for r in catalog.query(PieceQuery())}
    with Catalog(tmp_path / "local.db") as catalog:
        ingest([folder], catalog, workers=1)
        local = {r["title"]: (r["key"], r["tempo_bpm"]) for r in catalog.query(PieceQuery())}
    assert report.added == 4 and len(report.failed) == 2
    assert remote == local


def test_corpus_commands(folder: Path, tmp_path: Path) -> None:
    from tests.test_cli import cuecraft, error_line

    db = str(tmp_path / "cli.db")
    added = cuecraft("corpus", "add", str(folder), "--catalog", db, "--source", "test")
    assert added.returncode == 0, added.stderr
    assert "added 4, duplicates 0" in added.stderr
    assert sum("skipped:" in line for line in added.stderr.splitlines()) == 2
    query = cuecraft("corpus", "query", "--catalog", db, "--mode", "minor", "--tempo", "60-90")
    assert query.returncode == 0 and "dm_strings" in query.stdout and "eb_brass" not in query.stdout
    stats = cuecraft("corpus", "stats", "--catalog", db)
    assert stats.returncode == 0 and "strings" in stats.stdout and "3/4" not in stats.stdout
    exported = cuecraft("corpus", "query", "--catalog", db, "--family", "brass", "--export", str(tmp_path / "b.csv"))
    rows = (tmp_path / "b.csv").read_text().splitlines()
    assert exported.returncode == 0 and len(rows) == 2 and ",eb_brass," in rows[1]
    bad = cuecraft("corpus", "query", "--catalog", db, "--quadrant", "sideways")
    assert bad.returncode == 2 and "unknown quadrant" in error_line(bad)


ABC_TUNE = """X:1
T:Test reel
M:3/4
L:1/8
Q:1/4=90
K:Dm
D2 F2 A2 | d2 A2 F2 | E2 G2 ^c2 | d6 | A2 F2 D2 | E2 ^C2 A,2 | D2 F2 A2 | D6 |]
"""


def test_notation_formats_are_analysed(tmp_path: Path) -> None:
    import music21

    (tmp_path / "reel.abc").write_text(ABC_TUNE)
    score = music21.converter.parse(ABC_TUNE, format="abc")
    score.write("musicxml", fp=str(tmp_path / "reel.musicxml"))
    abc = analyse_symbolic_file(tmp_path / "reel.abc")
    xml = analyse_symbolic_file(tmp_path / "reel.musicxml")
    for f in (abc, xml):
        assert f.key == "D minor" and f.meter == "3/4"
        assert f.tempo_bpm == pytest.approx(90, abs=0.5)
        assert f.note_count == 20  # 3+3+3+1 per four bars, twice
    with Catalog(tmp_path / "c.db") as catalog:
        report = ingest([tmp_path], catalog, workers=1)
    assert report.added == 2 and not report.failed


NOTE_TYPES = {1: "quarter", 4: "whole", 8: "breve"}


def _measure(number: int, notes: list[tuple[str, int]]) -> str:
    """A 4/4 measure of (pitch like 'C4' or 'r' for a rest, quarter notes) written one after another."""
    attributes = "<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>"
    body = "".join(f"<note>{'<rest/>' if name == 'r' else f'<pitch><step>{name[0]}</step><octave>{name[1]}</octave></pitch>'}"
                   f"<duration>{beats}</duration><type>{NOTE_TYPES[beats]}</type></note>" for name, beats in notes)  # fmt: skip
    return f'<measure number="{number}">{attributes if number == 1 else ""}{body}</measure>'


def test_a_measure_that_overruns_its_bar_does_not_put_its_part_out_of_step(tmp_path: Path) -> None:
    """As in several of music21's Monteverdi madrigals: a resting voice's bar holds two whole rests. A
    pickup that every part plays stays a pickup, and a bar every part plays longer (a cadenza) keeps its length."""
    parts = {"P1": [[("B4", 1)], [("C5", 4)], [("D5", 4)], [("E5", 8)], [("F5", 4)]],
             "P2": [[("r", 1)], [("C3", 4)], [("r", 4), ("r", 4)], [("G3", 8)], [("A3", 4)]]}
    xml = ('<?xml version="1.0"?><score-partwise version="3.1"><part-list>'
           + "".join(f'<score-part id="{p}"><part-name>{p}</part-name></score-part>' for p in parts) + "</part-list>"
           + "".join(f'<part id="{p}">' + "".join(_measure(i + 1, bar) for i, bar in enumerate(bars)) + "</part>"
                     for p, bars in parts.items())
           + "</score-partwise>")  # fmt: skip
    path = tmp_path / "overrun.musicxml"
    path.write_text(xml)
    onsets = {n.pitch: n.onset for n in score_notes(parse_score(path))}
    assert onsets[72] == onsets[48] == 1.0  # after the one-beat pickup
    assert onsets[76] == onsets[55] == 9.0  # G3 sounds with the top part's fourth bar, not a bar late
    assert onsets[77] == onsets[57] == 17.0  # after the eight-beat bar both parts play
    midi = load_midi(path)
    starts = {n.pitch: n.start for inst in midi.instruments for n in inst.notes}
    assert starts[55] == pytest.approx(starts[76]) and starts[57] == pytest.approx(starts[77])
