"""The whole path on the demo film: cue boundaries, lengths, loudness, the muxed video."""

from pathlib import Path

import av
import numpy as np
import pretty_midi
import pytest
import soundfile

from cuecraft.project import Project
from cuecraft.render.loudness import integrated_loudness, true_peak_dbtp
from cuecraft.scoring import ScoreResult
from tests.conftest import ONE_CUE_PER_SHOT


def test_cue_boundaries_are_the_cuts(scored: ScoreResult, test_film: tuple[Path, list[int]]) -> None:
    cuts = test_film[1]
    boundaries = [c.start_frame for c in scored.project.cues[1:]]
    assert len(boundaries) == len(cuts)
    assert all(abs(b - c) <= 1 for b, c in zip(boundaries, cuts))


def test_every_take_is_exactly_its_cue_long(scored: ScoreResult) -> None:
    film = scored.project.film
    for cue in scored.project.cues:
        take = cue.takes[0]
        cue_seconds = float(film.frames_to_seconds(cue.n_frames))
        info = soundfile.info(scored.outdir / take.audio)
        assert info.samplerate == 48000
        assert abs(info.frames / info.samplerate - cue_seconds) < 0.010, cue.id
        midi = pretty_midi.PrettyMIDI(str(scored.outdir / take.midi))
        assert cue_seconds - 1.0 < midi.get_end_time() <= cue_seconds + 1e-3, cue.id
        assert midi.get_tempo_changes()[1].tolist() == pytest.approx([cue.settings.tempo], abs=0.01)


def test_score_is_the_film_long_and_at_the_loudness_target(scored: ScoreResult) -> None:
    film = scored.project.film
    audio, rate = soundfile.read(scored.outdir / "score.wav", always_2d=True)
    assert abs(len(audio) / rate - film.duration_s) < 1 / float(film.fps)
    assert integrated_loudness(audio.T, rate) == pytest.approx(-24.0, abs=0.5)
    assert true_peak_dbtp(audio.T) <= -1.0 + 0.05  # 24-bit quantization may add a hair


def test_scored_video_carries_the_score(scored: ScoreResult) -> None:
    film = scored.project.film
    with av.open(str(scored.outdir / "scored.mp4")) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert audio.codec_context.name == "aac" and audio.rate == 48000
        audio_seconds = float(audio.duration * audio.time_base)
        assert abs(audio_seconds - film.duration_s) < 0.05  # AAC frames are 21 ms
        assert video.frames == film.n_frames  # the picture is copied, not re-encoded or trimmed


def test_project_file_round_trips(scored: ScoreResult) -> None:
    loaded = Project.load(scored.outdir)
    assert loaded == scored.project
    assert loaded.themes and loaded.themes[0].notes
    assert {c.settings.key for c in loaded.cues} <= {loaded.home_key, "F major", "D minor"}


def test_an_interrupted_score_resumes_without_redoing_finished_cues(tmp_path: Path, test_film, baseline_path: Path,
                                                                      scored: ScoreResult, monkeypatch) -> None:  # fmt: skip
    import cuecraft.scoring as scoring
    from cuecraft.config import ScoreConfig

    config = ScoreConfig(model="baseline", model_path=baseline_path, **ONE_CUE_PER_SHOT)
    out = tmp_path / "out"
    real_render, rendered = scoring.render_cue, []

    def render_then_die(renderer, film, cue, midi, settings):  # noqa: ANN001, ANN202
        if len(rendered) == 3:
            raise KeyboardInterrupt  # as if the user pressed Ctrl-C during the fourth cue
        rendered.append(cue.id)
        return real_render(renderer, film, cue, midi, settings)

    monkeypatch.setattr(scoring, "render_cue", render_then_die)
    with pytest.raises(KeyboardInterrupt):
        scoring.score_film(test_film[0], out, config)
    assert not (out / "project.json").exists() and not (out / "score.wav").exists()
    monkeypatch.setattr(scoring, "render_cue", real_render)
    composed, real_write = [], scoring.compose_cue
    monkeypatch.setattr(scoring, "compose_cue", lambda *a, **k: composed.append(1) or real_write(*a, **k))
    result = scoring.score_film(test_film[0], out, config)
    assert len(composed) == len(result.project.cues) - 3
    for cue in result.project.cues:  # the resumed score is the one an uninterrupted run writes
        resumed, _ = soundfile.read(out / cue.takes[0].audio)
        whole, _ = soundfile.read(scored.outdir / cue.takes[0].audio)
        assert np.array_equal(resumed, whole), cue.id


def test_a_cue_rings_on_past_its_out_point_and_fades_into_the_next(scored: ScoreResult) -> None:
    from cuecraft.render.soundfont import find_soundfont
    from cuecraft.render.synth import Renderer
    from cuecraft.takes import TAIL_SECONDS, render_cue, take_audio

    film, cue = scored.project.film, scored.project.cues[0]
    midi = pretty_midi.PrettyMIDI(str(scored.outdir / cue.takes[0].midi))
    mixed = render_cue(Renderer(find_soundfont(), 48000), film, cue, midi, cue.settings)
    n = film.frames_to_samples(cue.n_frames, 48000)
    tail = round(TAIL_SECONDS * 48000)
    assert mixed.shape[1] == n + tail
    level = lambda a: float(np.sqrt(np.mean(a**2)))  # noqa: E731
    assert level(mixed[:, n : n + 4800]) > 1e-4  # the last chord still sounds after the out point
    assert level(mixed[:, -4800:]) < 0.05 * level(mixed[:, n : n + 4800])  # and has faded out by the tail's end
    take, _ = soundfile.read(scored.outdir / cue.takes[0].audio, always_2d=True)
    assert np.allclose(take_audio(mixed, film, cue, 48000).T[:-480], take[:-480], atol=1e-6)  # the take is the mix audio, cut


def test_cues_composed_on_a_dask_cluster_give_the_same_score(tmp_path: Path, test_film, baseline_path: Path, scored: ScoreResult) -> None:  # noqa: ANN001
    """Cues as tasks on a dask.distributed cluster (a LocalCluster of two worker processes): every
    take and the mixed score are the ones the single-process run wrote, byte for byte."""
    from distributed import LocalCluster

    from cuecraft.config import ScoreConfig
    from cuecraft.scoring import score_film

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        config = ScoreConfig(model="baseline", model_path=baseline_path, scheduler=cluster.scheduler_address, **ONE_CUE_PER_SHOT)
        spread = score_film(test_film[0], tmp_path / "out", config)
    cues = [c for c in scored.project.cues if c.music]
    assert len(cues) >= 5
    for here, there in zip(cues, (c for c in spread.project.cues if c.music)):
        assert (spread.outdir / there.takes[0].midi).read_bytes() == (scored.outdir / here.takes[0].midi).read_bytes()
        assert (spread.outdir / there.takes[0].audio).read_bytes() == (scored.outdir / here.takes[0].audio).read_bytes()
    assert (spread.outdir / "score.wav").read_bytes() == (scored.outdir / "score.wav").read_bytes()


def test_long_scores_are_composed_on_every_core_short_ones_here() -> None:
    from cuecraft.executors import cores
    from cuecraft.scoring import AUTO_WORKERS_MIN_MUSIC_S, auto_workers

    assert auto_workers(AUTO_WORKERS_MIN_MUSIC_S / 10) == 1  # a short film: starting workers would cost more than it saves
    assert auto_workers(AUTO_WORKERS_MIN_MUSIC_S) == cores() >= 1
