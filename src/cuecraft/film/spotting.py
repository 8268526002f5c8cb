"""Spotting: group shots into cues where the picture's look stays alike, or a line of dialogue runs
across the cut, within length limits, and name them the film-music way (1M1, 1M2 … per reel)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cuecraft.film.picture import FrameStats
from cuecraft.project import FilmInfo, PictureFeatures

REEL_SECONDS = 20 * 60  # a reel is about 20 minutes; cue numbers restart on each


@dataclass(frozen=True)
class SpottingRules:
    """Limits a music editor would set: shortest and longest cue, and how alike shots must be to share one."""

    min_cue_s: float = 6.0
    max_cue_s: float = 150.0
    merge_distance: float = 0.12
    keep_together: tuple[tuple[int, int], ...] = ()  # frame spans (lines of dialogue) no cue boundary may cut


@dataclass(frozen=True)
class SpottedCue:
    """A stretch of film that will get music: frames [start, end), its shots and picture statistics."""

    id: str
    start_frame: int
    end_frame: int
    shot_starts: list[int]
    picture: PictureFeatures


def spot_cues(film: FilmInfo, shot_starts: list[int], stats: FrameStats, rules: SpottingRules = SpottingRules()) -> list[SpottedCue]:
    """Greedily merge consecutive shots while a cue is too short, the next shot looks alike, or a line
    of dialogue carries on across the cut (a scene's conversation is one cue, not several)."""
    bounds = [*shot_starts, film.n_frames]
    shots = [(bounds[i], bounds[i + 1]) for i in range(len(shot_starts)) if bounds[i] < bounds[i + 1]]

    def seconds(start: int, end: int) -> float:
        return float(film.frames_to_seconds(end - start))

    groups: list[list[tuple[int, int]]] = []
    for shot in shots:
        if groups:
            current = groups[-1]
            length = seconds(current[0][0], shot[1])
            short = seconds(current[0][0], current[-1][1]) < rules.min_cue_s
            alike = _distance(stats, current, shot) < rules.merge_distance
            mid_line = any(start < shot[0] < end for start, end in rules.keep_together)
            if length <= rules.max_cue_s and (short or alike or mid_line):
                current.append(shot)
                continue
        groups.append([shot])
    if len(groups) > 1 and seconds(groups[-1][0][0], groups[-1][-1][1]) < rules.min_cue_s:
        groups[-2].extend(groups.pop())
    return [
        describe_span(film, stats, cue_id, group[0][0], group[-1][1], shot_starts)
        for group, cue_id in zip(groups, _cue_ids(film, groups))
    ]


def shot_look(stats: FrameStats, start: int, end: int) -> np.ndarray:
    """A stretch of film summarised as brightness, saturation, warmth (halved) and motion."""
    w = stats.window(start, end)
    return np.array([w["brightness"], w["saturation"], 0.5 * w["warmth"], w["motion"]])


def _distance(stats: FrameStats, group: list[tuple[int, int]], shot: tuple[int, int]) -> float:
    return float(np.linalg.norm(shot_look(stats, group[0][0], group[-1][1]) - shot_look(stats, *shot)))


def _cue_ids(film: FilmInfo, groups: list[list[tuple[int, int]]]) -> list[str]:
    ids, per_reel = [], {}
    for group in groups:
        reel = int(film.frames_to_seconds(group[0][0]) // REEL_SECONDS) + 1
        per_reel[reel] = per_reel.get(reel, 0) + 1
        ids.append(f"{reel}M{per_reel[reel]}")
    return ids


def describe_span(film: FilmInfo, stats: FrameStats, cue_id: str, start: int, end: int, shot_starts: list[int]) -> SpottedCue:
    """The picture of frames [start, end): its statistics and the shots that begin inside it."""
    starts = sorted({start, *(s for s in shot_starts if start < s < end)})
    minutes = float(film.frames_to_seconds(end - start)) / 60
    return SpottedCue(
        id=cue_id,
        start_frame=start,
        end_frame=end,
        shot_starts=starts,
        picture=PictureFeatures(cut_rate=len(starts) / minutes, **stats.window(start, end)),
    )
