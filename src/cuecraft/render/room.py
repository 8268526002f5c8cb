"""The room a cue is played in: a stereo impulse response made here (no recorded IR to license)
and convolved with each part's reverb send, as a scoring mixer sends sections to a hall.

The response is built as an acoustician would describe one: a pre-delay, a handful of early
reflections that differ left and right, then a diffuse tail of decorrelated noise decaying at the
room's RT60 — longer in the bass than in the treble, as air and seats absorb high frequencies.
Rooms differ per ensemble: a scoring stage for the orchestra, a smaller hall for chamber strings
and harp, a recital hall for piano, a bright plate for synths (compose.styles names each one).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import butter, oaconvolve, sosfilt

LOW_SPLIT_HZ, HIGH_SPLIT_HZ = 500.0, 4000.0  # band edges of the tail's frequency-dependent decay
DECAY_DB = 60.0
DEFAULT_SEND = 40 / 127  # General MIDI's default reverb depth (CC91 = 40), for parts that set none
REVERB_SEND_CC = 91


@dataclass(frozen=True)
class Room:
    """A room described by the figures a recording engineer would quote."""

    name: str
    rt60: float  # seconds for the mid band to decay 60 dB
    predelay: float  # seconds between the direct sound and the first reflection
    bass_ratio: float = 1.2  # RT60 below 500 Hz relative to the mid band
    treble_ratio: float = 0.55  # RT60 above 4 kHz relative to the mid band
    early: int = 8  # discrete early reflections

    @property
    def length_seconds(self) -> float:
        return self.predelay + self.rt60 * max(1.0, self.bass_ratio)


ROOMS = {
    r.name: r
    for r in (
        Room("scoring stage", rt60=2.1, predelay=0.024),
        Room("chamber hall", rt60=1.5, predelay=0.016),
        Room("recital hall", rt60=1.7, predelay=0.012, treble_ratio=0.5),
        Room("studio", rt60=0.8, predelay=0.008, bass_ratio=1.0, early=5),
        Room("plate", rt60=1.6, predelay=0.004, bass_ratio=0.9, treble_ratio=0.9, early=0),
    )
}


@lru_cache(maxsize=16)
def impulse_response(room: Room, sample_rate: int) -> np.ndarray:
    """The room's stereo impulse response (2 x n, float32) with unit energy per channel; the same
    room always gives the same response (a fixed seed per room)."""
    rng = np.random.default_rng(sum(map(ord, room.name)))
    n = round(room.length_seconds * sample_rate)
    t = np.arange(n) / sample_rate
    response = np.zeros((2, n))
    bands = (
        (butter(2, LOW_SPLIT_HZ, "lowpass", fs=sample_rate, output="sos"), room.rt60 * room.bass_ratio),
        (butter(2, (LOW_SPLIT_HZ, HIGH_SPLIT_HZ), "bandpass", fs=sample_rate, output="sos"), room.rt60),
        (butter(2, HIGH_SPLIT_HZ, "highpass", fs=sample_rate, output="sos"), room.rt60 * room.treble_ratio),
    )
    late = np.clip((t - room.predelay) / 0.03, 0.0, 1.0)  # the diffuse field builds up over ~30 ms
    for channel in range(2):
        noise = rng.standard_normal(n)  # independent per channel: a wide, decorrelated tail
        for sos, rt60 in bands:
            response[channel] += sosfilt(sos, noise) * 10 ** (-DECAY_DB / 20 * t / rt60)
        response[channel] *= late
        for _ in range(room.early):
            delay = room.predelay + rng.uniform(0.004, 0.07)
            response[channel, round(delay * sample_rate)] += rng.uniform(0.6, 1.4) * np.exp(-delay / 0.05) * 6
    response /= np.sqrt((response**2).sum(axis=1, keepdims=True))
    return response.astype(np.float32)


def room_return(send: np.ndarray, room: Room, sample_rate: int) -> np.ndarray:
    """The room's whole return for a stereo send (2 x n): n plus the response's length, ringing on.
    Each ear's response is convolved with its own side plus the other side at half level, so a part
    panned to one side still fills the room. A plain linear convolution (scipy), so the returns of
    stems add up like the stems do, and so do the returns of consecutive pieces of one send."""
    crossed = np.stack([send[0] + 0.5 * send[1], send[1] + 0.5 * send[0]]) / np.float32(np.sqrt(1.25))
    return oaconvolve(crossed, impulse_response(room, sample_rate), axes=1).astype(np.float32, copy=False)


def add_return(out: np.ndarray, first: int, wet: np.ndarray) -> None:
    """Add a piece's return `wet`, which starts at sample `first`, into `out` (as far as `out` reaches)."""
    last = min(out.shape[1], first + wet.shape[1])
    out[:, first:last] += wet[:, : last - first]
