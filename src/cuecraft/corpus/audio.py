"""Audio analysis with librosa, Basic Pitch and pyloudnorm: tempo and beats; the notes heard in the
audio (corpus.transcription: their count, density, polyphony and range); key, timed chords, local
keys and sections on the tracked beats (corpus.audio_harmony); BS.1770 integrated loudness and
spectral brightness.

No offline instrument-tagging model is available here, so audio pieces carry no instrumentation."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import librosa
import numpy as np
import soundfile

from cuecraft.corpus.audio_harmony import hear_harmony
from cuecraft.corpus.features import PieceFeatures
from cuecraft.corpus.keyfinding import pitch_class_profile
from cuecraft.corpus.modes import modal_key_name
from cuecraft.corpus.symbolic import polyphony
from cuecraft.corpus.transcription import heard_midi
from cuecraft.errors import CuecraftError
from cuecraft.render.loudness import integrated_loudness

AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".mp3", ".ogg"})
ANALYSIS_RATE = 22050
# Seconds of transcribed notes per second of audio under which the sound gets no key and no harmony.
# Chosen on renders of 40 files of the VGMusic training games (first 30 s): whole files 0.82 and up,
# their drum parts alone 0.36 and under but one (0.9: tuned percussion); white noise 0.05-0.1.
MIN_PITCHED_SHARE = 0.5
# The pitch range counts notes heard with at least this amplitude: faint ones are mostly overtones an
# octave up (on 150 POP909 piano renderings the lowest note came out exact 73 % -> 88 %, the highest 73 % -> 82 %).
RANGE_AMPLITUDE = 0.4


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Channels x samples float audio; CuecraftError for unreadable or truncated files."""
    path = Path(path)
    _check_riff_size(path)
    try:
        data, rate = soundfile.read(str(path), always_2d=True, dtype="float32")
    except (RuntimeError, soundfile.LibsndfileError, OSError) as exc:
        raise CuecraftError(path, f"unreadable audio ({exc})") from None
    if len(data) == 0:
        raise CuecraftError(path, "audio holds no samples")
    return data.T, rate


def _check_riff_size(path: Path) -> None:
    """libsndfile quietly reads what a cut-off WAV still holds; its RIFF header tells the size it should have."""
    with path.open("rb") as handle:
        header = handle.read(12)
    if len(header) == 12 and header[:4] == b"RIFF" and header[8:12] == b"WAVE":
        declared = int.from_bytes(header[4:8], "little") + 8
        actual = path.stat().st_size
        if actual < declared:
            raise CuecraftError(path, f"truncated WAV: header declares {declared} bytes, file holds {actual}")


def analyse_audio(audio: np.ndarray, rate: int) -> PieceFeatures:
    """Measure channels x samples audio."""
    loudness = integrated_loudness(audio, rate) if audio.shape[1] >= 0.4 * rate else float("-inf")
    mono = librosa.resample(audio.mean(axis=0), orig_sr=rate, target_sr=ANALYSIS_RATE)
    tempo, harmony = hear_harmony(mono, ANALYSIS_RATE)
    tonal = harmony.pitched_share >= MIN_PITCHED_SHARE  # unpitched sound gets no key and no harmony
    labels = [c.chord.name for c in harmony.chords]
    heard = harmony.notes
    clear = [n.pitch for n in heard if n.amplitude >= RANGE_AMPLITUDE] or [n.pitch for n in heard]
    duration = audio.shape[1] / rate
    return PieceFeatures(
        kind="audio",
        duration_s=round(duration, 3),
        tempo_bpm=round(tempo, 2),
        key=harmony.key.name if tonal else None,
        key_confidence=round(harmony.key_confidence, 3),
        modal_key=modal_key_name(pitch_class_profile((n.pitch, n.end_s - n.start_s) for n in heard), harmony.key) if tonal else None,
        note_count=len(heard),
        note_density=round(len(heard) / duration, 3),
        polyphony=polyphony(heard_midi(heard)) if heard else None,
        pitch_min=min(clear, default=None),
        pitch_max=max(clear, default=None),
        harmonic_rhythm=round(max(0, len(labels) - 1) / max(1.0, len(harmony.beat_times_s) / 4), 3) if tonal else None,
        chord_vocabulary=len(set(labels)) if tonal else None,
        top_chords=[label for label, _ in Counter(labels).most_common(5)] if tonal else [],
        loudness_lufs=round(loudness, 2) if np.isfinite(loudness) else None,
        brightness_hz=round(float(librosa.feature.spectral_centroid(y=mono, sr=ANALYSIS_RATE).mean()), 1),
        chords=harmony.chord_spans if tonal else [],
        local_keys=harmony.local_keys if tonal else [],
        sections=harmony.sections,
    )


def analyse_audio_file(path: str | Path) -> PieceFeatures:
    """Read and measure one audio file."""
    return analyse_audio(*read_audio(path))
