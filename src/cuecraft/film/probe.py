"""Probe a video with PyAV: frame count, frame rate, size, audio presence."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from cuecraft.errors import CuecraftError
from cuecraft.project import FilmInfo


def probe_video(path: str | Path) -> FilmInfo:
    """Return the film's facts, or raise CuecraftError naming the file and what is wrong with it."""
    path = Path(path)
    if path.is_dir():
        raise CuecraftError(path, "is a folder, not a video file")
    if not path.is_file():
        raise CuecraftError(path, "no such file")
    try:
        with av.open(str(path)) as container:
            if not container.streams:
                raise CuecraftError(path, "film has zero length (the file holds no streams)")
            if not container.streams.video:
                raise CuecraftError(path, "has no video stream")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            if not rate:
                raise CuecraftError(path, "video stream has no frame rate")
            variable = _variable_frame_rate(container, stream)
            container.seek(0)
            if variable:  # a phone's timing: put the film on the nearest standard frame grid (film.picture maps frames onto it)
                rate = grid_rate(rate)
                n_frames = max(1, round(_duration_s(container, stream) * rate))
            else:
                n_frames = _count_video_packets(container, stream)
                if stream.frames and n_frames < stream.frames:
                    raise CuecraftError(path, f"is cut short: its header promises {stream.frames} frames, the file holds {n_frames}")
            audio = container.streams.audio[0] if container.streams.audio else None
            info = FilmInfo(
                path=str(path.resolve()),
                n_frames=n_frames,
                fps_num=rate.numerator,
                fps_den=rate.denominator,
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                has_audio=audio is not None,
                audio_channels=audio.codec_context.channels if audio is not None else 0,
                variable_rate=variable,
            )
    except av.FFmpegError as exc:
        raise CuecraftError(path, f"not a readable video ({exc.strerror or exc.__class__.__name__})") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise CuecraftError(path, f"not a readable video ({exc})") from None
    if info.n_frames == 0:
        raise CuecraftError(path, "film has zero length (no video frames)")
    if info.duration_s < MIN_FILM_S:
        raise CuecraftError(path, f"is a still image or too short to score ({info.n_frames} frame(s), {info.duration_s:.2f} s; at least {MIN_FILM_S:g} s)")
    return info


MIN_FILM_S = 1.0  # shorter is a still or a flash: nothing to score
VFR_SAMPLE = 240  # packets examined: enough to see a phone's variable frame timing
REORDER_DEPTH = 16  # B-frames arrive up to this many packets before frames shown earlier


def _variable_frame_rate(container: av.container.InputContainer, stream: av.VideoStream) -> bool:
    """Whether the first frames' durations differ (more than a tick of rounding) from one another.
    Packets come in decode order: with B-frames the last few presentation times of a window jump past
    frames not yet read, so the window's tail (the reorder depth) is left out once sorted."""
    stamps = []
    for packet in container.demux(stream):
        if packet.pts is not None and packet.size > 0:
            stamps.append(packet.pts)
        if len(stamps) >= VFR_SAMPLE + REORDER_DEPTH:
            break
    ordered = sorted(stamps)
    steps = np.diff(ordered[: max(3, len(ordered) - REORDER_DEPTH)] if len(stamps) >= VFR_SAMPLE + REORDER_DEPTH else ordered)
    return bool(steps.size > 2 and steps.max() - steps.min() > 1)


STANDARD_RATES = (Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30), Fraction(50),
                  Fraction(60000, 1001), Fraction(60))  # fmt: skip


def grid_rate(average: Fraction) -> Fraction:
    """The standard frame rate within 2 % of a variable-rate film's average, else the average itself."""
    nearest = min(STANDARD_RATES, key=lambda r: abs(float(r - average)))
    return nearest if abs(float(nearest - average)) <= 0.02 * float(nearest) else Fraction(average).limit_denominator(1001)


def _duration_s(container: av.container.InputContainer, stream: av.VideoStream) -> float:
    """The video's length in seconds from its timestamps (last frame's time plus one average frame)."""
    stamps = [p.pts for p in container.demux(stream) if p.pts is not None and p.size > 0]
    container.seek(0)
    if not stamps:
        return 0.0
    first, last = min(stamps), max(stamps)
    step = (last - first) / max(1, len(stamps) - 1)
    return float((last - first + step) * stream.time_base)


def _count_video_packets(container: av.container.InputContainer, stream: av.VideoStream) -> int:
    """Count the video packets when the header does not state a frame count (cheap: no decoding)."""
    return sum(1 for packet in container.demux(stream) if packet.size > 0)
