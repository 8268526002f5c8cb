"""Spotting by scene and dramatic arc: scenes (film.scenes) join into cues of at least `min_cue_s`
that carry on while the drama keeps its mood and break where it turns; music lays out where silence
serves (the calmest, talkiest scenes, down to the `density` share of the film); each cue says in one
line why music enters and leaves there, how it ends (by what follows), and its sections' intensity.
Cues are named the film-music way (1M1, 1M2 … per reel).
"""

from __future__ import annotations

from dataclasses import dataclass

from cuecraft.film.picture import FrameStats
from cuecraft.film.scenes import Scene
from cuecraft.project import CueSection, Ending, FilmInfo, Mood, PictureFeatures

REEL_SECONDS = 20 * 60  # a reel is about 20 minutes; cue numbers restart on each
MIN_SILENCE_S = 8.0  # a scene laid out must be at least this long: a shorter hole in the score is a dropout, not a rest
TALK_WEIGHT = 0.5  # how much a scene's dialogue lowers its need for music
FLAT = 0.1  # scenes whose intensities differ less than this make one level, not an arc


@dataclass(frozen=True)
class SpottingRules:
    """What a music editor sets before spotting: shortest and longest cue, the most of the film that gets
    music, and how far the mood must move for a new cue to begin."""

    min_cue_s: float = 20.0
    max_cue_s: float = 180.0
    density: float = 0.85
    turn: float = 0.6  # |Δvalence| + |Δarousal| between scenes at which the drama turns


@dataclass(frozen=True)
class SpottedCue:
    """A stretch of film that will get music: frames [start, end), its scenes, and the spotting's reasons."""

    id: str
    start_frame: int
    end_frame: int
    scenes: tuple[int, ...]  # indices into the film's scenes
    segue_in: bool  # the previous cue runs right up to this one
    ending: Ending
    note: str  # why music enters and leaves here
    sections: tuple[CueSection, ...]


def spot_scenes(film: FilmInfo, scenes: list[Scene], moods: list[Mood], talk: list[float], rules: SpottingRules = SpottingRules()) -> list[SpottedCue]:
    """Cues over `scenes` (with each scene's mood and the share of it under dialogue, `talk`)."""
    seconds = [float(film.frames_to_seconds(s.n_frames)) for s in scenes]
    scored = _with_music(seconds, moods, talk, rules.density)
    runs: list[list[int]] = []
    for i in range(len(scenes)):
        if not scored[i]:
            continue
        run = runs[-1] if runs and runs[-1][-1] == i - 1 else None
        if run is not None:
            length = sum(seconds[j] for j in run)
            turns = _distance(_mean_mood(run, moods, seconds), moods[i]) >= rules.turn
            if length + seconds[i] <= rules.max_cue_s and (length < rules.min_cue_s or not turns):
                run.append(i)
                continue
        runs.append([i])
    runs = _short_tails_joined(runs, seconds, rules)
    ids = _cue_ids(film, [scenes[r[0]].start_frame for r in runs])
    cues = []
    for k, run in enumerate(runs):
        segue_in = k > 0 and runs[k - 1][-1] == run[0] - 1
        segue_out = k + 1 < len(runs) and runs[k + 1][0] == run[-1] + 1
        last = run[-1] + 1 == len(scenes)
        mood = _mean_mood(run, moods, seconds)
        ending = ending_for(mood, segue_out, last)
        previous = ids[k - 1] if segue_in else None
        following = ids[k + 1] if segue_out else None
        note = f"in: {_entry(scenes, moods, talk, run, previous)}; out: {_exit(scenes, moods, talk, run, following, last, ending)}"
        cues.append(SpottedCue(ids[k], scenes[run[0]].start_frame, scenes[run[-1]].end_frame, tuple(run), segue_in,
                               ending, note, _sections(scenes, moods, run)))  # fmt: skip
    return cues


def _with_music(seconds: list[float], moods: list[Mood], talk: list[float], density: float) -> list[bool]:
    """Which scenes get music: all but the ones that need it least (calm, quiet, talky), laid out while
    the music still covers at least `density` of the film."""
    total = sum(seconds)
    need = [m.intensity - TALK_WEIGHT * t for m, t in zip(moods, talk)]
    scored = [True] * len(seconds)
    covered = total
    for i in sorted(range(len(seconds)), key=lambda i: need[i]):
        if seconds[i] >= MIN_SILENCE_S and covered - seconds[i] >= density * total and len(seconds) > 1:
            scored[i] = False
            covered -= seconds[i]
    return scored


def _short_tails_joined(runs: list[list[int]], seconds: list[float], rules: SpottingRules) -> list[list[int]]:
    """A cue shorter than the minimum that follows another directly joins it (within the longest cue)."""
    joined: list[list[int]] = []
    for run in runs:
        length = sum(seconds[j] for j in run)
        if joined and joined[-1][-1] == run[0] - 1 and length < rules.min_cue_s \
                and length + sum(seconds[j] for j in joined[-1]) <= rules.max_cue_s:  # fmt: skip
            joined[-1] = joined[-1] + run
        else:
            joined.append(list(run))
    return joined


def _mean_mood(run: list[int], moods: list[Mood], seconds: list[float]) -> Mood:
    total = sum(seconds[j] for j in run) or 1.0
    mean = {k: sum(getattr(moods[j], k) * seconds[j] for j in run) / total for k in ("valence", "arousal", "intensity")}
    return Mood(**{k: round(v, 3) for k, v in mean.items()})


def _distance(a: Mood, b: Mood) -> float:
    return abs(a.valence - b.valence) + abs(a.arousal - b.arousal)


def ending_for(mood: Mood, segue: bool, last: bool) -> Ending:
    """How a cue ends by what follows it: a segue into the next cue, a ring-out at the film's end; before
    silence, suspense stays unresolved, action ends on a button, the rest fades."""
    if segue or last:
        return "segue" if segue else "ring-out"
    if mood.arousal > 0.2:
        return "unresolved" if mood.valence < -0.2 else "button"
    return "fade"


def _sections(scenes: list[Scene], moods: list[Mood], run: list[int]) -> tuple[CueSection, ...]:
    """One section per scene, labelled by where it lies against the cue's most intense scene (all
    "statement" when the scenes keep one level)."""
    peak = max(run, key=lambda j: moods[j].intensity)
    flat = max(moods[j].intensity for j in run) - min(moods[j].intensity for j in run) < FLAT
    sections = []
    for position, j in enumerate(run):
        if flat:
            label = "statement"
        elif j == peak:
            label = "peak"
        elif j < peak:
            label = "intro" if position == 0 else "build"
        else:
            label = "release"
        sections.append(CueSection(start_frame=scenes[j].start_frame, intensity=moods[j].intensity, label=label))
    return tuple(sections)


def describe(scene: Scene, mood: Mood, talk: float) -> str:
    """A scene in a few words, as a spotting note would put it."""
    light = "dark" if mood.valence < -0.25 else "bright" if mood.valence > 0.25 else "half-lit"
    pace = "fast" if mood.arousal > 0.3 else "still" if mood.arousal < -0.3 else "steady"
    words = f"{light}, {pace} scene"
    if scene.opening == "fade to black":
        words = "black (titles) scene"
    return words + (" with dialogue" if talk > 0.15 else "")


def _entry(scenes: list[Scene], moods: list[Mood], talk: list[float], run: list[int], previous: str | None) -> str:
    first = run[0]
    what = describe(scenes[first], moods[first], talk[first])
    if previous:
        return f"segue from {previous} as the drama turns into the {what}"
    if first == 0:
        return f"at the top of the film, over the {what}"
    return f"on the {scenes[first].opening} into the {what}, after the silence before it"


def _exit(scenes: list[Scene], moods: list[Mood], talk: list[float], run: list[int], following: str | None, last: bool,
          ending: Ending) -> str:  # fmt: skip
    if following:
        return f"runs into {following} (segue)"
    if last:
        return "rings out at the end of the film"
    after = run[-1] + 1
    return f"{ending} before the {describe(scenes[after], moods[after], talk[after])}, which plays without music"


def _cue_ids(film: FilmInfo, starts: list[int]) -> list[str]:
    ids, per_reel = [], {}
    for start in starts:
        reel = int(film.frames_to_seconds(start) // REEL_SECONDS) + 1
        per_reel[reel] = per_reel.get(reel, 0) + 1
        ids.append(f"{reel}M{per_reel[reel]}")
    return ids


def describe_span(film: FilmInfo, stats: FrameStats, start: int, end: int, shot_starts: list[int]) -> tuple[list[int], PictureFeatures]:
    """The shots that begin inside frames [start, end) and the stretch's picture statistics."""
    starts = sorted({start, *(s for s in shot_starts if start < s < end)})
    minutes = float(film.frames_to_seconds(end - start)) / 60
    return starts, PictureFeatures(cut_rate=len(starts) / minutes, **stats.window(start, end))
