"""The score's mix made in blocks, so its memory does not grow with the film: each cue's audio is kept
on disk where it lies on the timeline, ducked under the dialogue map; a first pass measures loudness,
a second writes score.wav at the target gain (through the true-peak limiter, which acts only where peaks
would pass the ceiling) and measures what it wrote, and the gain is corrected and written again until the loudness
is on target (render.loudness does the same to arrays held whole)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile

from cuecraft.render.ducking import duck_curve
from cuecraft.render.loudness import LIMITER_MARGIN_DB, MAX_PASSES, LoudnessMeter, LoudnessReport, limiter_reach, peak_gain

BLOCK_S = 20.0


class PlacedCues:
    """Cue audio (channels x samples) placed at sample offsets on a timeline `total` samples long, each
    kept in a .npy file in `folder` and read back a block at a time."""

    def __init__(self, folder: Path, total: int, sample_rate: int) -> None:
        self.folder, self.total, self.rate = folder, total, sample_rate
        folder.mkdir(parents=True, exist_ok=True)
        self.cues: list[tuple[int, int, Path]] = []  # start, length (samples), where the audio waits
        self.dialogue: list[tuple[float, float]] = []
        self.duck_db = 0.0

    def add(self, start: int, audio: np.ndarray) -> None:
        path = self.folder / f"{len(self.cues):05d}.npy"
        np.save(path, audio.astype(np.float32, copy=False))
        self.cues.append((start, audio.shape[1], path))

    def duck(self, dialogue: list[tuple[float, float]], depth_db: float) -> None:
        """Dip the music by `depth_db` under these spans (seconds), as render.ducking shapes it."""
        self.dialogue, self.duck_db = dialogue, depth_db

    def block(self, first: int, n: int) -> np.ndarray:
        """Samples [first, first + n) of the mix (zeros outside the timeline)."""
        out = np.zeros((2, n), dtype=np.float32)
        for start, length, path in self.cues:
            lo, hi = max(first, start, 0), min(first + n, start + length, self.total)
            if lo < hi:  # only the cues sounding in the block are opened
                out[:, lo - first : hi - first] += np.load(path, mmap_mode="r")[:, lo - start : hi - start]
        if self.dialogue and self.duck_db > 0:
            out *= duck_curve(self.dialogue, n, self.rate, self.duck_db, first=first)
        return out

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        size = round(BLOCK_S * self.rate)
        for first in range(0, self.total, size):
            yield first, self.block(first, min(size, self.total - first))


def write_normalized(cues: PlacedCues, target: Path, target_lufs: float, ceiling_dbtp: float) -> LoudnessReport:
    """Write the mix of `cues` to `target` (24-bit WAV) at `target_lufs` with true peaks under `ceiling_dbtp`."""
    meter = LoudnessMeter(cues.rate, true_peak=False)  # the limiter finds the peaks it must hold down itself
    for _, block in cues.blocks():
        meter.feed(block)
    loudness = meter.integrated()
    if not np.isfinite(loudness):  # no cue has music (a cue sheet may say so): the score is silence
        _write(cues, target, 1.0, None)
        return LoudnessReport(loudness, float("-inf"), 0.0, 0.0)
    gain_db = target_lufs - loudness
    for _ in range(MAX_PASSES):
        out = _write(cues, target, 10 ** (gain_db / 20), ceiling_dbtp - LIMITER_MARGIN_DB)
        error = target_lufs - out.integrated()
        if abs(error) < 0.05:
            break
        gain_db += error
    return LoudnessReport(out.integrated(), out.true_peak_dbtp(), gain_db, out.loudness_range())


def _write(cues: PlacedCues, target: Path, gain: float, ceiling_dbtp: float | None) -> LoudnessMeter:
    """One pass: the mix times `gain`, limited under `ceiling_dbtp` if given, written and measured."""
    meter = LoudnessMeter(cues.rate)
    margin = limiter_reach(cues.rate)  # the limiter's look-ahead reaches across block joins
    with soundfile.SoundFile(target, "w", samplerate=cues.rate, channels=2, subtype="PCM_24") as wav:
        for first, block in cues.blocks():
            out = block * np.float32(gain)
            if ceiling_dbtp is not None:
                wide = cues.block(first - margin, block.shape[1] + 2 * margin) * np.float32(gain)
                out = out * peak_gain(wide, cues.rate, ceiling_dbtp)[margin : margin + block.shape[1]]
            meter.feed(out)
            wav.write(out.T)
    return meter
