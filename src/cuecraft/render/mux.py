"""Lay the score into the film: copy the picture untouched, mix the score with the film's own sound
(if it has any), and encode AAC, all with PyAV into a new MP4 written atomically."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from cuecraft.atomic import atomic_path

AAC_BIT_RATE = 256_000
av.logging.set_level(av.logging.ERROR)  # FFmpeg's encoders chat at INFO level on stderr (e.g. AAC "Qavg")


def read_film_audio(film: Path, sample_rate: int, n_samples: int) -> np.ndarray | None:
    """The film's first audio track resampled to stereo float at `sample_rate`, padded/cut to n_samples."""
    with av.open(str(film)) as container:
        if not container.streams.audio:
            return None
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=sample_rate)
        chunks = []
        for frame in container.decode(container.streams.audio[0]):
            chunks.extend(f.to_ndarray() for f in resampler.resample(frame))
        chunks.extend(f.to_ndarray() for f in resampler.resample(None))
    audio = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    out = np.zeros((2, n_samples), dtype=np.float32)
    out[:, : min(n_samples, audio.shape[1])] = audio[:, :n_samples]
    return out


def mux_score(film: Path, score: np.ndarray, sample_rate: int, target: Path, production: np.ndarray | None = None) -> None:
    """Write `target`: the film's video stream copied, audio = score (+ `production`, the film's own
    sound as `read_film_audio` gives it, when it is to be kept)."""
    audio = score if production is None else score + production
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 1.0:  # production sound on top of a normalized score can clip: keep the sum in range
        audio = audio / peak
    with av.open(str(film)) as source, atomic_path(target) as tmp, av.open(str(tmp), "w", format="mp4") as out:
        video_in = source.streams.video[0]
        video_out = out.add_stream_from_template(video_in)
        audio_out = out.add_stream("aac", rate=sample_rate, layout="stereo")
        audio_out.bit_rate = AAC_BIT_RATE
        for packet in source.demux(video_in):
            if packet.dts is None:
                continue
            packet.stream = video_out
            out.mux(packet)
        write_audio_frames(out, audio_out, np.ascontiguousarray(audio, dtype=np.float32))


def write_audio_frames(out: av.container.OutputContainer, stream: av.AudioStream, audio: np.ndarray) -> None:
    """Encode planar float audio (channels x samples) into `stream` in 1024-sample frames and flush."""
    rate = stream.rate
    for start in range(0, audio.shape[1], 1024):
        chunk = np.ascontiguousarray(audio[:, start : start + 1024])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        out.mux(stream.encode(frame))
    out.mux(stream.encode())
