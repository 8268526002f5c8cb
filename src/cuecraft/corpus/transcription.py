"""Audio to notes with Basic Pitch (Spotify's ICASSP 2022 polyphonic transcriber, Apache-2.0): its
weights ship inside its PyPI wheel as ONNX, run here on onnxruntime, so nothing is fetched at run time.

Basic Pitch's wheel asks for TensorFlow on Linux; only its ONNX file and its note decoding are used,
so requirements.lock installs it without dependencies (as every package there) and leaves TensorFlow out.
The session computes with this process's share of the cores (executors.thread_share): all of them
alone, a share of them in one of the corpus ingest's worker processes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import librosa
import numpy as np
import pretty_midi

from cuecraft.executors import thread_share

if TYPE_CHECKING:
    import onnxruntime

TRANSCRIPTION_RATE = 22050  # Basic Pitch's sample rate (basic_pitch.constants.AUDIO_SAMPLE_RATE)
OVERLAP_FRAMES = 30  # model frames shared by neighbouring windows, half dropped from each side (as Basic Pitch does)
# Onset and frame activations a note needs. Basic Pitch's defaults are 0.5 and 0.3; on renders of 25
# VGMusic training-game files (every instrument and the drums) and 20 odd-numbered POP909 songs (piano),
# onset F1 was 0.46 and 0.81 at its defaults, 0.48 and 0.86 at 0.7 (the best mean of the two; 0.6-0.8
# and frames at 0.2-0.4 tried).
ONSET_THRESHOLD = 0.7
FRAME_THRESHOLD = 0.3
MIN_NOTE_S = 0.128
# The ONNX graph's output names for note frames, onsets and pitch contours.
_OUTPUTS = {"note": "StatefulPartitionedCall:1", "onset": "StatefulPartitionedCall:2", "contour": "StatefulPartitionedCall:0"}
_INPUT = "serving_default_input_2:0"


@dataclass(frozen=True)
class HeardNote:
    """A note found in audio: seconds from the start, MIDI pitch, and the model's amplitude (0-1)."""

    start_s: float
    end_s: float
    pitch: int
    amplitude: float


def transcribe(mono: np.ndarray, rate: int) -> list[HeardNote]:
    """The notes Basic Pitch hears in mono audio at `rate`, in onset order."""
    session = _session()  # first: it imports basic_pitch quietly
    from basic_pitch import constants
    from basic_pitch.inference import unwrap_output, window_audio_file
    from basic_pitch.note_creation import model_output_to_notes

    audio = np.asarray(mono, np.float32)
    if rate != TRANSCRIPTION_RATE:
        audio = librosa.resample(audio, orig_sr=rate, target_sr=TRANSCRIPTION_RATE)
    overlap = OVERLAP_FRAMES * constants.FFT_HOP
    padded = np.concatenate([np.zeros(overlap // 2, np.float32), audio])
    outputs: dict[str, list[np.ndarray]] = {name: [] for name in _OUTPUTS}
    for window, _ in window_audio_file(padded, constants.AUDIO_N_SAMPLES - overlap):
        found = session.run(list(_OUTPUTS.values()), {_INPUT: window[None].astype(np.float32)})
        for name, value in zip(_OUTPUTS, found):
            outputs[name].append(value)
    frames = {name: unwrap_output(np.concatenate(values), len(audio), OVERLAP_FRAMES) for name, values in outputs.items()}
    min_frames = int(round(MIN_NOTE_S * TRANSCRIPTION_RATE / constants.FFT_HOP))
    with np.errstate(divide="ignore", invalid="ignore"):  # silence: its onset rescaling divides zero by zero
        _, events = model_output_to_notes(frames, onset_thresh=ONSET_THRESHOLD, frame_thresh=FRAME_THRESHOLD,
                                          min_note_len=min_frames, include_pitch_bends=False)  # fmt: skip
    notes = [HeardNote(round(float(start), 4), round(float(end), 4), int(pitch), round(float(amp), 4)) for start, end, pitch, amp, _ in events]
    return sorted(notes, key=lambda n: (n.start_s, n.pitch))


@cache
def _session() -> onnxruntime.InferenceSession:
    """Basic Pitch's ONNX model on the CPU, loaded once per process."""
    import onnxruntime

    root = logging.getLogger()
    quiet = logging.NullHandler()
    root.addHandler(quiet)  # basic_pitch warns, at import, of each backend it lacks; keep that off the user's screen
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        from basic_pitch import FilenameSuffix, build_icassp_2022_model_path
    finally:
        logging.disable(previous)
        root.removeHandler(quiet)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = thread_share()
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(build_icassp_2022_model_path(FilenameSuffix.onnx)), options,
                                        providers=["CPUExecutionProvider"])  # fmt: skip


def pitched_share(notes: Sequence[HeardNote], seconds: float) -> float:
    """Seconds of heard notes per second of audio (overlapping notes add up): music sounds one or more
    notes all the time, drums and noise only stray ones."""
    return round(sum(n.end_s - n.start_s for n in notes) / max(seconds, 1e-9), 3)


def heard_midi(notes: Sequence[HeardNote], program: int = 0) -> pretty_midi.PrettyMIDI:
    """Heard notes as a one-instrument MIDI file (GM `program`; velocity from the model's amplitude)."""
    midi = pretty_midi.PrettyMIDI()
    instrument = pretty_midi.Instrument(program)
    instrument.notes = [pretty_midi.Note(max(1, min(127, round(127 * n.amplitude))), n.pitch, n.start_s, n.end_s) for n in notes]
    midi.instruments.append(instrument)
    return midi
