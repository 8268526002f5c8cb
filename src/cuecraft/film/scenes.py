"""Scenes from shots: consecutive shots belong to one scene while the picture keeps its look (light,
colour, warmth, motion) — compared with the scene so far, so shot/reverse-shot cutting stays one
scene — or a line of dialogue runs across the cut. Black is a fade: it closes the scene it ends, and
what comes out of it opens a new one (a dip to black shorter than a second, into the same look,
does not). Scenes shorter than a few seconds join the neighbour they look most like.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cuecraft.film.picture import FrameStats
from cuecraft.project import FilmInfo

BLACK = 0.03  # mean luma under which a shot (or a sampled frame) is black
DIP_S = 1.0  # black shorter than this, between shots that look alike, is a dip, not a fade between scenes
CARD_S = 3.0  # black held longer than this is a scene of its own (a title card, a black-screen voice-over)
PRE_LAP_S = 0.5  # a line that starts (or ends) this close to a cut is pre-lapped sound: it does not tie the cut
RECENT_SHOTS = 3  # a new shot continues the scene if it looks like one of its last few shots (shot/reverse shot)


@dataclass(frozen=True)
class SceneRules:
    """How alike shots must look to share a scene, and the shortest scene kept on its own."""

    scene_distance: float = 0.22
    min_scene_s: float = 3.0


@dataclass(frozen=True)
class Scene:
    """Frames [start, end) of film, the shots that begin inside it, and why it begins where it does."""

    start_frame: int
    end_frame: int
    shot_starts: tuple[int, ...]
    opening: str  # "film start", "fade from black", "fade to black", "change of look"
    fades_in: frozenset[int] = frozenset()  # shot starts inside the scene that come out of black

    @property
    def n_frames(self) -> int:
        return self.end_frame - self.start_frame


def shot_look(stats: FrameStats, start: int, end: int) -> np.ndarray:
    """A stretch of film summarised as brightness, saturation, warmth (halved) and motion."""
    w = stats.window(start, end)
    return np.array([w["brightness"], w["saturation"], 0.5 * w["warmth"], w["motion"]])


def find_scenes(film: FilmInfo, shot_starts: list[int], stats: FrameStats, keep_together: tuple[tuple[int, int], ...] = (),
                rules: SceneRules = SceneRules()) -> list[Scene]:  # fmt: skip
    """The film's scenes, in order, tiling it; `keep_together` are frame spans (lines) no scene boundary may cut."""
    bounds = [*sorted(set(shot_starts) | {0}), film.n_frames]
    shots = [(a, b) for a, b in zip(bounds, bounds[1:]) if a < b]
    looks = [shot_look(stats, a, b) for a, b in shots]
    black = [bool(look[0] < BLACK) for look in looks]
    seconds = lambda frames: float(film.frames_to_seconds(frames))  # noqa: E731

    groups: list[list[int]] = []
    openings: list[str] = []
    after_black: set[int] = set()
    for i, (start, end) in enumerate(shots):
        if not groups:
            groups.append([i])
            openings.append("film start")
            continue
        current = groups[-1]
        if black[i] and seconds(end - start) >= CARD_S:
            groups.append([i])
            openings.append("fade to black")
            continue
        if black[i] or all(black[j] for j in current):  # black closes (or, at the start, opens) the scene it touches
            if not black[i]:
                after_black.add(start)
            current.append(i)
            continue
        lap = film.frames_at_seconds(PRE_LAP_S)
        mid_line = any(a + lap < start < b - lap for a, b in keep_together)
        seen = [j for j in current if not black[j]] or current
        distance = min(float(np.linalg.norm(looks[i] - looks[j])) for j in seen[-RECENT_SHOTS:])
        black_before = 0
        while i - 1 - black_before >= 0 and black[i - 1 - black_before]:
            black_before += 1
        if black_before:
            after_black.add(start)
            dip = seconds(start - shots[i - black_before][0]) < DIP_S
            if mid_line or (dip and distance <= rules.scene_distance):
                current.append(i)
                continue
            groups.append([i])
            openings.append("fade from black")
            continue
        if mid_line or distance <= rules.scene_distance:
            current.append(i)
            continue
        groups.append([i])
        openings.append("change of look")
    groups, openings = _absorb_short(groups, openings, shots, looks, film, rules)
    return [
        Scene(shots[g[0]][0], shots[g[-1]][1], tuple(shots[j][0] for j in g), opening,
              frozenset(shots[j][0] for j in g if shots[j][0] in after_black))  # fmt: skip
        for g, opening in zip(groups, openings)
    ]


def _absorb_short(groups: list[list[int]], openings: list[str], shots: list[tuple[int, int]], looks: list[np.ndarray],
                  film: FilmInfo, rules: SceneRules) -> tuple[list[list[int]], list[str]]:  # fmt: skip
    """Scenes under the minimum length joined to the neighbour whose look is nearer (shortest first)."""
    groups, openings = [list(g) for g in groups], list(openings)

    def length(g: list[int]) -> float:
        return float(film.frames_to_seconds(shots[g[-1]][1] - shots[g[0]][0]))

    def look(g: list[int]) -> np.ndarray:
        weights = np.array([shots[j][1] - shots[j][0] for j in g], dtype=float)
        return np.average([looks[j] for j in g], axis=0, weights=weights)

    while len(groups) > 1:
        short = [k for k, g in enumerate(groups) if length(g) < rules.min_scene_s]
        if not short:
            break
        k = min(short, key=lambda k: length(groups[k]))
        neighbours = [m for m in (k - 1, k + 1) if 0 <= m < len(groups)]
        m = min(neighbours, key=lambda m: float(np.linalg.norm(look(groups[m]) - look(groups[k]))))
        first, second = min(k, m), max(k, m)
        groups[first] = groups[first] + groups[second]
        del groups[second]
        del openings[second]
    return groups, openings
