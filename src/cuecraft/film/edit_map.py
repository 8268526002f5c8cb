"""Where the old cut's frames are in a new cut: a list of segments (old start, new start, length).

From an editor's timeline (OTIO/EDL whose clips are cut from the original film) each clip is a
segment: its source range in the old film placed at its record position. From a new video, shots
of both cuts are matched by their look (brightness, saturation, warmth, motion) with a sequence
alignment (Needleman-Wunsch), so kept shots pair up in order and removed or new shots stay unpaired;
a paired shot maps frame for frame from its first frame, as far as both versions run.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import opentimelineio as otio

from cuecraft.deliver.edit_import import read_edit
from cuecraft.errors import CuecraftError
from cuecraft.film.picture import FrameStats, read_picture
from cuecraft.film.probe import probe_video
from cuecraft.film.scenes import shot_look
from cuecraft.project import FilmInfo

GAP_COST = 0.35  # look distance above which leaving two shots unpaired beats pairing them


@dataclass(frozen=True)
class EditMap:
    new_film: FilmInfo
    segments: tuple[tuple[int, int, int], ...]  # (old first frame, new first frame, frames), by old frame
    new_shot_starts: tuple[int, ...]

    def new_frame(self, old: int) -> int | None:
        """Where old frame `old` is in the new cut (None: cut out)."""
        i = bisect.bisect_right(self._old_starts, old) - 1
        if i >= 0:
            old_start, new_start, length = self.segments[i]
            if old < old_start + length:
                return new_start + old - old_start
        return None

    @cached_property
    def _old_starts(self) -> list[int]:
        return [s[0] for s in self.segments]

    def unchanged(self, start: int, end: int) -> bool:
        """Whether old frames [start, end) play in the new cut as one unbroken run, with nothing inserted."""
        first = self.new_frame(start)
        return first is not None and all(self.new_frame(f) == first + f - start for f in (end - 1, *self._breaks(start, end)))

    def _breaks(self, start: int, end: int) -> list[int]:
        return [s[0] for s in self.segments if start < s[0] < end] + [s[0] + s[2] for s in self.segments if start < s[0] + s[2] < end]


def _shots(starts: list[int], n_frames: int) -> list[tuple[int, int]]:
    bounds = sorted({0, *starts, n_frames})
    return list(zip(bounds, bounds[1:]))


def _align(old: list[np.ndarray], new: list[np.ndarray]) -> list[tuple[int, int]]:
    """Index pairs of the cheapest order-keeping pairing of two shot sequences (unpaired shots cost GAP_COST)."""
    n, m = len(old), len(new)
    cost = np.zeros((n + 1, m + 1))
    cost[:, 0], cost[0, :] = np.arange(n + 1) * GAP_COST, np.arange(m + 1) * GAP_COST
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            pair = cost[i - 1, j - 1] + float(np.linalg.norm(old[i - 1] - new[j - 1]))
            cost[i, j] = min(pair, cost[i - 1, j] + GAP_COST, cost[i, j - 1] + GAP_COST)
    pairs, i, j = [], n, m
    while i and j:
        if cost[i, j] == cost[i - 1, j - 1] + float(np.linalg.norm(old[i - 1] - new[j - 1])):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif cost[i, j] == cost[i - 1, j] + GAP_COST:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def map_from_video(old_film: FilmInfo, old_stats: FrameStats, old_shot_starts: list[int], new_path: Path,
                   shot_threshold: float = 27.0) -> EditMap:  # fmt: skip
    """Match the shots of a re-cut video to the old film's shots by their look."""
    new_film = probe_video(new_path)
    reading = read_picture(new_film, shot_threshold)
    new_starts, new_stats = reading.shot_starts, reading.stats
    old_shots, new_shots = _shots(old_shot_starts, old_film.n_frames), _shots(new_starts, new_film.n_frames)
    pairs = _align([shot_look(old_stats, *s) for s in old_shots], [shot_look(new_stats, *s) for s in new_shots])
    segments = [(old_shots[i][0], new_shots[j][0], min(old_shots[i][1] - old_shots[i][0], new_shots[j][1] - new_shots[j][0])) for i, j in pairs]
    return EditMap(new_film, tuple(segments), tuple(new_starts))


def map_from_timeline(path: Path, old_film: FilmInfo, new_film_path: Path | None = None) -> EditMap:
    """Segments from the clips of a timeline's first picture track (their source ranges are old frames)."""
    timeline = read_edit(path, old_film)
    video = next((t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video), None)
    rate = float(old_film.fps)
    segments, starts = [], []
    for clip in (video.find_clips() if video is not None else []):
        placed, source = clip.range_in_parent(), clip.trimmed_range()
        new_start = round(placed.start_time.to_seconds() * rate)
        segments.append((round(source.start_time.to_seconds() * rate), new_start, round(source.duration.to_seconds() * rate)))
        starts.append(new_start)
    if not segments:
        raise CuecraftError(path, "has no picture clips to conform to")
    n_frames = max(s[1] + s[2] for s in segments)
    new_film = probe_video(new_film_path) if new_film_path else old_film.model_copy(update={"n_frames": n_frames, "path": str(path)})
    return EditMap(new_film, tuple(sorted(segments)), tuple(s for s in sorted(starts) if s > 0))

