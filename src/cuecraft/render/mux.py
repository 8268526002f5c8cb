"""Lay the score into the film: copy the picture untouched, mix the score into the film's own sound
(if it has any, in its own channel layout), and encode AAC, all with PyAV into a new MP4 written atomically.
The film's sound is decoded once, block by block; where score and sound together would pass the ceiling,
a look-ahead limiter holds that moment down (the rest of the film keeps its level)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from pathlib import Path

import av
import numpy as np
import soundfile

from cuecraft.atomic import atomic_path
from cuecraft.executors import run_in_order, stretch_count, stretches
from cuecraft.render.loudness import LIMITER_MARGIN_DB, limiter_reach, peak_gain

AAC_BIT_RATE = 256_000  # per stereo pair
SCORED_MP4, SCORED_MOV = "scored.mp4", "scored.mov"
MP4_VIDEO_CODECS = {"h264", "hevc", "vp9", "av1", "mpeg4"}  # what an MP4 carries as is
MUX_BLOCK_S = 10
AAC_FRAME = 1024  # samples per AAC frame: stretches start on the frame grid, so their packets splice
ENCODER_OVERLAP = 32768  # samples each stretch's encoder hears either side: at a join the SNR of one encoder (4096 lost 3 dB)
LAID_IN_CEILING_DBTP = -1.0  # production sound and a normalized score can pass full scale together


def read_film_audio(film: Path, sample_rate: int, n_samples: int, keep_layout: bool = False) -> np.ndarray | None:
    """The film's first audio track as float at `sample_rate`, padded/cut to n_samples: folded to stereo
    (for listening and measuring), or in its own channel layout with `keep_layout`. None without sound."""
    with av.open(str(film)) as container:
        if not container.streams.audio:
            return None
    return next(film_sound_blocks(film, sample_rate, max(1, n_samples), keep_layout))[:, :n_samples]


def lay_in(score: np.ndarray, production: np.ndarray | None) -> np.ndarray:
    """The film's sound with the stereo score added: into its front left and right (a 5.1 film's centre,
    where the dialogue is, its LFE and surrounds are left untouched); the score alone without sound."""
    if production is None:
        return score
    mixed = production.copy()
    mixed[:2] += score
    return mixed


def film_sound_blocks(film: Path, sample_rate: int, block: int, keep_layout: bool = True) -> Iterator[np.ndarray]:
    """The film's first audio track as float at `sample_rate` (its own layout, or folded to stereo), in
    blocks of `block` samples, decoded as they are asked for; silence for ever after its end."""
    with av.open(str(film)) as container:
        stream = container.streams.audio[0]
        layout = stream.layout.name if keep_layout else "stereo"
        channels = stream.layout.nb_channels if keep_layout else 2
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=sample_rate)
        pending, held = [], 0
        for frame in chain(container.decode(stream), [None]):
            for out in resampler.resample(frame):
                pending.append(out.to_ndarray())
                held += pending[-1].shape[1]
            while held >= block:
                joined = np.concatenate(pending, axis=1)
                yield joined[:, :block]
                pending, held = [joined[:, block:]], joined.shape[1] - block
    rest = np.concatenate(pending, axis=1) if pending else np.zeros((channels, 0), np.float32)
    while True:
        out = np.zeros((channels, block), np.float32)
        out[:, : rest.shape[1]] = rest[:, :block]
        rest = rest[:, block:]
        yield out


def mux_score(film: Path, score: Path, folder: Path, keep_film_sound: bool = True, workers: int | None = None) -> Path:
    """Write the scored film into `folder` and return its path: the film's video stream copied, audio = the
    score (a WAV as long as the film) laid into the film's own sound (in its channel layout: stereo,
    5.1 ...) when `keep_film_sound`, else the score alone, as AAC, a block at a time. MP4 (scored.mp4),
    or QuickTime (scored.mov) for pictures MP4 cannot carry, such as ProRes. The sound is encoded in
    `workers` stretches at once (None: one per core from executors.SPLIT_MIN_S of film), spliced as one encoder's."""
    with av.open(str(film)) as source:
        codec = source.streams.video[0].codec_context.name
        with_sound = bool(source.streams.audio) and keep_film_sound
        layout = source.streams.audio[0].layout.name if with_sound else "stereo"
    target = folder / (SCORED_MP4 if codec in MP4_VIDEO_CODECS else SCORED_MOV)
    info = soundfile.info(score)
    spans = [SoundStretch(str(film), str(score), start, end, layout, with_sound)
             for start, end in stretches(info.frames, stretch_count(info.duration, workers), grid=AAC_FRAME)]  # fmt: skip
    with av.open(str(film)) as source, atomic_path(target) as tmp, av.open(str(tmp), "w", format=target.suffix[1:]) as out:
        video_in = source.streams.video[0]
        video_out = out.add_stream_from_template(video_in)
        audio_out = out.add_stream("aac", rate=info.samplerate, layout=layout)
        audio_out.bit_rate = AAC_BIT_RATE * audio_out.layout.nb_channels // 2
        for packet in source.demux(video_in):
            if packet.dts is None:
                continue
            packet.stream = video_out
            out.mux(packet)
        for packets in run_in_order(encode_stretch, spans, workers=len(spans)):  # spliced in film order
            for pts, data, duration in packets:
                packet = av.Packet(data)
                packet.pts = packet.dts = pts
                packet.duration, packet.time_base, packet.stream = duration, Fraction(1, info.samplerate), audio_out
                out.mux(packet)
    return target


@dataclass(frozen=True)
class SoundStretch:
    """Samples [start, end) of the scored film's sound: the score at `score` (laid into the film's own
    sound when `with_sound`) in the channel `layout`."""

    film: str
    score: str
    start: int
    end: int
    layout: str
    with_sound: bool


def encode_stretch(stretch: SoundStretch) -> list[tuple[int, bytes, int]]:
    """The AAC packets (pts in samples of the whole film, data, duration) of one stretch of the laid-in
    sound. Its encoder starts ENCODER_OVERLAP samples early and runs as far past the end, so where two
    stretches meet both encoders have heard the same music: the decoder's overlap-add across the join
    is then what one encoder would have given it. The limiter is run from far enough back to hold the
    stretch's peaks as one pass over the film does (the film's sound before it is decoded and passed over)."""
    info = soundfile.info(stretch.score)
    rate, block = info.samplerate, MUX_BLOCK_S * info.samplerate
    begin = max(0, stretch.start - ENCODER_OVERLAP) // AAC_FRAME * AAC_FRAME  # on the frame grid, as the stretch's start is
    stop = min(info.frames, stretch.end + ENCODER_OVERLAP)
    first = max(0, begin - limiter_reach(rate)) // block  # the block the limiter starts from
    production = film_sound_blocks(Path(stretch.film), rate, block) if stretch.with_sound else None
    if production is not None:
        for _ in range(first):
            next(production)
    music = soundfile.blocks(stretch.score, blocksize=block, always_2d=True, dtype="float32", start=first * block)
    laid_in = (lay_in(m.T, next(production)[:, : m.shape[0]] if production is not None else None) for m in music)
    context = av.CodecContext.create("aac", "w")
    context.sample_rate, context.layout, context.format = rate, stretch.layout, "fltp"
    context.bit_rate, context.time_base = AAC_BIT_RATE * context.layout.nb_channels // 2, Fraction(1, rate)
    context.open()
    packets: list[av.Packet] = []
    encoder = AudioEncoder(context.encode, packets.extend, stretch.layout, rate, context.frame_size or AAC_FRAME)
    at = first * block
    for audio in limited(laid_in, rate, LAID_IN_CEILING_DBTP if production is not None else None):
        lo, hi = max(at, begin), min(at + audio.shape[1], stop)
        if lo < hi:
            encoder.write(audio[:, lo - at : hi - at])
        at += audio.shape[1]
        if at >= stop:
            break
    encoder.close()
    own = [(begin + p.pts, bytes(p), p.duration) for p in packets]
    return [p for p in own if (stretch.start == 0 or p[0] >= stretch.start) and (stretch.end == info.frames or p[0] < stretch.end)]


def limited(blocks: Iterator[np.ndarray], rate: int, ceiling_dbtp: float | None) -> Iterator[np.ndarray]:
    """The blocks (channels x samples) with true peaks held under `ceiling_dbtp` by the look-ahead limiter,
    linked across channels and left alone (gain exactly 1) wherever the sum stays under it; each block
    is given out once the next has come, so the limiter sees across the join. None: passed as they are."""
    if ceiling_dbtp is None:
        yield from blocks
        return
    margin = limiter_reach(rate)
    before, current = None, None
    for following in chain(blocks, [None]):
        if current is not None:
            after = following[:, :margin] if following is not None else np.zeros((current.shape[0], 0), np.float32)
            wide = np.concatenate([before if before is not None else after[:, :0], current, after], axis=1)
            before = current[:, -margin:]  # as it came: the next block's gain sees the peaks the limiter is releasing from
            lead = wide.shape[1] - after.shape[1] - current.shape[1]
            yield current * peak_gain(wide, rate, ceiling_dbtp - LIMITER_MARGIN_DB)[lead : lead + current.shape[1]]
        current = following


def write_audio_frames(out: av.container.OutputContainer, stream: av.AudioStream, audio: np.ndarray) -> None:
    """Encode planar float audio (channels x samples, as many as the stream's layout) into `stream` and flush."""
    encoder = AudioEncoder(stream.encode, out.mux, stream.layout.name, stream.rate, stream.frame_size or AAC_FRAME)
    encoder.write(audio)
    encoder.close()


class AudioEncoder:
    """Feeds planar float audio, in blocks of any size, to an audio encoder (`encode`: a frame, or None to
    flush, to packets) in frames of its `size`, handing its packets to `sink`."""

    def __init__(self, encode: Callable[[av.AudioFrame | None], list[av.Packet]], sink: Callable[[list[av.Packet]], object],
                 layout: str, rate: int, size: int) -> None:  # fmt: skip
        self.encode, self.sink, self.layout, self.rate, self.size = encode, sink, layout, rate, size
        self.pending = np.zeros((av.AudioLayout(layout).nb_channels, 0), np.float32)
        self.written = 0

    def write(self, audio: np.ndarray) -> None:
        self.pending = np.concatenate([self.pending, audio.astype(np.float32)], axis=1)
        while self.pending.shape[1] >= self.size:
            self._frame(self.pending[:, : self.size])
            self.pending = self.pending[:, self.size :]

    def close(self) -> None:
        if self.pending.shape[1]:
            self._frame(self.pending)
        self.sink(self.encode(None))

    def _frame(self, chunk: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp", layout=self.layout)
        frame.sample_rate = self.rate
        frame.pts = self.written
        frame.time_base = Fraction(1, self.rate)
        self.written += chunk.shape[1]
        self.sink(self.encode(frame))
