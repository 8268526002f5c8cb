"""Delivery: stems that sum to the mix, loudness to spec, cue files, OTIO/EDL, cue sheet, timeline import."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import mido
import music21
import numpy as np
import opentimelineio as otio
import pretty_midi
import pytest
import soundfile

from cuecraft.deliver.edit_import import cues_from_edit
from cuecraft.deliver.midi_files import count_notes
from cuecraft.deliver.package import Delivery, deliver_project
from cuecraft.errors import CuecraftError
from cuecraft.project import Project
from cuecraft.render.loudness import integrated_loudness, loudness_range, true_peak_dbtp
from cuecraft.scoring import ScoreResult


@pytest.fixture(scope="module")
def delivered(scored: ScoreResult, tmp_path_factory: pytest.TempPathFactory) -> Delivery:
    return deliver_project(scored.outdir, tmp_path_factory.mktemp("delivery") / "out")


def read(path: Path) -> np.ndarray:
    audio, rate = soundfile.read(path, always_2d=True)
    assert rate == 48000 and soundfile.info(path).subtype == "PCM_24"
    return audio.T


def test_stems_are_film_long_and_sum_to_the_mix(delivered: Delivery, scored: ScoreResult) -> None:
    mix = read(delivered.outdir / "mix.wav")
    film = scored.project.film
    assert mix.shape[1] == film.frames_to_samples(film.n_frames, 48000)
    stems = [read(delivered.outdir / "stems" / f"{name}.wav") for name in delivered.stems]
    assert len(stems) >= 2 and all(s.shape == mix.shape for s in stems)
    residual = np.max(np.abs(sum(stems) - mix))
    assert 20 * np.log10(residual + 1e-12) < -60
    assert all(np.max(np.abs(s)) > 1e-3 for s in stems)  # no silent stem delivered


def test_mix_meets_the_loudness_spec_and_the_report_says_so(delivered: Delivery) -> None:
    mix = read(delivered.outdir / "mix.wav")
    assert integrated_loudness(mix, 48000) == pytest.approx(-24.0, abs=0.5)
    assert true_peak_dbtp(mix) <= -2.0 + 0.05
    report = json.loads((delivered.outdir / "loudness.json").read_text())
    assert report["meets_spec"] is True and report["preset"]["true_peak_dbtp"] == -2.0
    assert report["measured"]["loudness_range_lu"] == pytest.approx(loudness_range(mix, 48000), abs=0.1)


def test_loudness_range_of_a_step_is_the_step() -> None:
    rate = 8000
    t = np.arange(20 * rate) / rate
    tone = np.sin(2 * np.pi * 1000 * t)
    level = np.where(t < 10, 0.05, 0.5)  # 20 dB apart, 10 s each
    assert loudness_range(np.stack([tone * level] * 2), rate) == pytest.approx(20.0, abs=1.0)


def test_cue_midi_has_markers_at_the_hit_points_and_musicxml_keeps_every_note(delivered: Delivery, scored: ScoreResult) -> None:
    film = scored.project.film
    for cue in scored.project.cues:
        path = delivered.outdir / "cues" / f"{cue.id}.mid"
        file = mido.MidiFile(str(path))
        markers, tick = [], 0
        for message in file.tracks[0]:
            tick += message.time
            if message.type == "marker":
                markers.append(tick)
        midi = pretty_midi.PrettyMIDI(str(path))
        expected = [0.0] + [float(film.frames_to_seconds(h - cue.start_frame)) for h in cue.hit_points]
        assert [midi.tick_to_time(t) for t in markers] == pytest.approx(expected, abs=1e-3)
        notes = sum(len(i.notes) for i in midi.instruments)
        xml = music21.converter.parse(str(delivered.outdir / "cues" / f"{cue.id}.musicxml"))
        assert count_notes(xml) == notes, cue.id


def test_cue_sheet_rows_match_the_cues(delivered: Delivery, scored: ScoreResult) -> None:
    film = scored.project.film
    rows = list(csv.DictReader((delivered.outdir / "cue_sheet.csv").open()))
    cues = [c for c in scored.project.cues if c.music]
    assert [r["cue"] for r in rows] == [c.id for c in cues]
    for row, cue in zip(rows, cues):
        assert float(row["duration_s"]) == pytest.approx(float(film.frames_to_seconds(cue.n_frames)), abs=1e-3)
        assert row["in"] == film.timecode(cue.start_frame) and "AI assistance" in row["ai_assistance"]


def test_otio_round_trip_has_a_clip_per_cue_on_every_track(delivered: Delivery, scored: ScoreResult) -> None:
    timeline = otio.adapters.read_from_file(str(delivered.outdir / "timeline.otio"))
    film = scored.project.film
    audio = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio]
    assert [t.name for t in audio] == ["score mix", *delivered.stems]
    for track in audio:
        clips = list(track.find_clips())
        assert [c.name for c in clips] == [c.id for c in scored.project.cues if c.music]
        for clip, cue in zip(clips, scored.project.cues):
            placed = clip.range_in_parent()
            assert placed.start_time.value == cue.start_frame and placed.duration.value == cue.n_frames
            assert clip.source_range.start_time.to_seconds() == pytest.approx(float(film.frames_to_seconds(cue.start_frame)))
    assert timeline.tracks[0].kind == otio.schema.TrackKind.Video


def test_edl_and_otio_import_back_as_the_same_cues(delivered: Delivery, scored: ScoreResult) -> None:
    film = scored.project.film
    expected = [(c.id, film.timecode(c.start_frame), film.timecode(c.end_frame)) for c in scored.project.cues if c.music]
    for name in ("timeline.otio", "timeline.edl"):
        sheet = cues_from_edit(delivered.outdir / name, film)
        assert [(c.id, c.start, c.end) for c in sheet.cues] == expected, name


def test_picture_cuts_and_markers_of_an_edit_become_cues_and_hit_points(scored: ScoreResult, tmp_path: Path) -> None:
    film = scored.project.film
    rate = float(film.fps)
    timeline = otio.schema.Timeline(name="edit")
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for frames in (48, 120, 96, 300):  # 2 s, 5 s, 4 s, 12.5 s shots
        track.append(otio.schema.Clip(name="shot", source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(frames, rate))))  # fmt: skip
    track[3].markers.append(otio.schema.Marker(name="door slam", marked_range=otio.opentime.TimeRange(otio.opentime.RationalTime(60, rate))))
    timeline.tracks.append(track)
    path = tmp_path / "edit.otio"
    otio.adapters.write_to_file(timeline, str(path))
    sheet = cues_from_edit(path, film, min_cue_s=6.0)
    assert [(c.start, c.end) for c in sheet.cues] == [(film.timecode(0), film.timecode(168)), (film.timecode(168), film.timecode(564))]
    assert sheet.cues[0].hit_points == [film.timecode(48)]
    assert sheet.cues[1].hit_points == [film.timecode(264), film.timecode(324)]  # the inner cut and the marker


def test_a_failed_delivery_leaves_the_earlier_one_untouched(delivered: Delivery, scored: ScoreResult, tmp_path: Path) -> None:
    before = (delivered.outdir / "mix.wav").read_bytes()
    with pytest.raises(CuecraftError, match="unknown loudness preset"):
        deliver_project(scored.outdir, delivered.outdir, preset="cinema-9000")
    project = Project.load(scored.outdir)
    broken = tmp_path / "broken"
    broken.mkdir()
    project.model_copy(update={"film": project.film.model_copy(update={"path": str(tmp_path / "gone.mp4")})}).save(broken)
    with pytest.raises(CuecraftError, match="film is missing"):
        deliver_project(broken, delivered.outdir)
    assert (delivered.outdir / "mix.wav").read_bytes() == before


def test_deliver_and_import_timeline_from_the_command_line(delivered: Delivery, scored: ScoreResult, tmp_path: Path) -> None:
    run = [sys.executable, "-m", "cuecraft"]
    bad = subprocess.run([*run, "deliver", str(scored.outdir), "-o", str(tmp_path / "d"), "--preset", "loud"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == ["error: loud: unknown loudness preset (one of: default, ebu-r128, atsc-a85, netflix, streaming-music)"]
    sheet = tmp_path / "cues.yaml"
    ok = subprocess.run([*run, "import-timeline", str(delivered.outdir / "timeline.otio"), "--film", scored.project.film.path, "-o", str(sheet)],
                        capture_output=True, text=True)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert sheet.read_text().count("id: 1M") == sum(c.music for c in scored.project.cues)
