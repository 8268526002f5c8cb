"""Offline, sample-accurate SoundFont rendering of MIDI with FluidSynth (via pyfluidsynth).

The renderer plays everything the MIDI says — notes, control changes (expression, modulation,
sustain pedal, pan, volume) and pitch bends — at their exact sample positions, by rendering the
audio between events in blocks, in 32-bit float. Each instrument gets its own MIDI channel and its
own stereo output (FluidSynth's audio groups), so one pass yields every part dry: the room
(render.room) is added afterwards per part, as a mixer's sends would. FluidSynth's own reverb and
chorus are off, and every render gets a fresh synthesizer, so the same MIDI always gives the same audio
(a reused one is not: its recycled voices start from their last state). The SoundFont itself is
parsed once per process and lent to each fresh synthesizer (parsing MuseScore General takes 0.5 s).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from ctypes import c_int, c_void_p
from pathlib import Path

import fluidsynth
import numpy as np
import pretty_midi

from cuecraft.config import SAMPLE_RATE

_get_sfont = fluidsynth.cfunc("fluid_synth_get_sfont_by_id", c_void_p, ("synth", c_void_p, 1), ("id", c_int, 1))
_add_sfont = fluidsynth.cfunc("fluid_synth_add_sfont", c_int, ("synth", c_void_p, 1), ("sfont", c_void_p, 1))
_remove_sfont = fluidsynth.cfunc("fluid_synth_remove_sfont", c_int, ("synth", c_void_p, 1), ("sfont", c_void_p, 1))
_set_log_function = fluidsynth.cfunc("fluid_set_log_function", c_void_p, ("level", c_int, 1), ("fun", c_void_p, 1), ("data", c_void_p, 1))
FLUID_WARN = 2
_process = fluidsynth.cfunc(
    "fluid_synth_process", c_int,
    ("synth", c_void_p, 1), ("len", c_int, 1),
    ("nfx", c_int, 1), ("fx", c_void_p, 1),
    ("nout", c_int, 1), ("out", c_void_p, 1),  # an array of 2 x 16 float pointers
)  # fmt: skip
END_FADE_SECONDS = 0.010  # a last-moment fade so audio cut at the out point never clicks
DRUM_CHANNEL = 9
MELODIC_CHANNELS = tuple(c for c in range(16) if c != DRUM_CHANNEL)
BLOCK = 4096  # frames per fluid_synth_process call (its buffers are ours, any length works)
CHUNK = 960_000  # samples a pass hands over at a time (20 s at 48 kHz): a long cue's parts never exist whole
NOTE_OFF, CONTROL, NOTE_ON = 0, 1, 2  # order of events on one sample: releases, then controllers, then attacks


_LOADED: dict[Path, tuple[fluidsynth.Synth, int]] = {}  # each SoundFont, parsed once, held by a synth of its own
_LOCK = threading.Lock()  # one pass at a time per process: the lent SoundFont is shared state


def _loaded_sfont(path: Path) -> int:
    """The process's parsed copy of a SoundFont (a fluid_sfont_t pointer), loading it on first use. Its
    samples are loaded as a pass selects the instruments that use them and let go after (FluidSynth's
    dynamic sample loading): a General MIDI SoundFont holds hundreds of MB of samples, a cue uses a few
    instruments, and every worker process would otherwise hold all of them."""
    if path not in _LOADED:
        holder = fluidsynth.Synth(channels=16, **{"synth.dynamic-sample-loading": 1})
        soundfont_id = holder.sfload(str(path))
        if soundfont_id < 0:
            holder.delete()
            raise RuntimeError(f"FluidSynth could not load {path}")
        _LOADED[path] = (holder, soundfont_id)
    holder, soundfont_id = _LOADED[path]
    return _get_sfont(holder.synth, soundfont_id)


def _lend_back(synth: fluidsynth.Synth, sfont: int) -> None:
    """Take the lent SoundFont out of `synth` (so deleting it does not free the SoundFont) and delete
    it. Taking it out resets every channel's program, which FluidSynth reports as 16 warnings about
    missing presets: those are silenced for that moment only."""
    default_warning = _set_log_function(FLUID_WARN, None, None)
    try:
        _remove_sfont(synth.synth, sfont)
    finally:
        _set_log_function(FLUID_WARN, default_warning, None)
    synth.delete()


class Renderer:
    """Renders MIDI with one SoundFont (a fresh synthesizer per pass: well under a second once cached)."""

    def __init__(self, soundfont: Path, sample_rate: int = SAMPLE_RATE, gain: float = 0.5) -> None:
        self.soundfont, self.sample_rate, self.gain = soundfont, sample_rate, gain

    def render(self, midi: pretty_midi.PrettyMIDI, n_samples: int) -> np.ndarray:
        """Stereo float32 audio (2 x n_samples) of `midi`, cut to exactly `n_samples`, dry."""
        mix = np.zeros((2, n_samples), dtype=np.float32)
        for first, parts in self.parts_in_chunks(midi, n_samples):
            for index in sorted(parts):
                mix[:, first : first + parts[index].shape[1]] += parts[index]
        return mix

    def parts_in_chunks(self, midi: pretty_midi.PrettyMIDI, n_samples: int) -> Iterator[tuple[int, dict[int, np.ndarray]]]:
        """(first sample, {instrument index: its dry audio, 2 x up to CHUNK samples}) through `n_samples`,
        so a long cue's parts never have to exist whole; the arrays are reused for the next chunk.
        Up to 15 pitched instruments and the drums share one pass; more take further passes. Drum
        instruments share MIDI channel 10, so their sound comes on the first of them. Each part is
        faded out over the last 10 ms, so audio cut at `n_samples` never clicks."""
        instruments = midi.instruments
        pitched = [i for i, inst in enumerate(instruments) if not inst.is_drum]
        drums = [i for i, inst in enumerate(instruments) if inst.is_drum]
        passes = [pitched[k : k + len(MELODIC_CHANNELS)] for k in range(0, max(1, len(pitched)), len(MELODIC_CHANNELS))]
        fade = np.linspace(1.0, 0.0, min(n_samples, round(END_FADE_SECONDS * self.sample_rate)), dtype=np.float32)
        for number, group in enumerate(passes):
            channels = {index: channel for index, channel in zip(group, MELODIC_CHANNELS)}
            if number == 0:
                channels |= {index: DRUM_CHANNEL for index in drums}
            if not channels:
                continue
            fade_from = n_samples - fade.size
            for first, outputs in self._pass(midi, channels, n_samples):
                lo, hi = max(first, fade_from), first + outputs.shape[2]  # the part of the fade in this chunk
                if lo < hi:
                    outputs[..., lo - first : hi - first] *= fade[lo - fade_from : hi - fade_from]
                yield first, {index: outputs[channel] for index, channel in channels.items() if channel != DRUM_CHANNEL or index == drums[0]}

    def _pass(self, midi: pretty_midi.PrettyMIDI, channels: dict[int, int], n_samples: int) -> Iterator[tuple[int, np.ndarray]]:
        """One synthesizer run of the instruments at `channels` (instrument index -> MIDI channel), chunk
        by chunk: (first sample, a channels x 2 x chunk array of each channel's dry stereo output, as
        many channels as the highest one used)."""
        with _LOCK:
            sfont = _loaded_sfont(Path(self.soundfont))
            synth = fluidsynth.Synth(gain=self.gain, samplerate=float(self.sample_rate), channels=16, **{
                "synth.reverb.active": 0, "synth.chorus.active": 0, "synth.audio-groups": 16, "synth.audio-channels": 16})  # fmt: skip
            soundfont_id = _add_sfont(synth.synth, sfont)
            try:
                events = []
                for index, channel in channels.items():
                    instrument = midi.instruments[index]
                    synth.program_select(channel, soundfont_id, 128 if instrument.is_drum else 0, instrument.program)
                    events += self._events(instrument, channel)
                events.sort(key=lambda e: e[:2])
                yield from self._play(synth, events, n_samples, max(channels.values()) + 1)
            finally:
                _lend_back(synth, sfont)

    def _events(self, instrument: pretty_midi.Instrument, channel: int) -> list[tuple]:
        """(sample, order, action, channel, a, b) for every note, controller and bend of an instrument."""
        at = lambda seconds: max(0, round(seconds * self.sample_rate))  # noqa: E731
        events = []
        for note in instrument.notes:
            start, end = at(note.start), at(note.end)
            events.append((start, NOTE_ON, "on", channel, note.pitch, note.velocity))
            events.append((max(end, start + 1), NOTE_OFF, "off", channel, note.pitch, 0))
        events += [(at(c.time), CONTROL, "cc", channel, c.number, c.value) for c in instrument.control_changes]
        events += [(at(b.time), CONTROL, "bend", channel, b.pitch, 0) for b in instrument.pitch_bends]
        return events

    @staticmethod
    def _play(synth: fluidsynth.Synth, events: list[tuple], n_samples: int, n_channels: int) -> Iterator[tuple[int, np.ndarray]]:
        """The events played through `n_samples`, handed over CHUNK samples at a time (one buffer, reused)."""
        buffer = np.zeros((n_channels, 2, min(CHUNK, max(1, n_samples))), dtype=np.float32)
        pending = iter(events)
        event = next(pending, None)
        for first in range(0, n_samples, CHUNK):
            last = min(first + CHUNK, n_samples)
            out = buffer[:, :, : last - first]
            out[:] = 0.0
            position = first
            while event is not None and event[0] < last:
                sample, _, action, channel, a, b = event
                _synthesize(synth, out, position - first, sample - first)
                position = sample
                if action == "on":
                    synth.noteon(channel, a, b)
                elif action == "off":
                    synth.noteoff(channel, a)
                elif action == "cc":
                    synth.cc(channel, a, b)
                else:
                    synth.pitch_bend(channel, a)  # pyfluidsynth takes the bend relative to centre
                event = next(pending, None)
            _synthesize(synth, out, position - first, last - first)
            yield first, out


def _synthesize(synth: fluidsynth.Synth, out: np.ndarray, start: int, end: int) -> None:
    """Frames start..end of every channel's output, written in place into `out` (channels x 2 x n, zeroed):
    FluidSynth is handed the addresses of the rows at `start`, so nothing is allocated or copied. It
    writes audio group g to the rows of g modulo the channels given: those in use are all below that."""
    n_rows = 2 * out.shape[0]
    rows = out.ctypes.data + np.arange(n_rows, dtype=np.uint64) * np.uint64(out.strides[1])
    for block_start in range(start, end, BLOCK):
        addresses = rows + np.uint64(block_start * out.strides[2])
        _process(synth.synth, min(BLOCK, end - block_start), 0, None, n_rows, addresses.ctypes.data)


def cut(audio: np.ndarray, n_samples: int, sample_rate: int) -> np.ndarray:
    """The first `n_samples` of `audio`, faded out over the last 10 ms so the cut never clicks."""
    out = audio[:, :n_samples].copy()
    fade = min(n_samples, round(END_FADE_SECONDS * sample_rate))
    if fade:
        out[:, n_samples - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return out
