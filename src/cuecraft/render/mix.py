"""Place rendered cues on the film's timeline, sample-exact."""

from __future__ import annotations

import numpy as np


def place_cues(cues: list[tuple[int, np.ndarray]], total_samples: int) -> np.ndarray:
    """Sum stereo cue audio (start sample, 2 x n array) into one stereo timeline `total_samples` long."""
    timeline = np.zeros((2, total_samples), dtype=np.float32)
    for start, audio in cues:
        end = min(total_samples, start + audio.shape[1])
        timeline[:, start:end] += audio[:, : end - start]
    return timeline
