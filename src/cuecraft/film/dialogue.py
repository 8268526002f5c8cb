"""Where people speak in the film's own sound: Silero VAD (MIT), a small neural voice detector that
ships its weights in its package (`silero-vad`), run on 16 kHz mono. Its sequence model (ONNX Runtime)
gives the streaming model's probabilities a block of 512 windows per call instead of one window per
call: a 20-minute film is listened to in about 2 s instead of 21.

It tells speech from music and effects far better than an energy rule (which took a trailer's
dragon roar and drums for dialogue), but a line spoken under loud music can be missed: measured
on the Sintel trailer against its subtitles in bench/dialogue_detection.py. Subtitles, when
given, are the better dialogue map (film.subtitles).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

RATE = 16000
THRESHOLD = 0.5  # Silero's speech probability above which a 32 ms window is speech (its default)
BRIDGE_S, MIN_REGION_S = 0.5, 0.25


@lru_cache(maxsize=1)
def _model():  # noqa: ANN202 (silero_vad's SileroVADSequence: an ONNX Runtime session on one thread)
    from silero_vad import load_silero_vad

    return load_silero_vad(sequence=True)


def detect_speech(audio: np.ndarray, sample_rate: int) -> list[tuple[float, float]]:
    """Speech regions (start, end) in seconds of channels x samples audio (or mono samples)."""
    from silero_vad.sequence_vad import get_speech_timestamps_sequence

    mono = audio.mean(axis=0) if audio.ndim == 2 else audio
    mono = resample_poly(mono.astype(np.float64), RATE, sample_rate) if sample_rate != RATE else mono.astype(np.float64)
    if mono.size < RATE // 10 or not np.any(mono):
        return []
    found = get_speech_timestamps_sequence(mono.astype(np.float32), _model(), threshold=THRESHOLD, sampling_rate=RATE,
                                           min_silence_duration_ms=round(1000 * BRIDGE_S))  # fmt: skip
    regions = [(s["start"] / RATE, s["end"] / RATE) for s in found]
    return [(round(s, 3), round(e, 3)) for s, e in regions if e - s >= MIN_REGION_S]


CHUNK_S = 600.0  # a long film's sound is listened to ten minutes at a time


def speech_in_film(film: Path, seconds: float) -> list[tuple[float, float]]:
    """Speech regions (start, end) in seconds of the film's own sound, read and searched a chunk at a
    time (its memory does not grow with the film); a line cut by a chunk's edge is joined up again."""
    from cuecraft.render.mux import film_sound_blocks

    chunk = round(CHUNK_S * RATE)
    regions: list[tuple[float, float]] = []
    blocks = film_sound_blocks(film, RATE, chunk, keep_layout=False)
    for k in range(max(1, int(np.ceil(seconds / CHUNK_S)))):
        offset = k * CHUNK_S
        for start, end in detect_speech(next(blocks)[:, : max(0, round((seconds - offset) * RATE))], RATE):
            start, end = start + offset, end + offset
            if regions and start - regions[-1][1] < BRIDGE_S:
                regions[-1] = (regions[-1][0], round(end, 3))
            else:
                regions.append((round(start, 3), round(end, 3)))
    return regions
