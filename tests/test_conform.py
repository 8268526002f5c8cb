"""Conform to a re-cut: one shot lengthened by 2 s, another removed. Unchanged cues keep their takes
byte for byte; the changed cue is re-fitted to its new length with its hit point on a beat."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pretty_midi
import pytest
import soundfile
import yaml

from cuecraft.conform import conform_project
from cuecraft.config import ScoreConfig
from cuecraft.film.testfilm import DEMO_SHOTS, make_test_film
from cuecraft.project import Project
from cuecraft.scoring import score_film

SHEET = [
    {"id": "1M1", "in": "00:00:00:00", "out": "00:00:10:00"},
    {"id": "1M2", "in": "00:00:10:00", "out": "00:00:29:00", "hit_points": ["00:00:21:00"]},
    {"id": "1M3", "in": "00:00:29:00", "out": "00:00:39:12"},
    {"id": "1M4", "in": "00:00:39:12", "out": "00:01:09:00", "hit_points": ["00:00:48:12", "00:00:56:00"]},
]


@pytest.fixture(scope="module")
def conformed(test_film, baseline_path: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN001, ANN201
    root = tmp_path_factory.mktemp("conform")
    sheet = root / "cues.yaml"
    sheet.write_text(yaml.safe_dump({"cues": SHEET}))
    scored = score_film(test_film[0], root / "old", ScoreConfig(model="baseline", model_path=baseline_path, cues=sheet))
    shots = list(DEMO_SHOTS)
    shots[1] = dataclasses.replace(shots[1], frames=shots[1].frames + 48)  # 2 s longer
    del shots[3]  # the shot under 1M3 is cut
    new_cut = root / "recut.mp4"
    make_test_film(new_cut, tuple(shots))
    outcomes = conform_project(scored.outdir, new_cut, root / "new")
    return scored, {o.cue: o for o in outcomes}, root / "new"


def test_unchanged_cues_keep_their_takes_byte_for_byte(conformed) -> None:  # noqa: ANN001
    scored, outcomes, new = conformed
    project = Project.load(new)
    assert outcomes["1M1"].outcome == "unchanged" and outcomes["1M4"].outcome == "unchanged"
    for cue_id, shift in (("1M1", 0), ("1M4", 48 - 252)):
        old_cue, new_cue = scored.project.cue(cue_id), project.cue(cue_id)
        assert new_cue.start_frame == old_cue.start_frame + shift and new_cue.n_frames == old_cue.n_frames
        assert new_cue.hit_points == [h + shift for h in old_cue.hit_points]
        for take in old_cue.takes:
            for relative in (take.midi, take.audio):
                assert (new / relative).read_bytes() == (scored.outdir / relative).read_bytes()


def test_the_changed_cue_is_refitted_to_the_new_cut_with_its_hit_on_a_beat(conformed) -> None:  # noqa: ANN001
    scored, outcomes, new = conformed
    project = Project.load(new)
    cue = project.cue("1M2")
    assert outcomes["1M2"].outcome == "re-fitted" and (cue.start_frame, cue.end_frame) == (240, 744)
    assert cue.hit_points == [552]  # the old cut at 21 s, now 2 s later
    take = cue.takes[0]
    assert soundfile.info(new / take.audio).frames == project.film.frames_to_samples(cue.n_frames, 48000)
    midi = pretty_midi.PrettyMIDI(str(new / take.midi))
    hit_s = float(project.film.frames_to_seconds(552 - 240))
    assert min(abs(b - hit_s) for b in midi.get_beats()) < 0.001
    assert outcomes["1M2"].bars_added >= 1  # two seconds more music
    assert cue.n_frames / 24 - 1.0 < midi.get_end_time() <= cue.n_frames / 24 + 1e-3


def test_a_cue_whose_picture_is_cut_is_dropped_and_reported(conformed) -> None:  # noqa: ANN001
    _, outcomes, new = conformed
    assert outcomes["1M3"].outcome == "removed"
    assert [c.id for c in Project.load(new).cues] == ["1M1", "1M2", "1M4"]
    report = {r["cue"]: r["outcome"] for r in json.loads((new / "conform_report.json").read_text())}
    assert report == {"1M1": "unchanged", "1M2": "re-fitted", "1M3": "removed", "1M4": "unchanged"}


def test_conform_refuses_to_write_over_the_original(conformed, tmp_path: Path) -> None:  # noqa: ANN001
    scored, _, _ = conformed
    result = subprocess.run([sys.executable, "-m", "cuecraft", "conform", str(scored.outdir), "--new-cut", str(tmp_path / "none.mp4"),
                             "-o", str(tmp_path / "x")], capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 2 and "none.mp4: no such file" in result.stderr
    same = subprocess.run([sys.executable, "-m", "cuecraft", "conform", str(scored.outdir), "--new-cut", str(scored.project.film.path),
                           "-o", str(scored.outdir)], capture_output=True, text=True)  # fmt: skip
    assert same.returncode == 2 and "into a new folder" in same.stderr


def test_an_editors_timeline_maps_old_frames_to_new(conformed, tmp_path: Path) -> None:  # noqa: ANN001
    import opentimelineio as otio

    from cuecraft.film.edit_map import map_from_timeline

    scored, _, _ = conformed
    rate = float(scored.project.film.fps)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for start, frames in ((0, 240), (504, 192)):  # keep shot 1, drop shot 2, keep shot 3
        track.append(otio.schema.Clip(name="shot", source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(frames, rate))))  # fmt: skip
    timeline = otio.schema.Timeline(name="recut")
    timeline.tracks.append(track)
    path = tmp_path / "recut.otio"
    otio.adapters.write_to_file(timeline, str(path))
    edit = map_from_timeline(path, scored.project.film)
    assert (edit.new_frame(100), edit.new_frame(300), edit.new_frame(600)) == (100, None, 336)
    assert edit.unchanged(0, 240) and edit.unchanged(504, 696) and not edit.unchanged(240, 696)
    assert edit.new_film.n_frames == 432 and edit.new_shot_starts == (240,)
