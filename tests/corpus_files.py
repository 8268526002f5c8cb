"""Tiny corpus files with known properties, made by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi
import soundfile

from cuecraft.theory import Key


def scale_piece(path: Path, key: str, tempo: float, meter: tuple[int, int] = (4, 4), programs: tuple[int, ...] = (0,),
                drums: bool = False, bars: int = 8) -> Path:  # fmt: skip
    """A piece that states its key plainly: tonic arpeggios and scales, cadences V-I, in each instrument."""
    k = Key.parse(key)
    midi = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    midi.time_signature_changes.append(pretty_midi.TimeSignature(meter[0], meter[1], 0))
    beat = 60.0 / tempo
    beats_per_bar = meter[0] * 4 / meter[1]
    scale = [k.tonic + s for s in ((0, 2, 4, 5, 7, 9, 11) if k.mode == "major" else (0, 2, 3, 5, 7, 8, 11))]
    tonic_triad = [k.tonic + i for i in k.tonic_triad()]
    dominant = [k.tonic + 7, k.tonic + 11, k.tonic + 14]
    for n, program in enumerate(programs):
        inst = pretty_midi.Instrument(program=program)
        octave = 60 - 12 * n
        t = 0.0
        for bar in range(bars):
            chord = dominant if bar % 4 == 3 else tonic_triad
            for p in chord:
                inst.notes.append(pretty_midi.Note(70, octave - 12 + p, t, t + beats_per_bar * beat))
            for i in range(int(beats_per_bar)):
                pitch = octave + (tonic_triad[i % 3] if bar % 2 else scale[(bar + i) % 7])
                inst.notes.append(pretty_midi.Note(90, pitch, t + i * beat, t + (i + 1) * beat))
            t += beats_per_bar * beat
        midi.instruments.append(inst)
    if drums:
        kit = pretty_midi.Instrument(program=0, is_drum=True)
        for i in range(int(bars * beats_per_bar)):
            kit.notes.append(pretty_midi.Note(100, 36 if i % 2 == 0 else 38, i * beat, i * beat + 0.1))
        midi.instruments.append(kit)
    midi.write(str(path))
    return path


def click_track(path: Path, tempo: float, seconds: float = 12.0, rate: int = 22050) -> Path:
    """A WAV of short noise bursts on every beat, accented on the downbeats of 4/4 bars."""
    audio = np.zeros(int(seconds * rate), dtype=np.float32)
    burst = np.random.default_rng(0).normal(0, 0.5, int(0.02 * rate)).astype(np.float32) * np.hanning(int(0.02 * rate))
    for i, start in enumerate(np.arange(0, seconds - 0.05, 60.0 / tempo)):
        s = int(start * rate)
        audio[s : s + len(burst)] += burst * (1.0 if i % 4 == 0 else 0.6)
    soundfile.write(path, audio, rate)
    return path


def progression_piece(chords: list[tuple[int, int]], tempo: float, repeats: int = 2) -> pretty_midi.PrettyMIDI:
    """Piano block chords, one 4/4 bar each, played `repeats` times: (root pitch class, third in
    semitones) per bar, the root held in the bass and the triad struck on every beat above middle C."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    piano = pretty_midi.Instrument(program=0)
    beat = 60.0 / tempo
    for bar, (root, third) in enumerate(chords * repeats):
        start = bar * 4 * beat
        piano.notes.append(pretty_midi.Note(80, 36 + root, start, start + 4 * beat))
        for i in range(4):
            for interval in (0, third, 7):
                piano.notes.append(pretty_midi.Note(70, 60 + (root + interval) % 12, start + i * beat, start + (i + 1) * beat))
    midi.instruments.append(piano)
    return midi
