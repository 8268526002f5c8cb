"""Cue levels: each cue is set to the loudness its intensity plans (not to how loud its instruments
happen to be), and a composer's trim makes a take with the very same notes at another level, from
the service, the web API and the CLI."""

from __future__ import annotations

import subprocess
import sys

import pretty_midi
import pytest
import soundfile

from cuecraft.compose.cue_plan import intensity_for
from cuecraft.render.levels import planned_loudness
from cuecraft.render.loudness import integrated_loudness
from cuecraft.review.service import ReviewService
from cuecraft.scoring import ScoreResult
from tests.test_review import COMPOSER, client_for, finished_job


def loudness(path) -> float:  # noqa: ANN001
    audio, rate = soundfile.read(path, always_2d=True)
    return integrated_loudness(audio.T, rate)


def notes(path) -> list[tuple]:  # noqa: ANN001
    midi = pretty_midi.PrettyMIDI(str(path))
    return [(i.name, n.pitch, round(n.start, 6), round(n.end, 6), n.velocity) for i in midi.instruments for n in i.notes]


def test_each_cue_is_set_to_the_loudness_its_intensity_plans(scored: ScoreResult) -> None:
    plans = []
    for cue in (c for c in scored.project.cues if c.music):
        take = cue.takes[0]
        plans.append(planned_loudness(intensity_for(take.settings.velocity, cue.mood.valence, cue.mood.arousal)))  # valence's touch aside
        assert loudness(scored.outdir / take.audio) == pytest.approx(plans[-1], abs=1.0), cue.id  # the ring-on tail is cut
    assert max(plans) - min(plans) > 3  # the film's cues are planned at different levels


def test_a_trim_makes_a_take_with_the_same_notes_at_another_level(review_project: ReviewService) -> None:
    folder = review_project.folder
    source = review_project.project()[0].cue("1M2").takes[0]
    quieter = review_project.set_level(COMPOSER, "1M2", source.id, -6)
    assert quieter.source == f"{source.id} at -6 dB" and quieter.settings.level_db == -6
    assert notes(folder / quieter.midi) == notes(folder / source.midi)
    assert loudness(folder / quieter.audio) - loudness(folder / source.audio) == pytest.approx(-6, abs=0.05)

    composer = client_for(review_project, "clara")
    assert composer.post(f"/api/cues/1M2/takes/{quieter.id}/level", json={"db": 40}).status_code == 422
    assert client_for(review_project, "vera").post(f"/api/cues/1M2/takes/{quieter.id}/level", json={"db": 3}).status_code == 403
    status = finished_job(composer, composer.post(f"/api/cues/1M2/takes/{quieter.id}/level", json={"db": 2.5}).json()["job"])
    assert status["state"] == "done", status
    louder = review_project.project()[0].cue("1M2").takes[-1]
    assert loudness(folder / louder.audio) - loudness(folder / source.audio) == pytest.approx(2.5, abs=0.05)

    cli = [sys.executable, "-m", "cuecraft", "level", "1M2", source.id, "-p", str(folder), "--db"]
    assert subprocess.run([*cli, "-1"], capture_output=True, text=True).returncode == 0
    assert review_project.project()[0].cue("1M2").takes[-1].settings.level_db == -1
    refused = subprocess.run([*cli, "30"], capture_output=True, text=True)
    assert refused.returncode == 2 and "within ±24 dB" in refused.stderr
    review_project.set_lock(COMPOSER, "1M2", True)
    assert composer.post(f"/api/cues/1M2/takes/{source.id}/level", json={"db": 1}).status_code == 409
