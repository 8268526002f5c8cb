"""Hit points chosen by importance, as a composer marks them at the spotting session: the scene
changes inside a cue first, then flashes of light and the strongest cuts, then the ends of lines
(the music answers a line) — never a fade to or from black, never while someone speaks or just before, never crowding the
cue's first and last seconds or each other. Hits the cue's tempo cannot reach are reported.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from cuecraft.compose.tempo_map import solve_tempo_map
from cuecraft.film.picture import FrameStats
from cuecraft.film.scenes import BLACK, Scene, shot_look
from cuecraft.project import FilmInfo

HIT_EVERY_S = 10.0  # at most one hit per this many seconds of cue
MIN_GAP_S = 4.0  # hits closer than this blur into one gesture
CLEAR_BEFORE_LINE_S = 0.5  # no hit this close before a line starts (nor during it)
EDGE_S = 2.0  # no hit in the cue's first seconds (its entrance is its own event) nor its last
STRONG_CUT = 0.25  # look distance across a cut that makes it worth hitting
SCENE_CHANGE, LINE_END, FLASH = 1.0, 0.45, 0.6  # importance of a scene change, a line's end, a flash (a strong cut: its distance)
FLASH_RISE = 0.25  # luma rising this much between two samples inside a shot: an explosion, lightning, a door thrown open


@dataclass(frozen=True)
class HitCandidate:
    frame: int
    importance: float
    reason: str


def choose_hits(film: FilmInfo, start: int, end: int, scenes: list[Scene], stats: FrameStats,
                lines: list[tuple[int, int]]) -> list[HitCandidate]:  # fmt: skip
    """The hit points of the cue over frames [start, end), most important first chosen, in time order."""
    seconds = lambda frames: float(film.frames_to_seconds(frames))  # noqa: E731
    edge, clear = film.frames_at_seconds(EDGE_S), film.frames_at_seconds(CLEAR_BEFORE_LINE_S)
    fades = set().union(*(s.fades_in for s in scenes))
    candidates: list[HitCandidate] = []
    for scene in scenes:
        if start < scene.start_frame < end and scene.opening == "change of look":
            candidates.append(HitCandidate(scene.start_frame, SCENE_CHANGE, "scene change"))
        for before, cut in zip(scene.shot_starts, scene.shot_starts[1:]):
            after = next((s for s in scene.shot_starts if s > cut), scene.end_frame)
            distance = float(np.linalg.norm(shot_look(stats, before, cut) - shot_look(stats, cut, after)))
            if start < cut < end and cut not in fades and distance >= STRONG_CUT and not _through_black(stats, cut):
                candidates.append(HitCandidate(cut, distance, f"strong cut ({distance:.2f})"))
    candidates += [HitCandidate(b, LINE_END, "end of a line") for a, b in lines if start < b < end]
    candidates += [HitCandidate(f, FLASH, "flash of light") for f in _flashes(stats) if start < f < end]

    def allowed(c: HitCandidate) -> bool:
        speaking = any(a - clear <= c.frame < b for a, b in lines)
        return start + edge <= c.frame <= end - edge and not speaking and c.frame not in fades

    budget = max(1, int(seconds(end - start) // HIT_EVERY_S))
    chosen: list[HitCandidate] = []
    for c in sorted(filter(allowed, candidates), key=lambda c: -c.importance):
        if len(chosen) < budget and all(abs(seconds(c.frame - h.frame)) >= MIN_GAP_S for h in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.frame)


def _flashes(stats: FrameStats) -> list[int]:
    """Frames where the picture suddenly brightens (between two samples a sixth of a second apart)."""
    return [f for f, b, before in zip(stats.frames[1:], stats.brightness[1:], stats.brightness) if b - before >= FLASH_RISE]


def _through_black(stats: FrameStats, cut: int) -> bool:
    """Whether the picture is (nearly) black just before or just after the cut: a fade, not a cut to hit."""
    k = bisect.bisect_left(stats.frames, cut)  # the first sample at or after the cut
    return any(stats.brightness[j] < 2 * BLACK for j in (k - 1, k) if 0 <= j < len(stats.frames))


def unreachable_hits(film: FilmInfo, start: int, end: int, hits: list[int], tempo: float, beats_per_bar: int) -> list[int]:
    """The hits (frames) that the cue's tempo, bent as far as compose.tempo_map allows, cannot put on a beat."""
    plan = solve_tempo_map(float(film.frames_to_seconds(end - start)), [float(film.frames_to_seconds(h - start)) for h in hits],
                           tempo, beats_per_bar)  # fmt: skip
    skipped = set(plan.skipped)
    return [h for h in hits if float(film.frames_to_seconds(h - start)) in skipped]
