"""Spotting as a film composer does it: scenes then cues, hit points by importance, endings by what
follows, segues without holes or jumps, and the score thinned and ducked under dialogue."""

from __future__ import annotations

from pathlib import Path
from statistics import median

import numpy as np
import pretty_midi
import pytest
import soundfile

from cuecraft.compose.cue_writer import write_cue
from cuecraft.config import ScoreConfig
from cuecraft.film.hit_points import choose_hits
from cuecraft.film.scenes import Scene
from cuecraft.film.spotting import SpottingRules, spot_scenes
from cuecraft.film.testfilm import SCENES_FILM, make_test_film
from cuecraft.model.baseline import MarkovBaseline
from cuecraft.project import FilmInfo, Mood, MusicSettings
from cuecraft.scoring import ScoreResult, score_film
from tests.conftest import SPEECH

RATE = 48000


@pytest.fixture(scope="module")
def five_scenes(tmp_path_factory: pytest.TempPathFactory, baseline_path: Path) -> tuple[ScoreResult, list[int]]:
    """A 2-minute film of five scenes of four shots each, scored with the default spotting."""
    path = tmp_path_factory.mktemp("scenes") / "scenes.mp4"
    make_test_film(path, SCENES_FILM)
    frames = np.cumsum([s.frames for s in SCENES_FILM])
    scene_starts = [0, *(int(frames[k]) for k in range(3, len(SCENES_FILM) - 1, 4))]
    result = score_film(path, tmp_path_factory.mktemp("scenes_out") / "out", ScoreConfig(model="baseline", model_path=baseline_path))
    return result, scene_starts


def levels_db(path: Path) -> np.ndarray:
    """Level of a WAV in 100 ms windows, dB."""
    audio, _ = soundfile.read(path, always_2d=True)
    n = len(audio) // 4800 * 4800
    return 10 * np.log10(np.mean(audio[:n].reshape(-1, 4800, audio.shape[1]) ** 2, axis=(1, 2)) + 1e-12)


def test_cues_begin_on_scene_changes_and_span_scenes(five_scenes: tuple[ScoreResult, list[int]]) -> None:
    result, scene_starts = five_scenes
    cues, film = result.project.cues, result.project.film
    on_scene = [c for c in cues if any(abs(c.start_frame - s) <= 1 for s in scene_starts)]
    assert len(on_scene) >= 0.8 * len(cues)
    assert len(cues) <= len(scene_starts) + 2
    assert median(float(film.frames_to_seconds(c.n_frames)) for c in cues) >= 20.0
    for cue in cues:  # one line a music editor can read, saying why music enters and leaves there
        assert cue.spotting_note.startswith("in: ") and "; out: " in cue.spotting_note
        assert cue.sections and cue.sections[0].start_frame == cue.start_frame


def test_music_carries_on_across_cue_changes_without_a_hole_or_a_jump(five_scenes: tuple[ScoreResult, list[int]]) -> None:
    result, _ = five_scenes
    cues, film = result.project.cues, result.project.film
    levels = levels_db(result.outdir / "score.wav")
    changes = [b for a, b in zip(cues, cues[1:]) if a.end_frame == b.start_frame]
    assert changes
    for cue in changes:
        k = round(float(film.frames_to_seconds(cue.start_frame)) * 10)
        before = float(np.median(levels[k - 20 : k - 5]))
        assert before - levels[k - 5 : k + 5].min() <= 10.0, cue.id  # no hole at the change
        assert levels[k : k + 5].max() - levels[k - 10 : k].mean() <= 6.0, cue.id  # no jump as the next cue enters


def test_no_cue_ends_on_a_hold_longer_than_a_quarter_of_it(five_scenes: tuple[ScoreResult, list[int]]) -> None:
    result, _ = five_scenes
    film = result.project.film
    for cue in result.project.cues:
        midi = pretty_midi.PrettyMIDI(str(result.outdir / cue.takes[0].midi))
        seconds = float(film.frames_to_seconds(cue.n_frames))
        last_onset = max(n.start for i in midi.instruments for n in i.notes)
        assert seconds - last_onset <= 0.25 * seconds, cue.id
        assert cue.settings.ending == ("ring-out" if cue is result.project.cues[-1] else "segue")


def film_of(seconds: float) -> FilmInfo:
    return FilmInfo(path="x", n_frames=round(seconds * 24), fps_num=24, width=2, height=2)


def scenes_of(film: FilmInfo, lengths: list[float], opening: str = "change of look") -> list[Scene]:
    bounds = np.cumsum([0, *(round(s * 24) for s in lengths)])
    return [Scene(int(a), int(b), (int(a),), "film start" if k == 0 else opening) for k, (a, b) in enumerate(zip(bounds, bounds[1:]))]


def test_the_calmest_talkiest_scene_plays_dry_and_each_cue_ends_by_what_follows() -> None:
    film = film_of(100)
    scenes = scenes_of(film, [25, 25, 25, 25])
    moods = [Mood(valence=-0.5, arousal=0.6, intensity=0.8), Mood(valence=0.1, arousal=-0.6, intensity=0.2),
             Mood(valence=-0.5, arousal=0.7, intensity=0.9), Mood(valence=0.4, arousal=-0.5, intensity=0.3)]  # fmt: skip
    talk = [0.0, 0.7, 0.0, 0.1]
    cues = spot_scenes(film, scenes, moods, talk, SpottingRules(density=0.75))
    assert [(c.start_frame, c.end_frame) for c in cues] == [(0, 600), (1200, 1800), (1800, 2400)]  # scene 2 (calm, talky) plays dry
    assert cues[0].ending == "unresolved"  # dark and tense, into silence
    assert "plays without music" in cues[0].note and "with dialogue" in cues[0].note
    assert cues[1].ending == "segue" and cues[2].segue_in  # the drama turns: a new cue, running on from the last
    assert cues[2].ending == "ring-out" and "end of the film" in cues[2].note
    wall = spot_scenes(film, scenes, moods, talk, SpottingRules(density=1.0))
    assert wall[0].start_frame == 0 and wall[-1].end_frame == film.n_frames
    assert all(a.end_frame == b.start_frame for a, b in zip(wall, wall[1:]))
    assert all(c.ending == "segue" for c in wall[:-1])


def test_alike_scenes_share_a_cue_until_the_drama_turns() -> None:
    film = film_of(90)
    scenes = scenes_of(film, [15, 15, 15, 15, 15, 15])
    calm, wild = Mood(valence=0.3, arousal=-0.5, intensity=0.3), Mood(valence=-0.6, arousal=0.8, intensity=0.9)
    cues = spot_scenes(film, scenes, [calm, calm, calm, wild, wild, wild], [0.0] * 6, SpottingRules(density=1.0))
    assert [c.scenes for c in cues] == [(0, 1, 2), (3, 4, 5)]
    assert cues[1].segue_in and cues[0].ending == "segue"
    assert [s.label for s in cues[0].sections] == ["statement"] * 3  # one level throughout: no arc to shape


def test_a_cue_over_scenes_of_rising_intensity_builds_to_its_peak() -> None:
    film = film_of(60)
    scenes = scenes_of(film, [15, 15, 15, 15])
    moods = [Mood(valence=-0.2, arousal=a, intensity=i) for a, i in ((-0.2, 0.3), (0.0, 0.5), (0.2, 0.8), (0.0, 0.5))]
    (cue,) = spot_scenes(film, scenes, moods, [0.0] * 4, SpottingRules(density=1.0, max_cue_s=60.0))
    assert [s.label for s in cue.sections] == ["intro", "build", "peak", "release"]


def test_hits_skip_fades_and_dialogue_and_keep_their_distance() -> None:
    film = film_of(60)

    class Stats:  # every shot looks unlike the one before, and nothing is black
        frames = list(range(0, 1440, 4))
        brightness = [0.5] * len(frames)

        def window(self, start: int, end: int) -> dict[str, float]:
            return {"brightness": 0.2 + 0.6 * ((start // 120) % 2), "saturation": 0.5, "warmth": 0.0, "motion": 0.1}

    cuts = tuple(range(0, 1440, 120))  # a cut every 5 s
    scene = Scene(0, 1440, cuts, "film start", fades_in=frozenset({240}))
    line = (film.frames_at_seconds(29.7), film.frames_at_seconds(33.0))  # a line that starts 0.3 s before the cut at 30 s
    hits = choose_hits(film, 0, 1440, [scene], Stats(), [line])  # type: ignore[arg-type]
    frames = [h.frame for h in hits]
    assert 240 not in frames  # out of a fade from black
    assert all(not (line[0] - 12 <= f < line[1]) for f in frames)  # not on (or just before) a word
    assert len(frames) <= 60 // 10 and all(b - a >= 4 * 24 for a, b in zip(frames, frames[1:]))
    assert all(48 <= f <= 1440 - 48 for f in frames)  # clear of the cue's first and last two seconds


@pytest.mark.parametrize("ending", ["ring-out", "button", "fade", "segue", "unresolved"])
def test_each_ending_closes_as_named(baseline: MarkovBaseline, ending: str) -> None:
    settings = MusicSettings(key="D minor", tempo=96, program=48, velocity=80, seed=5, style="chamber-strings", ending=ending,
                             next_key="F major" if ending == "segue" else None)  # fmt: skip
    midi = write_cue(baseline, settings, 24.0, None, Mood(valence=-0.4, arousal=0.3, intensity=0.6))
    notes = [n for i in midi.instruments if not i.is_drum for n in i.notes]
    last = max(n.start for n in notes)
    closing = {n.pitch % 12 for n in notes if n.start >= last - 0.05}
    a_major, d_minor = {9, 1, 4}, {2, 5, 9}
    c_major = {0, 4, 7}  # the dominant of F major
    if ending in ("ring-out", "button"):
        assert closing <= d_minor and 2 in closing
        assert max(n.end for n in notes) < 24.0 - 0.2 if ending == "ring-out" else True
    if ending == "button":
        assert 24.0 - last <= 1.5 * 60 / 96  # the stab lands on the last beat that leaves it room before the out point
    if ending == "unresolved":
        assert closing <= a_major and 1 in closing  # stops on the dominant, its leading tone unresolved
    if ending == "segue":
        assert closing <= c_major and 24.0 - last <= 60 / 96 * 1.01  # F major's dominant, struck up to the cut
    if ending in ("fade", "segue", "unresolved"):
        assert max(n.end for n in notes) == pytest.approx(24.0, abs=0.02)  # held through the out point
    if ending == "fade":
        assert closing <= d_minor
        expression = [c for i in midi.instruments for c in i.control_changes if c.number == 11]
        assert min(c.value for c in expression if c.time > 22.0) < 30  # dies away


def test_the_melody_rests_and_the_players_drop_back_under_a_line(baseline: MarkovBaseline) -> None:
    settings = MusicSettings(key="F major", tempo=100, program=0, velocity=80, seed=2, style="piano")
    mood = Mood(valence=0.3, arousal=0.0, intensity=0.6)
    line = (8.0, 14.0)
    quiet = write_cue(baseline, settings, 24.0, None, mood, lines_s=[line])
    plain = write_cue(baseline, settings, 24.0, None, mood)

    def top_line(midi: pretty_midi.PrettyMIDI, a: float, b: float) -> int:
        """How many notes struck in [a, b) lie above the speech-band floor of a melody (G4 up)."""
        return sum(1 for i in midi.instruments for n in i.notes if a <= n.start < b and n.pitch >= 67)

    assert top_line(quiet, *line) < 0.5 * top_line(plain, *line)
    cc = lambda midi, a, b: np.mean([c.value for i in midi.instruments for c in i.control_changes if c.number == 11 and a <= c.time < b])  # noqa: E731
    assert cc(quiet, *line) < cc(plain, *line) - 6


def test_score_thins_and_ducks_under_the_subtitled_lines(talking_film: Path, baseline_path: Path, tmp_path: Path) -> None:
    srt = tmp_path / "talk.srt"
    srt.write_text("\n".join(f"{k}\n00:00:{int(a):02d},000 --> 00:00:{int(b):02d},{int(b % 1 * 1000):03d}\nWe have to go now.\n"
                             for k, (a, b) in enumerate(SPEECH, 1)))  # fmt: skip
    result = score_film(talking_film, tmp_path / "out", ScoreConfig(model="baseline", model_path=baseline_path, subtitles=srt))
    project = result.project
    assert project.dialogue_source == "subtitles"
    starts = [a for a, _ in project.dialogue_seconds()]
    for cue in project.cues:
        for hit in cue.hit_points:
            assert all(abs(float(project.film.frames_to_seconds(hit)) - s) > 0.3 for s in starts), cue.id
    levels = levels_db(result.outdir / "score.wav")
    for a, b in SPEECH:
        under = float(np.mean(levels[round(a * 10) + 5 : round(b * 10)]))
        before = float(np.mean(levels[round(a * 10) - 20 : round(a * 10)]))
        assert before - under >= 4.0, (a, b)
