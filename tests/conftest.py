"""Shared fixtures: a synthetic film with known cuts, a baseline trained on a VGMIDI subset, one scored run."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from cuecraft.config import ScoreConfig
from cuecraft.film.testfilm import DEMO_SHOTS, make_test_film
from cuecraft.model.baseline import MarkovBaseline, train_baseline
from cuecraft.model.checkpoint import load_model
from cuecraft.model.loading import SHIPPED_TRANSFORMER
from cuecraft.model.sampling import TransformerComposer
from cuecraft.scoring import ScoreResult, score_film

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CUECRAFT_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def vgmidi_labelled() -> Path:
    folder = DATA / "vgmidi" / "labelled_midi"
    if not folder.is_dir():
        pytest.skip(f"VGMIDI data not found at {folder} (set CUECRAFT_DATA)")
    return folder


@pytest.fixture(scope="session")
def baseline_path(tmp_path_factory: pytest.TempPathFactory, vgmidi_labelled: Path) -> Path:
    """A baseline trained on the 204 labelled VGMIDI pieces (a few seconds), saved to disk."""
    path = tmp_path_factory.mktemp("model") / "baseline.npz"
    train_baseline([vgmidi_labelled], max_order=4).save(path)
    return path


@pytest.fixture(scope="session")
def baseline(baseline_path: Path) -> MarkovBaseline:
    return MarkovBaseline.load(baseline_path)


@pytest.fixture(scope="session")
def transformer() -> TransformerComposer:
    """The transformer shipped in the package."""
    return TransformerComposer(*load_model(SHIPPED_TRANSFORMER))


@pytest.fixture(scope="session")
def test_film(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    """The demo film (69 s, 24 fps, seven shots) and the frames where its cuts are."""
    path = tmp_path_factory.mktemp("film") / "film.mp4"
    return path, make_test_film(path, DEMO_SHOTS)


SPEECH = ((12.0, 18.0), (40.0, 44.5))  # where people talk in the talking film (seconds)


@pytest.fixture(scope="session")
def voice() -> np.ndarray:
    """Two spoken lines of the Sintel trailer (examples/, CC BY 3.0: © Blender Foundation) as one mono
    48 kHz recording: a real voice (with the trailer's music under it) for the synthetic films."""
    from cuecraft.render.mux import read_film_audio

    rate = 48000
    mono = read_film_audio(REPO / "examples" / "sintel_trailer.mp4", rate, 21 * rate).mean(axis=0)
    lines = [mono[round(a * rate) : round(b * rate)] for a, b in ((11.85, 14.23), (18.09, 19.87))]
    return np.concatenate([lines[0], np.zeros(round(0.3 * rate), dtype=mono.dtype), lines[1]]).astype(np.float32)


@pytest.fixture(scope="session")
def talking_film(tmp_path_factory: pytest.TempPathFactory, voice: np.ndarray) -> Path:
    """The demo film with someone speaking during SPEECH."""
    path = tmp_path_factory.mktemp("talk") / "talk.mp4"
    make_test_film(path, DEMO_SHOTS, speech=SPEECH, voice=voice)
    return path


@pytest.fixture(scope="session")
def scored(tmp_path_factory: pytest.TempPathFactory, test_film: tuple[Path, list[int]], baseline_path: Path) -> ScoreResult:
    out = tmp_path_factory.mktemp("scored") / "out"
    return score_film(test_film[0], out, ScoreConfig(model="baseline", model_path=baseline_path, **ONE_CUE_PER_SHOT))


ONE_CUE_PER_SHOT = {"min_cue_s": 6.0, "mood_turn": 0.0, "music_density": 1.0}  # the demo film: seven shots, seven scenes, seven cues

PASSWORD = "correct horse battery"
ROLES = {"clara": "composer", "dan": "director", "vera": "viewer"}


@pytest.fixture()
def review_project(scored: ScoreResult, tmp_path: Path, baseline_path: Path):  # noqa: ANN201
    """A copy of the scored demo project under review, with a composer, a director and a viewer."""
    import shutil

    from cuecraft.review.auth import add_user
    from cuecraft.review.service import ReviewService

    folder = tmp_path / "project"
    shutil.copytree(scored.outdir, folder, ignore=shutil.ignore_patterns(".takes-cache"))
    service = ReviewService(folder, composer=lambda: MarkovBaseline.load(baseline_path))
    for name, role in ROLES.items():
        add_user(service.store, name, role, PASSWORD)
    return service
