"""Dialogue-aware mixing: speech found in the film's sound, the score ducked under it smoothly,
the cue sheet flagged, and dialogue-gated loudness reported."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from cuecraft import scoring
from cuecraft.config import ScoreConfig
from cuecraft.deliver.package import deliver_project
from cuecraft.executors import in_background
from cuecraft.film.dialogue import detect_speech
from cuecraft.film.probe import probe_video
from cuecraft.progress import SilentProgress
from cuecraft.render.ducking import duck_curve
from cuecraft.render.mux import read_film_audio
from cuecraft.scoring import score_film
from tests.conftest import SPEECH


def test_speech_is_found_where_people_talk_and_nowhere_else(talking_film: Path, test_film) -> None:  # noqa: ANN001
    regions = detect_speech(read_film_audio(talking_film, 48000, 69 * 48000), 48000)
    assert regions
    assert all(any(s - 0.3 <= a and b <= e + 0.3 for s, e in SPEECH) for a, b in regions)
    for s, e in SPEECH:
        covered = sum(min(b, e) - max(a, s) for a, b in regions if a < e and b > s)
        assert covered >= 0.5 * (e - s)  # the voice pauses between lines
    assert detect_speech(read_film_audio(test_film[0], 48000, 69 * 48000), 48000) == []  # room tone only


def test_a_long_film_is_listened_to_beside_its_picture_and_hears_the_same(talking_film: Path, monkeypatch) -> None:  # noqa: ANN001
    film = probe_video(talking_film)
    heard = {}
    for apart in (False, True):
        monkeypatch.setattr(scoring, "LISTEN_APART_S", 0.0 if apart else 1e9)
        heard[apart] = scoring.spot_film(film, ScoreConfig(), scoring.StageClock(SilentProgress())).dialogue
    assert heard[True] == heard[False] and len(heard[True]) >= len(SPEECH) - 1


def test_background_work_gives_its_result_and_stops_when_the_caller_fails() -> None:
    with in_background(sorted, [3, 1, 2]) as result:
        assert result.get(timeout=60) == [1, 2, 3]
    started = time.monotonic()
    with pytest.raises(KeyError), in_background(time.sleep, 60):
        raise KeyError("the picture could not be read")
    assert time.monotonic() - started < 20  # stopped, not waited for


def test_the_duck_is_deep_under_speech_and_has_no_steps() -> None:
    curve = duck_curve([(2.0, 4.0)], 8 * 1000, 1000)
    assert 20 * np.log10(curve[2500:3500]).max() == pytest.approx(-10.0)
    assert curve[:1500].min() == 1.0 and curve[5000:].min() == 1.0
    assert np.abs(np.diff(curve)).max() < 0.01


def test_delivery_ducks_under_dialogue_and_reports_it(talking_film: Path, baseline_path: Path, tmp_path: Path) -> None:
    scored = score_film(talking_film, tmp_path / "scored", ScoreConfig(model="baseline", model_path=baseline_path))
    ducked = deliver_project(scored.outdir, tmp_path / "ducked")
    flat = deliver_project(scored.outdir, tmp_path / "flat", duck=False)
    a, _ = soundfile.read(ducked.outdir / "mix.wav", always_2d=True)
    b, _ = soundfile.read(flat.outdir / "mix.wav", always_2d=True)
    rms = lambda x: float(np.sqrt(np.mean(x**2)))  # noqa: E731
    inside = slice(int(13.5 * 48000), int(17.0 * 48000))
    outside = slice(int(25 * 48000), int(35 * 48000))
    drop_db = 20 * np.log10(rms(a[inside]) / rms(b[inside])) - 20 * np.log10(rms(a[outside]) / rms(b[outside]))
    assert drop_db <= -6.0
    assert np.abs(np.diff(a[:, 0])).max() < 0.5  # no step where the duck moves
    report = json.loads((ducked.outdir / "loudness.json").read_text())["dialogue"]
    assert report["ducked"] and report["duck_depth_db"] == 10.0 and len(report["regions_s"]) >= 2
    assert np.isfinite(report["dialogue_gated_lufs"]) and np.isfinite(report["program_lufs"])
    rows = {r["cue"]: r["dialogue"] for r in csv.DictReader((ducked.outdir / "cue_sheet.csv").open())}
    film = scored.project.film
    for cue in scored.project.cues:
        start, end = float(film.frames_to_seconds(cue.start_frame)), float(film.frames_to_seconds(cue.end_frame))
        talks = any(s < end and e > start for s, e in SPEECH)
        assert rows[cue.id] == ("yes" if talks else "no"), cue.id


def test_the_duck_holds_through_short_pauses_between_lines() -> None:
    curve = duck_curve([(2.0, 3.0), (3.6, 5.0)], 8 * 1000, 1000)  # a 0.6 s pause: shorter than attack + release
    assert 20 * np.log10(curve[2000:5000]).max() == pytest.approx(-10.0)
    apart = duck_curve([(2.0, 3.0), (6.0, 7.0)], 8 * 1000, 1000)
    assert apart[4500] == 1.0  # three seconds apart: the music comes back between them
