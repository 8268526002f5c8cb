"""Waveform overviews of takes for the review app: the peak level of each slice of a take, read in blocks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

BLOCK_FRAMES = 1 << 16  # frames read at a time: a long take never sits whole in memory


def peak_envelope(path: Path, bins: int = 600) -> dict:
    """The take's length in seconds and, for `bins` equal slices of it, the largest absolute sample
    of any channel (full scale 1.0), rounded to 1/1000: what a waveform overview draws."""
    with sf.SoundFile(str(path)) as audio:
        frames, rate = audio.frames, audio.samplerate
        peaks = np.zeros(bins)
        start = 0
        for block in audio.blocks(blocksize=BLOCK_FRAMES, always_2d=True, dtype="float32"):
            level = np.abs(block).max(axis=1)
            slices = np.arange(start, start + len(level), dtype=np.int64) * bins // frames  # each sample's slice, in order
            firsts = np.flatnonzero(np.r_[True, slices[1:] != slices[:-1]])  # where each slice's run in the block begins
            np.maximum.at(peaks, slices[firsts], np.maximum.reduceat(level, firsts))
            start += len(level)
    return {"seconds": frames / rate if rate else 0.0, "peaks": [round(float(p), 3) for p in np.minimum(peaks, 1.0)]}
