"""Real films in: B-frame H.264 (x264's defaults), 29.97 fps with drop-frame timecode, VP9 WebM, ProRes
QuickTime, 5.1 sound, a phone's variable frame rate and no sound at all — each probed, spotted on its
cut frame-exactly, scored, and laid back into a video with the right streams."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile

from cuecraft.config import ScoreConfig
from cuecraft.film.probe import probe_video
from cuecraft.film.testfilm import ShotSpec, make_test_film
from cuecraft.project import FilmInfo
from cuecraft.scoring import score_film

SHOTS = (ShotSpec(96, (200, 60, 40), 1.0), ShotSpec(120, (30, 60, 160), 0.3))
KINDS = {
    "bframes.mp4": {"b_frames": True},
    "ntsc.mp4": {"fps": Fraction(30000, 1001)},
    "vp9.webm": {},
    "prores.mov": {},
    "surround.mp4": {"layout": "5.1"},
    "phone.mp4": {"fps": 30, "variable_rate": True},
    "silent.mkv": {"with_audio": False},
}
VIDEO_CODEC = {"bframes.mp4": "h264", "ntsc.mp4": "h264", "vp9.webm": "vp9", "prores.mov": "prores", "surround.mp4": "h264",
               "phone.mp4": "h264", "silent.mkv": "h264"}  # fmt: skip


@pytest.mark.parametrize("name", list(KINDS))
def test_each_kind_of_film_is_scored_frame_exactly(name: str, tmp_path: Path, baseline_path: Path) -> None:
    path = tmp_path / name
    (cut,) = make_test_film(path, SHOTS, **KINDS[name])
    film = probe_video(path)
    fps = Fraction(KINDS[name].get("fps", 24))
    assert film.fps == fps and film.n_frames == 216
    assert film.variable_rate == KINDS[name].get("variable_rate", False)
    assert film.audio_channels == (0 if name == "silent.mkv" else 6 if name == "surround.mp4" else 2)
    config = ScoreConfig(model="baseline", model_path=baseline_path, min_cue_s=3.0, mood_turn=0.0, music_density=1.0)
    result = score_film(path, tmp_path / "out", config)
    cues = result.project.cues
    assert [c.start_frame for c in cues][0] == 0 and cues[-1].end_frame == film.n_frames
    assert abs(cues[1].start_frame - cut) <= (1 if film.variable_rate else 0)  # on the cut (a phone's jitter: within a frame)
    for cue in cues:
        info = soundfile.info(result.outdir / cue.takes[0].audio)
        assert abs(info.frames - film.frames_to_samples(cue.n_frames, 48000)) <= 1
    with av.open(str(result.video)) as scored:
        video, (audio,) = scored.streams.video[0], scored.streams.audio
        assert video.codec_context.name == VIDEO_CODEC[name]  # the picture is copied, not re-encoded
        assert audio.codec_context.channels == (6 if name == "surround.mp4" else 2)
        assert float(scored.duration / 1e6) == pytest.approx(film.duration_s, abs=0.1)
    assert result.video.suffix == (".mov" if name == "prores.mov" else ".mp4")


def test_surround_keeps_its_dialogue_centre(tmp_path: Path, baseline_path: Path, voice: np.ndarray) -> None:
    path = tmp_path / "surround.mp4"
    make_test_film(path, SHOTS, layout="5.1", speech=((2.0, 6.0),), voice=voice)
    config = ScoreConfig(model="baseline", model_path=baseline_path, min_cue_s=3.0)
    result = score_film(path, tmp_path / "out", config)
    from cuecraft.render.mux import read_film_audio

    before = read_film_audio(path, 48000, 9 * 48000, keep_layout=True)
    after = read_film_audio(result.video, 48000, 9 * 48000, keep_layout=True)
    rms = lambda x: float(np.sqrt(np.mean(x**2)))  # noqa: E731
    assert rms(after[2] - before[2]) < 0.1 * rms(before[2])  # the centre (dialogue) untouched, but for the codec
    assert rms(after[:2] - before[:2]) > 3 * rms(after[2] - before[2])  # the score is in the front pair


def test_drop_frame_timecode_keeps_to_the_clock() -> None:
    ntsc = FilmInfo(path="x", n_frames=10**6, fps_num=30000, fps_den=1001, width=2, height=2)
    assert ntsc.timecode(1800) == "00:01:00;02" and ntsc.timecode(17982) == "00:10:00;00"
    assert ntsc.timecode(107892) == "01:00:00;00"  # an hour of frames at 29.97 is labelled one hour
    assert all(ntsc.frames_at(ntsc.timecode(n)) == n for n in range(0, 120000, 37))
    with pytest.raises(ValueError, match="drop-frame"):
        ntsc.frames_at("00:01:00;00")  # that label does not exist
    fast = FilmInfo(path="x", n_frames=10**6, fps_num=60000, fps_den=1001, width=2, height=2)
    assert fast.timecode(3600) == "00:01:00;04" and all(fast.frames_at(fast.timecode(n)) == n for n in range(0, 240000, 41))
    assert FilmInfo(path="x", n_frames=10, fps_num=25, width=2, height=2).timecode(25 * 61 + 3) == "00:01:01:03"


def test_a_loud_moment_in_the_films_sound_does_not_turn_the_whole_score_down(tmp_path: Path) -> None:
    """A shout at full scale in the production sound under a score at -12 dBFS: the sum passes full scale
    there and is limited there; elsewhere score and sound keep their level (the whole film used to be
    scaled down by the loudest moment's peak)."""
    from cuecraft.render.mux import mux_score, read_film_audio

    rate = 48000
    shout = (0.98 * np.sin(2 * np.pi * 300 * np.arange(rate) / rate)).astype(np.float32)
    film = tmp_path / "shout.mp4"
    make_test_film(film, SHOTS, speech=((1.0, 2.0),), voice=shout)
    n = round(float(probe_video(film).duration_s) * rate)
    t = np.arange(n) / rate
    score = np.stack([0.25 * np.sin(2 * np.pi * 440 * t)] * 2).astype(np.float32)
    soundfile.write(tmp_path / "score.wav", score.T, rate, subtype="FLOAT")
    scored = mux_score(film, tmp_path / "score.wav", tmp_path)
    before, after = read_film_audio(film, rate, n), read_film_audio(scored, rate, n)
    rms = lambda x: float(np.sqrt(np.mean(x**2)))  # noqa: E731
    quiet = slice(4 * rate, 8 * rate)
    assert 20 * np.log10(rms(after[:, quiet]) / rms(before[:, quiet] + score[:, quiet])) == pytest.approx(0.0, abs=0.3)
    assert np.abs(after[:, rate : 2 * rate]).max() < 10 ** (-0.5 / 20)  # the shout with the score on it: held under full scale


def test_sound_encoded_in_stretches_at_once_splices_as_one_encoders(tmp_path: Path) -> None:
    """The scored film's sound encoded by two processes and spliced: bit for bit one encoder's up to the
    join, and at the join and after it as close to the uncoded sound as one encoder gets."""
    from cuecraft.render.mux import AAC_FRAME, LAID_IN_CEILING_DBTP, lay_in, limited, mux_score, read_film_audio

    rate = 48000
    film = tmp_path / "film.mp4"
    make_test_film(film, SHOTS, speech=((3.0, 6.0),), voice=(0.5 * np.sin(2 * np.pi * 200 * np.arange(rate) / rate)).astype(np.float32))
    n = round(float(probe_video(film).duration_s) * rate)
    t = np.arange(n) / rate
    score = np.stack([0.3 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(2 * np.pi * 0.7 * t)), 0.2 * np.sin(2 * np.pi * 660 * t)])
    score = (score + np.random.default_rng(5).normal(0, 0.03, score.shape)).astype(np.float32)  # broadband, as music is
    soundfile.write(tmp_path / "score.wav", score.T, rate, subtype="FLOAT")
    (tmp_path / "one").mkdir(), (tmp_path / "two").mkdir()
    one = read_film_audio(mux_score(film, tmp_path / "score.wav", tmp_path / "one", workers=1), rate, n)
    two = read_film_audio(mux_score(film, tmp_path / "score.wav", tmp_path / "two", workers=2), rate, n)
    uncoded = np.concatenate(list(limited(iter([lay_in(score, read_film_audio(film, rate, n))]), rate, LAID_IN_CEILING_DBTP)), axis=1)
    join = n // 2 // AAC_FRAME * AAC_FRAME
    assert np.array_equal(one[:, : join - 2048], two[:, : join - 2048])
    for part in (slice(join - 8192, join + 8192), slice(join + 8192, n)):
        snr = lambda coded: 10 * np.log10(np.sum(uncoded[:, part] ** 2) / np.sum((coded[:, part] - uncoded[:, part]) ** 2))  # noqa: E731, B023
        assert snr(two) == pytest.approx(snr(one), abs=1.0) and snr(one) > 20
