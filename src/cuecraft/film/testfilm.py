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
    """One shot: its length in frames, background colour (RGB 0..255), motion speed (0 = static) and
    whether it is framed the other way (light from below: a reverse angle on the same scene)."""

    frames: int
    colour: tuple[int, int, int]
    speed: float
    reverse: bool = False


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

# Five scenes of four shots each (shot/reverse shot: light, framing and motion shift a little within a scene):
# a blue night, a warm interior, a grey street chase, a green forest, a red fire. 120 s in all.
SCENES_FILM: tuple[ShotSpec, ...] = tuple(
    ShotSpec(frames, tuple(min(255, round(c * gain)) for c in colour), speed * (1 + 0.15 * (k % 2)), bool(k % 2))  # type: ignore[misc]
    for colour, speed, lengths in (
        ((25, 35, 90), 0.15, (150, 130, 140, 156)),
        ((200, 140, 90), 0.3, (120, 170, 130, 140)),
        ((125, 125, 130), 2.5, (110, 150, 140, 176)),
        ((45, 140, 60), 0.6, (160, 120, 150, 146)),
        ((220, 60, 30), 1.8, (140, 140, 130, 166)),
    )
    for k, (frames, gain) in enumerate(zip(lengths, (1.0, 1.2, 0.85, 1.1)))
)


CODECS = {".mp4": ("libx264", "aac"), ".mkv": ("libx264", "aac"), ".webm": ("libvpx-vp9", "libopus"), ".mov": ("prores_ks", "aac")}


def make_test_film(
    path: str | Path,
    shots: tuple[ShotSpec, ...] = DEMO_SHOTS,
    fps: int | Fraction = 24,
    size: tuple[int, int] = (320, 180),
    with_audio: bool = True,
    speech: tuple[tuple[float, float], ...] = (),
    voice: np.ndarray | None = None,
    layout: str = "stereo",
    b_frames: bool = False,
    variable_rate: bool = False,
) -> list[int]:
    """Write a film of the given shots and return the first frame of every shot after the first. The
    container follows the file's suffix (MP4 or Matroska: H.264/AAC; WebM: VP9/Opus; QuickTime:
    ProRes/AAC); `b_frames` encodes H.264 as x264 does by default (B-frames, reordered), else without;
    `variable_rate` jitters every frame's time as a phone does (the frames average `fps`). The sound
    (`layout`: stereo or 5.1) is room tone, with `voice` (mono at 48 kHz: a recorded line) spoken,
    repeated as need be, through each `speech` span (seconds), in the centre channel of a 5.1 film."""
    width, height = size
    video_codec, audio_codec = CODECS[Path(path).suffix.lower()]
    cuts: list[int] = []
    canvas = _Canvas(width, height)
    rng = np.random.default_rng(11)
    tick = Fraction(1, 90000)
    with atomic_path(path) as tmp, av.open(str(tmp), "w", format=FORMATS[Path(path).suffix.lower()]) as out:
        video = out.add_stream(video_codec, rate=fps)
        video.width, video.height = width, height
        video.pix_fmt = "yuv422p10le" if video_codec == "prores_ks" else "yuv420p"
        if video_codec == "libx264":
            video.options = {"crf": "23", "preset": "veryfast" if b_frames else "ultrafast", "g": "48"}
        elif video_codec == "libvpx-vp9":
            video.options = {"crf": "40", "b": "0", "deadline": "realtime", "cpu-used": "8"}
        if variable_rate:
            video.time_base = video.codec_context.time_base = tick
        audio = out.add_stream(audio_codec, rate=48000, layout=layout) if with_audio else None
        frame_index = 0
        for shot_no, shot in enumerate(shots):
            if shot_no:
                cuts.append(frame_index)
            for i in range(shot.frames):
                image = canvas.draw(shot, i / float(fps), frame_index)
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                if variable_rate:  # each frame up to a third of a frame early or late, in order
                    frame.pts = round((frame_index + rng.uniform(-0.33, 0.33)) / Fraction(fps) / tick)
                    frame.time_base = tick
                else:
                    frame.pts = frame_index
                    frame.time_base = 1 / Fraction(fps)
                out.mux(video.encode(frame))
                frame_index += 1
        out.mux(video.encode())
        if audio is not None:
            _write_sound(out, audio, frame_index / Fraction(fps), speech, voice)
    return cuts


FORMATS = {".mp4": "mp4", ".mkv": "matroska", ".webm": "webm", ".mov": "mov"}


class _Canvas:
    """Draws frames: a vertical gradient of the shot colour, a bright disc moving at the shot's speed, grain."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.yy, self.xx = np.mgrid[0:height, 0:width]
        self.shade = np.linspace(0.75, 1.15, height, dtype=np.float32)[:, None, None]
        self.grain = np.random.default_rng(7).normal(0, 1, (8, height, width, 1)).astype(np.float32)

    def draw(self, shot: ShotSpec, t: float, frame_index: int) -> np.ndarray:
        base = np.array(shot.colour, dtype=np.float32)[None, None, :] * (self.shade[::-1] if shot.reverse else self.shade)
        image = np.broadcast_to(base, (self.height, self.width, 3)).copy()
        cx = self.width * (0.5 + 0.4 * np.sin(2 * np.pi * 0.25 * shot.speed * t))
        cy = self.height * (0.5 + 0.3 * np.cos(2 * np.pi * 0.35 * shot.speed * t))
        disc = (self.xx - cx) ** 2 + (self.yy - cy) ** 2 < (self.height * 0.18) ** 2
        image[disc] = 255 - image[disc] * 0.5
        image += self.grain[frame_index % len(self.grain)] * (3 + 4 * shot.speed)
        return np.clip(image, 0, 255).astype(np.uint8)


def _write_sound(out: av.container.OutputContainer, stream: av.AudioStream, duration: Fraction,
                 speech: tuple[tuple[float, float], ...], voice: np.ndarray | None) -> None:  # fmt: skip
    """Quiet filtered noise standing in for production sound, plus the voice in each speech span (in
    the centre of a 5.1 track, where dialogue goes)."""
    rate = stream.rate
    n = int(duration * rate)
    channels = stream.layout.nb_channels
    noise = np.random.default_rng(3).normal(0, 1, (channels, n)).astype(np.float32)
    kernel = np.ones(64, dtype=np.float32) / 64
    sound = np.stack([np.convolve(ch, kernel, mode="same") for ch in noise]) * 0.05
    if speech and (voice is None or not voice.size):
        raise ValueError("speech spans need a voice recording")
    speaking = [2] if channels == 6 else list(range(channels))
    for start, end in speech:
        first, last = int(start * rate), min(n, int(end * rate))
        sound[speaking, first:last] += np.resize(voice, last - first)[None, :]
    write_audio_frames(out, stream, sound.astype(np.float32))
