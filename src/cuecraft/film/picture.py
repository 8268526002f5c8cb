"""The film's picture read in one decoding pass: shot boundaries (film.shots) and statistics per stretch
of film (brightness, saturation, warmth, motion)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from cuecraft.film.shots import DEFAULT_THRESHOLD, DETECTION_WIDTH, ShotDetector
from cuecraft.project import FilmInfo

ANALYSIS_WIDTH = 160  # frames are downscaled before analysis: the statistics are global, so detail is waste
SAMPLES_PER_SECOND = 6.0
REC709_LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)  # perceived brightness, not HSV value


class FrameStats:
    """Per-sampled-frame statistics, indexed by film frame number."""

    def __init__(self) -> None:
        self.frames: list[int] = []
        self.brightness: list[float] = []
        self.saturation: list[float] = []
        self.warmth: list[float] = []
        self.motion: list[float] = []  # mean |difference| to the previous sample beyond a fade's, per second, 0..1

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


def read_picture(film: FilmInfo, threshold: float = DEFAULT_THRESHOLD) -> PictureReading:
    """Decode the film once, at analysis size: every frame to the shot detector, a few a second to the
    statistics. Frames are placed on the film's frame grid by their timestamps, so a variable-rate
    film (a phone's) is read as the constant-rate film its cues are timed in."""
    stats = FrameStats()
    step = max(1, round(float(film.fps) / SAMPLES_PER_SECOND))
    seconds_per_step = step / float(film.fps)
    shots = ShotDetector(film.fps, threshold)
    previous: np.ndarray | None = None
    next_sample = 0
    with av.open(str(Path(film.path))) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        width = max(1, round(film.width / max(1, film.width // DETECTION_WIDTH)))
        height = max(1, round(film.height * width / film.width))
        for count, frame in enumerate(container.decode(stream)):
            index = count if frame.time is None else round(Fraction(frame.time).limit_denominator(10**6) * film.fps)
            if index >= film.n_frames:
                break
            rgb = frame.to_ndarray(format="rgb24", width=width, height=height)
            shots.feed(index, rgb[..., ::-1])
            if index < next_sample:
                continue
            next_sample = index - index % step + step
            small = cv2.resize(rgb, (ANALYSIS_WIDTH, max(1, round(height * ANALYSIS_WIDTH / width))), interpolation=cv2.INTER_AREA)
            previous = _measure(stats, index, small.astype(np.float32), previous, seconds_per_step)
    # the first sample has no predecessor: give it its successor's motion rather than a false zero
    if len(stats.motion) > 1:
        stats.motion[0] = stats.motion[1]
    return PictureReading(shots.shot_starts(), stats)


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
