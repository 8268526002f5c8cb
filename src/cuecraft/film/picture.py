"""The film's picture read in one decoding pass: shot boundaries (film.shots) and statistics per stretch
of film (brightness, saturation, warmth, motion)."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter

from cuecraft.executors import run_in_order, stretch_count, stretches
from cuecraft.film.shots import DEFAULT_THRESHOLD, DETECTION_WIDTH, MIN_SHOT_FRAMES, ShotDetector
from cuecraft.project import FilmInfo

ANALYSIS_WIDTH = 160  # frames are downscaled before analysis: the statistics are global, so detail is waste
SAMPLES_PER_SECOND = 6.0
OVERLAP_FRAMES = 4 * MIN_SHOT_FRAMES  # context read either side of a stretch: the shot detector's memory and more
REC709_LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)  # perceived brightness, not HSV value


class FrameStats:
    """Per-sampled-frame statistics, indexed by film frame number."""

    FIELDS = ("frames", "brightness", "saturation", "warmth", "motion")

    def __init__(self) -> None:
        self.frames: list[int] = []
        self.brightness: list[float] = []
        self.saturation: list[float] = []
        self.warmth: list[float] = []
        self.motion: list[float] = []  # mean |difference| to the previous sample beyond a fade's, per second, 0..1

    def extend(self, later: FrameStats) -> None:
        """Append the samples of a later stretch of the film."""
        for name in self.FIELDS:
            getattr(self, name).extend(getattr(later, name))

    def within(self, start: int, end: int) -> FrameStats:
        """The samples whose frame lies in [start, end)."""
        kept = [k for k, frame in enumerate(self.frames) if start <= frame < end]
        part = FrameStats()
        for name in self.FIELDS:
            getattr(part, name).extend(getattr(self, name)[k] for k in kept)
        return part

    def window(self, start: int, end: int) -> dict[str, float]:
        """Means of every statistic over the samples whose frame lies in [start, end).

        Motion skips the first sample, whose difference reaches back across the cut into another shot.
        """
        first, last = bisect.bisect_left(self.frames, start), bisect.bisect_left(self.frames, end)  # frames ascend
        if first == last:  # a stretch shorter than the sampling step: take the nearest sample
            first = min((k for k in (first - 1, first) if 0 <= k < len(self.frames)), key=lambda k: abs(self.frames[k] - start))
            last = first + 1
        means = {name: float(np.mean(getattr(self, name)[first:last])) for name in ("brightness", "saturation", "warmth")}
        moving = self.motion[first + 1 : last] if last - first > 1 else self.motion[first:last]
        means["motion"] = float(np.mean(moving))
        return means


@dataclass(frozen=True)
class PictureReading:
    """What one pass over the film's picture finds: where shots begin, and the sampled statistics."""

    shot_starts: list[int]
    stats: FrameStats


def read_picture(film: FilmInfo, threshold: float = DEFAULT_THRESHOLD, workers: int | None = None) -> PictureReading:
    """Decode the film once, at analysis size: every frame to the shot detector, a few a second to the
    statistics. Frames are placed on the film's frame grid by their timestamps, so a variable-rate
    film (a phone's) is read as the constant-rate film its cues are timed in. A long film is read in
    `workers` consecutive stretches at once (None: one per core from executors.SPLIT_MIN_S of film)."""
    spans = [(film, threshold, start, end) for start, end in stretches(film.n_frames, stretch_count(film.duration_s, workers))]
    stats = FrameStats()
    shot_starts: list[int] = []
    for starts, part in run_in_order(_read_stretch, spans, workers=len(spans)):
        shot_starts += starts
        stats.extend(part)
    # the first sample has no predecessor: give it its successor's motion rather than a false zero
    if len(stats.motion) > 1:
        stats.motion[0] = stats.motion[1]
    return PictureReading(shot_starts or [0], stats)


def _read_stretch(span: tuple[FilmInfo, float, int, int]) -> tuple[list[int], FrameStats]:
    """Shot starts and sampled statistics of frames [start, end): decoding begins OVERLAP_FRAMES early
    (from the keyframe before) and runs on as far past the end, so the shot detector and the motion
    measure see what they would in one pass over the whole film."""
    film, threshold, start, end = span
    step = max(1, round(float(film.fps) / SAMPLES_PER_SECOND))
    lead = max(0, start - OVERLAP_FRAMES) // step * step  # on the sampling grid, so samples fall where one pass puts them
    tail = film.n_frames if end >= film.n_frames else min(film.n_frames, end + OVERLAP_FRAMES)
    stats, shots, reformatter = FrameStats(), ShotDetector(film.fps, threshold), VideoReformatter()
    previous: np.ndarray | None = None
    next_sample = lead
    with av.open(str(Path(film.path))) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frames_per_tick = stream.time_base * film.fps
        width = max(1, round(film.width / max(1, film.width // DETECTION_WIDTH)))
        height = max(1, round(film.height * width / film.width))
        for count, frame in enumerate(_frames_from(container, stream, lead / film.fps)):
            index = count if frame.pts is None else round(frame.pts * frames_per_tick)
            if index < lead:
                continue
            if index >= tail:
                break
            rgb = reformatter.reformat(frame, width=width, height=height, format="rgb24").to_ndarray()
            shots.feed(index, rgb[..., ::-1])
            if index < next_sample:
                continue
            next_sample = index - index % step + step
            small = cv2.resize(rgb, (ANALYSIS_WIDTH, max(1, round(height * ANALYSIS_WIDTH / width))), interpolation=cv2.INTER_AREA)
            previous = _measure(stats, index, small.astype(np.float32), previous, step / float(film.fps))
    return [s for s in shots.shot_starts(final=tail >= film.n_frames) if start <= s < end], stats.within(start, end)


def _frames_from(container: av.container.InputContainer, stream: av.VideoStream, seconds: Fraction) -> Iterator[av.VideoFrame]:
    """The stream's frames from the keyframe at or before `seconds` (all of them from 0, or where the
    file cannot seek); a frame's count among those given matters only for frames without timestamps,
    which files that seek well do not have."""
    if seconds > 0:
        try:
            container.seek(int(seconds / stream.time_base), stream=stream, backward=True, any_frame=False)
        except av.error.FFmpegError:
            container.seek(0)
    return container.decode(stream)


def _measure(stats: FrameStats, index: int, rgb: np.ndarray, previous: np.ndarray | None, seconds_per_step: float) -> np.ndarray:
    """Add one sampled frame's statistics; return its luma for the next sample's motion."""
    hsv = cv2.cvtColor(rgb / 255.0, cv2.COLOR_RGB2HSV)
    red, blue = rgb[..., 0], rgb[..., 2]
    stats.frames.append(index)
    stats.brightness.append(float((rgb @ REC709_LUMA).mean() / 255.0))
    stats.saturation.append(float(hsv[..., 1].mean()))
    stats.warmth.append(float(((red - blue) / (red + blue + 1.0)).mean()))
    luma = rgb.mean(axis=2) / 255.0
    change = 0.0 if previous is None else moving(luma, previous) / seconds_per_step
    stats.motion.append(min(1.0, change))
    return luma


def moving(luma: np.ndarray, previous: np.ndarray) -> float:
    """Mean absolute change of luma between two frames, less the frame-wide change: a fade or a flash of
    light moves every pixel alike and is not motion."""
    difference = luma - previous
    return float(np.abs(difference - difference.mean()).mean())
