"""Audio analysis with librosa and pyloudnorm: tempo and beats; key, timed chords, local keys and
sections from beat-synchronous chroma (corpus.audio_harmony); BS.1770 integrated loudness, spectral
brightness and onset density.

No offline instrument-tagging model is available here, so audio pieces carry no instrumentation."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import librosa
import numpy as np
import soundfile

from cuecraft.corpus.audio_harmony import hear_harmony
from cuecraft.corpus.features import PieceFeatures
from cuecraft.errors import CuecraftError
from cuecraft.render.loudness import integrated_loudness

AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".mp3", ".ogg"})
ANALYSIS_RATE = 22050
# Rendered tonal music correlates with a key profile at 0.5-0.9; unpitched sound (drums, noise) at 0.25-0.35.
MIN_KEY_CONFIDENCE = 0.45


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
    tonal = harmony.key_confidence >= MIN_KEY_CONFIDENCE  # unpitched sound gets no key and no harmony
    labels = [c.chord.name for c in harmony.chords]
    onsets = librosa.onset.onset_detect(y=mono, sr=ANALYSIS_RATE, units="time")
    duration = audio.shape[1] / rate
    return PieceFeatures(
        kind="audio",
        duration_s=round(duration, 3),
        tempo_bpm=round(tempo, 2),
        key=harmony.key.name if tonal else None,
        key_confidence=round(harmony.key_confidence, 3),
        note_density=round(len(onsets) / duration, 3),
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
