"""Harmony heard in audio, as the symbolic analysis hears it in notes. Basic Pitch transcribes the
audio (corpus.transcription); its notes, placed on the beats librosa's tracker finds, weigh each
beat's pitch classes for the same chord labeller (corpus.chords), with the strongest bass-register
pitch class of a constant-Q transform as the lowest note; the same local-key model
(corpus.local_key_model), home-key evidence (corpus.global_key) and phrase sections
(corpus.harmony_analysis) follow, so a soundtrack in audio lands in the catalog with timed chords,
local keys and sections in tracked beats.

Chords from notes, the home key from chroma. On piano renderings of 148 odd-numbered POP909 songs
(first 30 s; bench/audio_roundtrip.py --pop909 --odd), against their annotated chords: 76.3 % of beats
right from chroma (above 0.3 of each beat's strongest), 79.7 % from the transcribed notes, 79.0 %
with the transcription's lowest note as the bass instead of the CQT's; the home key from the whole
chroma and the chords: 83 % of major and 79 % of minor songs, from the notes' profile 82 % and 78 %.
The beat grid is moved onto the heard attacks (onset_lag), so that a downbeat lands in its own bar
and phrases line up (a repeat reads as one); that cost 0.8 points of those chords (78.9 %), of which
snapping attacks within SNAP of a beat onto it wins half back (79.3 %). These were measured at Basic
Pitch's default onset threshold; at the one the transcription now uses (0.7, better notes) 79.1 %.
The pitched share (seconds of transcribed notes per second) tells music from drums and noise, whose
chroma can look as tonal as a busy mix's (corpus.audio.MIN_PITCHED_SHARE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import librosa
import numpy as np

from cuecraft.corpus.chords import TimedChord, chords_from_weights, segment_weights
from cuecraft.corpus.features import ChordSpan, KeySpan, SectionSpan
from cuecraft.corpus.global_key import home_key, profile_evidence
from cuecraft.corpus.harmony_analysis import key_spans, numbered_chords, phrase_sections
from cuecraft.corpus.local_key_model import chord_local_keys
from cuecraft.corpus.transcription import HeardNote, pitched_share, transcribe
from cuecraft.model.events import Note
from cuecraft.theory import Key

SNAP = 0.1  # beats: a note heard this close to a beat starts on it (attacks jitter a frame or two about the grid)
BASS_FMIN = "C1"  # the bass register: three octaves up from here (to B3)
HOP = 512  # samples per frame of librosa's chroma, constant-Q transform and beat tracker (its default)


@dataclass(frozen=True)
class AudioHarmony:
    """What the harmony analysis finds in audio; beats are the tracker's (beat i starts at
    beat_times_s[i]); `notes` are the transcribed notes, `pitched_share` the seconds they sound per second."""

    beat_times_s: list[float]
    key: Key
    key_confidence: float
    chords: list[TimedChord]
    chord_spans: list[ChordSpan]
    local_keys: list[KeySpan]
    sections: list[SectionSpan]
    notes: list[HeardNote]
    pitched_share: float


def hear_harmony(mono: np.ndarray, rate: int) -> tuple[float, AudioHarmony]:
    """The tempo librosa's beat tracker finds in mono audio, and the harmony on its beats."""
    tempo, beats = librosa.beat.beat_track(y=mono, sr=rate)
    harmony = audio_harmony(mono, rate, beats, librosa.feature.chroma_cqt(y=mono, sr=rate), transcribe(mono, rate))
    return float(np.atleast_1d(tempo)[0]), harmony


def audio_harmony(mono: np.ndarray, rate: int, beat_frames: np.ndarray, chroma: np.ndarray, heard: Sequence[HeardNote],
                  beats_per_bar: int = 4) -> AudioHarmony:  # fmt: skip
    """The harmony of mono audio at `rate`, from its tracked beats (frame indices), its chroma (12 x
    frames, librosa's default hop) and the notes heard in it: chords, local keys, home key and
    sections per tracked beat."""
    bounds = beat_bounds(beat_frames, heard, rate, chroma.shape[1])
    times = _start_times(bounds, rate)
    notes = in_tracked_beats(heard, times)
    weights, _ = segment_weights(notes, len(times))
    bass = np.abs(librosa.cqt(mono, sr=rate, fmin=librosa.note_to_hz(BASS_FMIN), n_bins=36))
    bass_pc = librosa.util.sync(bass, bounds, aggregate=np.mean, pad=False).T.reshape(len(times), 3, 12).sum(axis=1)
    lowest = np.where(bass_pc.max(axis=1) > 0, bass_pc.argmax(axis=1), -1)
    chords = chords_from_weights(weights, lowest)
    key, confidence = home_key(profile_evidence(chroma.sum(axis=1), chords))
    keys = chord_local_keys(weights, chords, key)
    basses = [int(lowest[int(c.start)]) if lowest[int(c.start)] >= 0 else None for c in chords]
    return AudioHarmony(times, key, confidence, chords, numbered_chords(chords, basses, keys), key_spans(keys),
                        phrase_sections(notes, beats_per_bar), list(heard), pitched_share(heard, len(mono) / rate))  # fmt: skip


def tracked_beat_times(mono: np.ndarray, rate: int, heard: Sequence[HeardNote]) -> list[float]:
    """When each beat of mono audio at `rate` starts (s): librosa's tracked beats on the grid the
    harmony is read on (beat_bounds)."""
    _, beat_frames = librosa.beat.beat_track(y=mono, sr=rate)
    return _start_times(beat_bounds(beat_frames, heard, rate, 1 + len(mono) // HOP), rate)


def beat_bounds(beat_frames: np.ndarray, heard: Sequence[HeardNote], rate: int, n_frames: int) -> np.ndarray:
    """The frames where the beats start, in order and each once, and `n_frames` (the audio's frame
    count) closing the last: the tracker's beats filled in at the start (beat_grid) and moved onto the
    heard attacks (onset_lag)."""
    grid = beat_grid(beat_frames)
    moved = np.clip(grid + onset_lag(librosa.frames_to_time(grid, sr=rate, hop_length=HOP), heard, rate), 0, n_frames - 1)
    return np.unique(np.concatenate([moved, [n_frames]]))


def _start_times(bounds: np.ndarray, rate: int) -> list[float]:
    """The beats' start times (s, to the millisecond) from their frame bounds."""
    return [round(float(t), 3) for t in librosa.frames_to_time(bounds[:-1], sr=rate, hop_length=HOP)]


def beat_grid(beat_frames: np.ndarray) -> np.ndarray:
    """The tracked beats (frame indices) with the beats the tracker missed before its first filled in
    at its median beat length: it often locks on a beat or two late, and the beats must count from the
    music's start for bars and phrases to line up. Without beats, one beat at frame 0."""
    frames = np.asarray(beat_frames, int)
    if len(frames) < 2:
        return np.array([0]) if len(frames) == 0 else np.unique(np.concatenate([[0], frames]))
    step = float(np.median(np.diff(frames)))
    missed = int(np.floor(frames[0] / step + 0.5))  # a pickup under half a beat is left to the first beat
    return np.concatenate([np.round(frames[0] - step * np.arange(missed, 0, -1)).astype(int).clip(0), frames])


def onset_lag(beat_times_s: np.ndarray, heard: Sequence[HeardNote], rate: int, reach_s: float = 0.1) -> int:
    """Frames to move the tracked beats by to sit on the heard attacks: the median, over beats with a
    heard onset within `reach_s`, of the nearest one's offset. librosa's beats trail the attacks by a
    frame or two (its onset strength peaks after them), enough to push a downbeat into the bar before."""
    onsets = np.unique([n.start_s for n in heard])
    if len(onsets) == 0 or len(beat_times_s) == 0:
        return 0
    nearest = onsets[np.clip(np.searchsorted(onsets, beat_times_s), 1, len(onsets) - 1) - np.array([[1], [0]])]  # (2, beats)
    offsets = nearest - beat_times_s
    closest = offsets[np.argmin(np.abs(offsets), axis=0), np.arange(len(beat_times_s))]
    near = closest[np.abs(closest) <= reach_s]
    return int(round(float(np.median(near)) * rate / HOP)) if len(near) else 0


def in_tracked_beats(notes: Sequence[HeardNote], beat_times_s: Sequence[float]) -> list[Note]:
    """Heard notes in beats of the tracked grid (beat i at beat_times_s[i]); before the first and
    after the last beat the neighbouring beat's length goes on (120 bpm with fewer than two beats)."""
    times = np.asarray(beat_times_s, float) if len(beat_times_s) >= 2 else np.array([0.0, 0.5])

    def beat(t: float) -> float:
        if t <= times[0]:
            return (t - times[0]) / (times[1] - times[0])
        if t >= times[-1]:
            return len(times) - 1 + (t - times[-1]) / (times[-1] - times[-2])
        return float(np.interp(t, times, np.arange(len(times))))

    def snapped(t: float) -> float:
        b = beat(t)
        return float(round(b)) if abs(b - round(b)) <= SNAP else b

    return [Note(max(0.0, snapped(n.start_s)), max(0.05, beat(n.end_s) - snapped(n.start_s)), n.pitch, int(round(127 * n.amplitude)))
            for n in notes]  # fmt: skip
