"""Harmony heard in audio, as the symbolic analysis hears it in notes: chroma beat by beat (beats
found by librosa's tracker) goes through the same chord labeller (corpus.chords, with the strongest
bass-register pitch class as its lowest note), the same local-key path (corpus.keyfinding), the same
home-key evidence (corpus.global_key) and the same phrase sections (corpus.harmony_analysis), so a
soundtrack in audio lands in the catalog with timed chords, local keys and sections in tracked beats.

Chroma carries overtones (a note's fifth and third harmonics), which notes do not: for chords and
local keys a pitch class is counted on a beat only for the part of its chroma above CHROMA_FLOOR of
the beat's strongest (0.3: 82 % of POP909's beats right from piano renderings of odd-numbered songs,
0.15 and 0.45 worse). The home key reads the whole chroma, whose correlation with a key profile also
tells tonal sound (0.5-0.9) from noise and drums (0.25-0.35; corpus.audio.MIN_KEY_CONFIDENCE).
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np

from cuecraft.corpus.chords import TimedChord, chords_from_weights
from cuecraft.corpus.features import ChordSpan, KeySpan, SectionSpan
from cuecraft.corpus.global_key import home_key, profile_evidence
from cuecraft.corpus.harmony_analysis import key_spans, numbered_chords, phrase_sections
from cuecraft.corpus.keyfinding import local_keys_from_profiles
from cuecraft.model.events import Note
from cuecraft.theory import Key

CHROMA_FLOOR = 0.3  # share of a beat's strongest chroma under which a pitch class is left out
BASS_FMIN = "C1"  # the bass register: three octaves up from here (to B3)
SECTION_SHARE = 0.5  # a pitch class sounds in a beat (for phrase likeness) above this share of its strongest


@dataclass(frozen=True)
class AudioHarmony:
    """What the harmony analysis finds in audio; beats are the tracker's (beat i starts at beat_times_s[i])."""

    beat_times_s: list[float]
    key: Key
    key_confidence: float
    chords: list[TimedChord]
    chord_spans: list[ChordSpan]
    local_keys: list[KeySpan]
    sections: list[SectionSpan]


def beat_weights(chroma: np.ndarray) -> np.ndarray:
    """Beats x 12 weights from beat-averaged chroma: each pitch class's excess over CHROMA_FLOOR of
    the beat's strongest (a silent beat weighs nothing)."""
    strongest = chroma.max(axis=1, keepdims=True)
    return np.clip(chroma - CHROMA_FLOOR * strongest, 0.0, None)


def hear_harmony(mono: np.ndarray, rate: int) -> tuple[float, AudioHarmony]:
    """The tempo librosa's beat tracker finds in mono audio, and the harmony on its beats."""
    tempo, beats = librosa.beat.beat_track(y=mono, sr=rate)
    return float(np.atleast_1d(tempo)[0]), audio_harmony(mono, rate, beats, librosa.feature.chroma_cqt(y=mono, sr=rate))


def audio_harmony(mono: np.ndarray, rate: int, beat_frames: np.ndarray, chroma: np.ndarray, beats_per_bar: int = 4) -> AudioHarmony:
    """The harmony of mono audio at `rate`, from its tracked beats (frame indices) and its chroma
    (12 x frames, librosa's default hop): chords, local keys, home key and sections per tracked beat."""
    bounds = np.unique(np.concatenate([[0], np.asarray(beat_frames, int), [chroma.shape[1]]]))
    per_beat = librosa.util.sync(chroma, bounds, aggregate=np.mean, pad=False).T  # (beats, 12)
    bass = np.abs(librosa.cqt(mono, sr=rate, fmin=librosa.note_to_hz(BASS_FMIN), n_bins=36))
    bass_pc = librosa.util.sync(bass, bounds, aggregate=np.mean, pad=False).T.reshape(len(per_beat), 3, 12).sum(axis=1)
    weights = beat_weights(per_beat)
    lowest = np.where(bass_pc.max(axis=1) > 0, bass_pc.argmax(axis=1), -1)
    chords = chords_from_weights(weights, lowest)
    key, confidence = home_key(profile_evidence(per_beat.sum(axis=0), chords))  # the whole chroma: its correlation tells tone from noise
    keys = local_keys_from_profiles(weights, chords, key)
    basses = [int(lowest[int(c.start)]) if lowest[int(c.start)] >= 0 else None for c in chords]
    sounding = [Note(float(beat), 1.0, 60 + pc) for beat, row in enumerate(per_beat)
                for pc in np.flatnonzero(row >= SECTION_SHARE * max(row.max(), 1e-9))]  # fmt: skip
    times = librosa.frames_to_time(bounds[:-1], sr=rate)
    return AudioHarmony([round(float(t), 3) for t in times], key, confidence, chords, numbered_chords(chords, basses, keys),
                        key_spans(keys), phrase_sections(sounding, beats_per_bar))  # fmt: skip
