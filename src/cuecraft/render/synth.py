"""Offline, sample-accurate SoundFont rendering of MIDI with FluidSynth (via pyfluidsynth).

Events are applied at their exact sample positions by rendering the audio between them in blocks,
in 32-bit float (FluidSynth's own float output), so nothing is clipped or dithered on the way.
Every render gets a fresh synthesizer: effect units (the chorus LFO, reverb tails) would otherwise
carry state from one render into the next, and the same MIDI must always give the same audio.
"""

from __future__ import annotations

from ctypes import c_int, c_void_p
from pathlib import Path

import fluidsynth
import numpy as np
import pretty_midi

from cuecraft.config import SAMPLE_RATE

_write_float = fluidsynth.cfunc(
    "fluid_synth_write_float", c_int,
    ("synth", c_void_p, 1), ("len", c_int, 1),
    ("lout", c_void_p, 1), ("loff", c_int, 1), ("lincr", c_int, 1),
    ("rout", c_void_p, 1), ("roff", c_int, 1), ("rincr", c_int, 1),
)  # fmt: skip
END_FADE_SECONDS = 0.010  # a last-moment fade so audio cut at the out point never clicks
DRUM_CHANNEL = 9
MELODIC_CHANNELS = tuple(c for c in range(16) if c != DRUM_CHANNEL)


class Renderer:
    """Renders MIDI with one SoundFont (a fresh synthesizer per render: about 0.1 s once cached)."""

    def __init__(self, soundfont: Path, sample_rate: int = SAMPLE_RATE, gain: float = 0.5) -> None:
        self.soundfont, self.sample_rate, self.gain = soundfont, sample_rate, gain

    def render(self, midi: pretty_midi.PrettyMIDI, n_samples: int) -> np.ndarray:
        """Stereo float32 audio (2 x n_samples) of `midi`, cut to exactly `n_samples`."""
        synth = fluidsynth.Synth(gain=self.gain, samplerate=float(self.sample_rate))
        try:
            soundfont_id = synth.sfload(str(self.soundfont))
            if soundfont_id < 0:
                raise RuntimeError(f"FluidSynth could not load {self.soundfont}")
            return self._render(synth, soundfont_id, midi, n_samples)
        finally:
            synth.delete()

    def _render(self, synth: fluidsynth.Synth, soundfont_id: int, midi: pretty_midi.PrettyMIDI, n_samples: int) -> np.ndarray:
        events: list[tuple[int, int, int, int, int]] = []  # (sample, order, channel, pitch, velocity)
        for number, instrument in enumerate(midi.instruments):
            channel = DRUM_CHANNEL if instrument.is_drum else MELODIC_CHANNELS[number % len(MELODIC_CHANNELS)]
            synth.program_select(channel, soundfont_id, 128 if instrument.is_drum else 0, instrument.program)
            for note in instrument.notes:
                start, end = (round(t * self.sample_rate) for t in (note.start, note.end))
                events.append((start, 1, channel, note.pitch, note.velocity))
                events.append((max(end, start + 1), 0, channel, note.pitch, 0))  # note-offs sort first
        events.sort()
        blocks, position = [], 0
        for sample, _, channel, pitch, velocity in events:
            if sample >= n_samples:
                break
            blocks.append(_samples(synth, sample - position))
            position = sample
            if velocity:
                synth.noteon(channel, pitch, velocity)
            else:
                synth.noteoff(channel, pitch)
        blocks.append(_samples(synth, n_samples - position))
        return cut(np.concatenate(blocks, axis=1), n_samples, self.sample_rate)


def _samples(synth: fluidsynth.Synth, n: int) -> np.ndarray:
    """The next n stereo frames from the synthesizer as a 2 x n float32 array."""
    buffer = np.zeros(2 * n, dtype=np.float32)
    if n:
        _write_float(synth.synth, n, buffer.ctypes.data, 0, 2, buffer.ctypes.data, 1, 2)
    return buffer.reshape(n, 2).T


def cut(audio: np.ndarray, n_samples: int, sample_rate: int) -> np.ndarray:
    """The first `n_samples` of `audio`, faded out over the last 10 ms so the cut never clicks."""
    out = audio[:, :n_samples].copy()
    fade = min(n_samples, round(END_FADE_SECONDS * sample_rate))
    if fade:
        out[:, n_samples - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return out
