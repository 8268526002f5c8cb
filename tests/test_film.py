from pathlib import Path

import pytest

from cuecraft.film.mood import mood_from_picture
from cuecraft.film.picture import read_picture
from cuecraft.film.probe import probe_video
from cuecraft.film.scenes import find_scenes
from cuecraft.film.testfilm import DEMO_SHOTS, ShotSpec, make_test_film
from cuecraft.project import FilmInfo, PictureFeatures


def test_probe_reports_the_film_as_made(test_film: tuple[Path, list[int]]) -> None:
    info = probe_video(test_film[0])
    assert info.n_frames == sum(s.frames for s in DEMO_SHOTS)
    assert info.fps == 24 and (info.width, info.height) == (320, 180)
    assert info.has_audio
    assert info.duration_s == pytest.approx(info.n_frames / 24)


def test_shot_starts_match_the_known_cuts_within_one_frame(test_film: tuple[Path, list[int]]) -> None:
    path, cuts = test_film
    starts = read_picture(probe_video(path)).shot_starts
    assert starts[0] == 0
    assert len(starts) - 1 == len(cuts)
    assert all(abs(found - cut) <= 1 for found, cut in zip(starts[1:], cuts))


def test_shots_of_distinct_look_are_scenes_that_tile_the_film(test_film: tuple[Path, list[int]]) -> None:
    path, cuts = test_film
    film = probe_video(path)
    reading = read_picture(film)
    scenes = find_scenes(film, reading.shot_starts, reading.stats)
    assert scenes[0].start_frame == 0 and scenes[-1].end_frame == film.n_frames
    assert all(a.end_frame == b.start_frame for a, b in zip(scenes, scenes[1:]))
    # the shots differ strongly in look, so every cut opens a scene
    assert len(scenes) - 1 == len(cuts)
    assert all(abs(s.start_frame - cut) <= 1 and s.opening == "change of look" for s, cut in zip(scenes[1:], cuts))


def test_alike_shots_share_a_scene_and_short_scenes_join_a_neighbour() -> None:
    film = FilmInfo(path="x", n_frames=240, fps_num=24, width=2, height=2)

    class Flat:
        frames = list(range(0, 240, 4))

        def window(self, start: int, end: int) -> dict[str, float]:
            return {"brightness": 0.5, "saturation": 0.5, "warmth": 0.0, "motion": 0.1}

    scenes = find_scenes(film, [0, 48, 96, 200], Flat())  # type: ignore[arg-type]
    assert [(s.start_frame, s.end_frame) for s in scenes] == [(0, 240)]
    assert scenes[0].shot_starts == (0, 48, 96, 200)


def test_picture_mood_follows_brightness_and_motion() -> None:
    base = dict(saturation=0.4, warmth=0.0, cut_rate=8.0)
    bright_still = mood_from_picture(PictureFeatures(brightness=0.85, motion=0.02, **base))
    dark_fast = mood_from_picture(PictureFeatures(brightness=0.15, motion=0.40, **base))
    assert bright_still.valence > 0.5 > -0.5 > dark_fast.valence
    assert dark_fast.arousal > 0.5 > -0.3 > bright_still.arousal
    assert dark_fast.intensity > bright_still.intensity


def test_timecode_is_smpte_non_drop() -> None:
    film = FilmInfo(path="x", n_frames=100000, fps_num=24, width=2, height=2)
    assert film.timecode(0) == "00:00:00:00"
    assert film.timecode(24 * 3661 + 5) == "01:01:01:05"
    assert film.frames_to_samples(1, 48000) == 2000


def test_h264_with_b_frames_is_read_as_constant_rate() -> None:
    """The Sintel trailer (x264, B-frames: packets arrive out of presentation order) is 24 fps constant."""
    import av

    from tests.conftest import DATA

    film = DATA.parent / "films" / "sintel_trailer.mp4"
    if not film.is_file():
        pytest.skip("Sintel trailer not found")
    with av.open(str(film)) as container:
        stamps = [p.pts for p in container.demux(container.streams.video[0]) if p.pts is not None and p.size > 0]
    assert stamps != sorted(stamps)  # the file really has reordered frames
    info = probe_video(film)
    assert info.n_frames == len(stamps) == 1252 and (info.fps_num, info.fps_den) == (24, 1)


def test_a_film_read_in_stretches_at_once_reads_as_in_one_pass(tmp_path: Path) -> None:
    # B-frames (reordered, as x264 writes by default) and a cut one frame after the middle, where two stretches meet
    shots = (ShotSpec(50, (200, 60, 40), 0.3, True), ShotSpec(47, (30, 60, 200), 0.5, False),
             ShotSpec(30, (220, 220, 200), 0.2, True), ShotSpec(65, (40, 160, 60), 0.4, False))  # fmt: skip
    cuts = make_test_film(tmp_path / "cut.mp4", shots, b_frames=True)
    film = probe_video(tmp_path / "cut.mp4")
    whole, split = read_picture(film, workers=1), read_picture(film, workers=2)
    assert whole.shot_starts == split.shot_starts == [0, *cuts] and cuts[1] == film.n_frames // 2 + 1
    for name in ("frames", "brightness", "saturation", "warmth", "motion"):
        assert getattr(split.stats, name) == getattr(whole.stats, name)
