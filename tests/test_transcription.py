"""Basic Pitch transcription: notes heard in rendered MIDI against the notes played, the pitched share
that tells music from drums and noise, and the beat grid the heard notes are placed on."""

from __future__ import annotations

import librosa
import mir_eval
import numpy as np
import pretty_midi
import pytest

from cuecraft.corpus.audio import MIN_PITCHED_SHARE, analyse_audio
from cuecraft.corpus.audio_harmony import beat_grid, hear_harmony, in_tracked_beats
from cuecraft.corpus.transcription import HeardNote, heard_midi, transcribe
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.synth import Renderer

RATE = 22050


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(find_soundfont(), RATE)


def tune(program: int = 0) -> pretty_midi.PrettyMIDI:
    """Eight bars at 100 bpm: a stepwise tune over held bass notes, on one GM instrument."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=100)
    part = pretty_midi.Instrument(program)
    beat = 0.6
    steps = [0, 2, 4, 5, 7, 5, 4, 2, 0, 4, 7, 12, 11, 7, 5, 2]
    for i, step in enumerate(steps * 2):
        part.notes.append(pretty_midi.Note(90, 67 + step, i * beat, (i + 0.9) * beat))
    for bar, root in enumerate([48, 53, 55, 48] * 2):
        part.notes.append(pretty_midi.Note(75, root, bar * 4 * beat, (bar + 1) * 4 * beat))
    midi.instruments.append(part)
    return midi


def notes_f1(truth: list[pretty_midi.Note], heard: list[HeardNote]) -> float:
    ref = np.array([[n.start, n.end] for n in truth]), librosa.midi_to_hz(np.array([n.pitch for n in truth]))
    est = np.array([[n.start_s, n.end_s] for n in heard]), librosa.midi_to_hz(np.array([n.pitch for n in heard]))
    return mir_eval.transcription.precision_recall_f1_overlap(*ref, *est, offset_ratio=None)[2]


@pytest.mark.parametrize("program", [0, 56, 11])  # piano, trumpet, vibraphone (bowed strings: late onsets, bench/transcription_accuracy.py)
def test_rendered_notes_are_heard(renderer: Renderer, program: int) -> None:
    midi = tune(program)
    audio = renderer.render(midi, int((midi.get_end_time() + 1) * RATE))
    heard = transcribe(librosa.to_mono(audio), RATE)
    assert notes_f1(midi.instruments[0].notes, heard) >= 0.8
    assert all(a.start_s <= b.start_s for a, b in zip(heard, heard[1:]))


def test_transcription_resamples_other_rates(renderer: Renderer) -> None:
    midi = tune()
    mono = librosa.to_mono(renderer.render(midi, int((midi.get_end_time() + 1) * RATE)))
    heard = transcribe(librosa.resample(mono, orig_sr=RATE, target_sr=44100), 44100)
    assert notes_f1(midi.instruments[0].notes, heard) >= 0.8


def test_drums_and_noise_are_not_pitched(renderer: Renderer) -> None:
    kit = pretty_midi.PrettyMIDI(initial_tempo=120)
    drums = pretty_midi.Instrument(0, is_drum=True)
    for i in range(32):
        drums.notes.append(pretty_midi.Note(100, (36, 42, 38, 42)[i % 4], i * 0.25, i * 0.25 + 0.1))
    kit.instruments.append(drums)
    noise = np.random.default_rng(1).normal(0, 0.1, 8 * RATE).astype(np.float32)
    music = tune()
    for audio, tonal in ((renderer.render(kit, 9 * RATE), False), (noise[None], False), (renderer.render(music, 9 * RATE), True)):
        features = analyse_audio(audio, RATE)
        assert (hear_harmony(librosa.to_mono(audio), RATE)[1].pitched_share >= MIN_PITCHED_SHARE) == tonal
        assert (features.key is not None) == tonal and bool(features.chords) == tonal


def test_beat_grid_fills_beats_missed_at_the_start() -> None:
    assert list(beat_grid(np.array([43, 65, 87, 109]))) == [0, 21, 43, 65, 87, 109]
    assert list(beat_grid(np.array([10, 32, 54]))) == [10, 32, 54]  # under half a beat of pickup: none added
    assert list(beat_grid(np.array([], int))) == [0]


def test_heard_notes_land_on_the_tracked_beats() -> None:
    heard = [HeardNote(1.0, 1.5, 60, 0.5), HeardNote(2.25, 2.5, 64, 1.0), HeardNote(0.0, 0.2, 48, 0.5)]
    notes = in_tracked_beats(heard, [0.5, 1.0, 1.5, 2.0])  # beats of half a second; the last goes on after it
    assert [(n.onset, n.duration, n.pitch) for n in notes] == [(1.0, 1.0, 60), (3.5, 0.5, 64), (0.0, 0.4, 48)]
    assert notes[1].velocity == 127


def test_heard_midi_keeps_the_notes() -> None:
    heard = [HeardNote(0.5, 1.0, 60, 0.5), HeardNote(1.0, 2.0, 67, 1.0)]
    midi = heard_midi(heard, program=48)
    (strings,) = midi.instruments
    assert strings.program == 48
    assert [(n.start, n.end, n.pitch, n.velocity) for n in strings.notes] == [(0.5, 1.0, 60, 64), (1.0, 2.0, 67, 127)]


def test_transcribe_command_writes_the_heard_notes_and_refuses_noise(renderer: Renderer, tmp_path) -> None:  # noqa: ANN001
    import subprocess
    import sys

    import soundfile

    midi = tune(program=56)
    soundfile.write(tmp_path / "trumpet.wav", renderer.render(midi, int((midi.get_end_time() + 1) * RATE)).T, RATE)
    soundfile.write(tmp_path / "noise.wav", np.random.default_rng(2).normal(0, 0.01, 4 * RATE), RATE)
    run = lambda *a: subprocess.run([sys.executable, "-m", "cuecraft", "transcribe", *map(str, a)], capture_output=True, text=True, timeout=300)  # noqa: E731
    done = run(tmp_path / "trumpet.wav", "-o", tmp_path / "trumpet.mid", "--program", 56)
    assert done.returncode == 0, done.stderr
    written = pretty_midi.PrettyMIDI(str(tmp_path / "trumpet.mid"))
    (part,) = written.instruments
    assert part.program == 56
    assert np.median(written.get_tempo_changes()[1]) == pytest.approx(100, rel=0.04)  # the tune's 100 bpm, beat-mapped
    beats = written.get_beats()[:16]
    assert np.abs(beats - 0.6 * np.arange(len(beats))).max() < 0.06  # its beats where the tune's fall
    heard = [HeardNote(n.start, n.end, n.pitch, n.velocity / 127) for n in part.notes]
    assert notes_f1(midi.instruments[0].notes, heard) >= 0.8
    refused = run(tmp_path / "noise.wav", "-o", tmp_path / "noise.mid")
    assert refused.returncode == 2 and f"{tmp_path / 'noise.wav'}: no pitched notes heard" in refused.stderr
    assert not (tmp_path / "noise.mid").exists()


def test_silence_is_heard_as_no_notes_without_warnings() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert transcribe(np.zeros(3 * RATE, np.float32), RATE) == []
