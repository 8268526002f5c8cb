"""Shot boundaries with PySceneDetect's content detector (HSV + luma change between frames), fed the
frames of the film's one analysis decode (film.picture) rather than decoding the film again."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scenedetect import ContentDetector
from scenedetect.common import FrameTimecode

DEFAULT_THRESHOLD = 27.0
MIN_SHOT_FRAMES = 12
DETECTION_WIDTH = 256  # PySceneDetect's own working width: it downscales larger frames to about this


class ShotDetector:
    """Takes frames in order (their frame number on the film's grid and a BGR image) and returns the
    first frame of every shot, starting with 0."""

    def __init__(self, fps: Fraction, threshold: float = DEFAULT_THRESHOLD, min_shot_frames: int = MIN_SHOT_FRAMES) -> None:
        self.fps = fps
        self.detector = ContentDetector(threshold=threshold, min_scene_len=min_shot_frames)
        self.starts: set[int] = {0}
        self.last = -1

    def feed(self, frame: int, bgr: np.ndarray) -> None:
        if frame <= self.last:  # a repeated timestamp (variable frame rate): the grid frame is already seen
            return
        self.last = frame
        self.starts.update(t.frame_num for t in self.detector.process_frame(FrameTimecode(frame, fps=self.fps), bgr))

    def shot_starts(self, final: bool = True) -> list[int]:
        """First frames of the shots fed so far; `final`: the film ends with the last frame fed, so
        a cut the detector still holds back is let out (not for a stretch read from a longer film)."""
        if final and self.last >= 0:
            self.starts.update(t.frame_num for t in self.detector.post_process(FrameTimecode(self.last, fps=self.fps)))
        return sorted(self.starts)
