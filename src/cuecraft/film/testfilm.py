"""Synthetic films with known cuts, colours and motion: the demo film and the tests' ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from cuecraft.atomic import atomic_path
from cuecraft.render.mux import write_audio_frames


@dataclass(frozen=True)
class ShotSpec:
    """One shot: its length in frames, background colour (RGB 0..255) and motion speed (0 = static)."""

    frames: int
    colour: tuple[int, int, int]
    speed: float


# Seven shots of distinct look: dawn, night, a chase, a grey office, a forest, a fire, a sunset.
DEMO_SHOTS: tuple[ShotSpec, ...] = (
    ShotSpec(240, (235, 190, 120), 0.3),
    ShotSpec(264, (20, 30, 80), 0.1),
    ShotSpec(192, (200, 40, 30), 3.0),
    ShotSpec(252, (120, 120, 125), 0.2),
    ShotSpec(216, (40, 150, 60), 0.8),
    ShotSpec(180, (250, 110, 20), 2.2),
    ShotSpec(312, (240, 150, 160), 0.4),
)


def make_test_film(
    path: str | Path,
    shots: tuple[ShotSpec, ...] = DEMO_SHOTS,
    fps: int = 24,
    size: tuple[int, int] = (320, 180),
    with_audio: bool = True,
    speech: tuple[tuple[float, float], ...] = (),
) -> list[int]:
    """Write an H.264/AAC MP4 of the given shots and return the first frame of every shot after the first.
    The sound is room tone, with a synthetic voice during each `speech` span (seconds)."""
    width, height = size
    cuts: list[int] = []
    canvas = _Canvas(width, height)
    with atomic_path(path) as tmp, av.open(str(tmp), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "23", "preset": "ultrafast", "g": "48"}
        audio = out.add_stream("aac", rate=48000, layout="stereo") if with_audio else None
        frame_index = 0
        for shot_no, shot in enumerate(shots):
            if shot_no:
                cuts.append(frame_index)
            for i in range(shot.frames):
                image = canvas.draw(shot, i / fps, frame_index)
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts = frame_index
                frame.time_base = Fraction(1, fps)
                out.mux(video.encode(frame))
                frame_index += 1
        out.mux(video.encode())
        if audio is not None:
            _write_sound(out, audio, Fraction(frame_index, fps), speech)
    return cuts


class _Canvas:
    """Draws frames: a vertical gradient of the shot colour, a bright disc moving at the shot's speed, grain."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.yy, self.xx = np.mgrid[0:height, 0:width]
        self.shade = np.linspace(0.75, 1.15, height, dtype=np.float32)[:, None, None]
        self.grain = np.random.default_rng(7).normal(0, 1, (8, height, width, 1)).astype(np.float32)

    def draw(self, shot: ShotSpec, t: float, frame_index: int) -> np.ndarray:
        base = np.array(shot.colour, dtype=np.float32)[None, None, :] * self.shade
        image = np.broadcast_to(base, (self.height, self.width, 3)).copy()
        cx = self.width * (0.5 + 0.4 * np.sin(2 * np.pi * 0.25 * shot.speed * t))
        cy = self.height * (0.5 + 0.3 * np.cos(2 * np.pi * 0.35 * shot.speed * t))
        disc = (self.xx - cx) ** 2 + (self.yy - cy) ** 2 < (self.height * 0.18) ** 2
        image[disc] = 255 - image[disc] * 0.5
        image += self.grain[frame_index % len(self.grain)] * (3 + 4 * shot.speed)
        return np.clip(image, 0, 255).astype(np.uint8)


def _write_sound(out: av.container.OutputContainer, stream: av.AudioStream, duration: Fraction,
                 speech: tuple[tuple[float, float], ...]) -> None:  # fmt: skip
    """Quiet filtered noise standing in for production sound, plus a voice in each speech span."""
    rate = 48000
    n = int(duration * rate)
    noise = np.random.default_rng(3).normal(0, 1, (2, n)).astype(np.float32)
    kernel = np.ones(64, dtype=np.float32) / 64
    sound = np.stack([np.convolve(ch, kernel, mode="same") for ch in noise]) * 0.05
    for start, end in speech:
        first, last = int(start * rate), min(n, int(end * rate))
        sound[:, first:last] += synthetic_voice(last - first, rate)
    write_audio_frames(out, stream, sound.astype(np.float32))


def synthetic_voice(n: int, rate: int) -> np.ndarray:
    """A speech-like signal: a gliding 100-170 Hz voiced source with formant-weighted harmonics,
    shaped into syllables (about 4 per second) with short pauses between words."""
    t = np.arange(n) / rate
    f0 = 135 + 35 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    formants = (500.0, 1500.0, 2500.0)
    weights = [0.05 + sum(np.exp(-((k * 135 - f) / 250.0) ** 2) for f in formants) for k in range(1, 26)]
    voice = sum(w / k**0.5 * np.sin(k * phase) for k, w in enumerate(weights, 1))
    syllables = np.clip(np.sin(2 * np.pi * 4.0 * t), 0, None) ** 0.5 * (np.sin(2 * np.pi * 0.45 * t) > -0.6)
    signal = voice * syllables
    return np.stack([signal, signal]) * (0.3 / max(1e-9, np.abs(signal).max()))
