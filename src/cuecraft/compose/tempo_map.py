"""Tempo maps that make music hit the picture: between consecutive sync points (the cue's start and
its hit points) the tempo is chosen so a whole number of bars, or failing that of beats, fits exactly,
staying within MAX_CHANGE of the brief's tempo; the last stretch keeps the brief's tempo.

A hit too close to the previous sync point for any such tempo is left unsynced (and reported), as a
music editor would rather let one cut pass than lurch the tempo.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import pretty_midi

MAX_CHANGE = 0.12  # a tempo may move 12 % from the brief: heard as phrasing, not as a lurch


@dataclass(frozen=True)
class TempoMap:
    """Piecewise-constant tempo: each segment starts at a beat (and its time in seconds)."""

    start_beats: tuple[float, ...]
    start_seconds: tuple[float, ...]
    tempos: tuple[float, ...]

    @classmethod
    def constant(cls, tempo: float) -> TempoMap:
        return cls((0.0,), (0.0,), (float(tempo),))

    @classmethod
    def through_beats(cls, beat_times_s: list[float]) -> TempoMap:
        """The map whose beat i falls at beat_times_s[i] (i >= 1; beat 0 at 0 s, where MIDI time starts):
        a beat-mapped grid for music played freely, such as a tracked recording. Fewer than two beats:
        120 bpm."""
        times = [0.0, *beat_times_s[1:]]
        if len(times) < 2:
            return cls.constant(120.0)
        tempos = [round(60.0 / (b - a), 3) for a, b in zip(times, times[1:])]
        return cls(tuple(float(i) for i in range(len(tempos))), tuple(times[:-1]), tuple(tempos))

    def seconds(self, beat: float) -> float:
        i = max(0, bisect.bisect_right(self.start_beats, beat) - 1)
        return self.start_seconds[i] + (beat - self.start_beats[i]) * 60.0 / self.tempos[i]

    def beat_at(self, seconds: float) -> float:
        i = max(0, bisect.bisect_right(self.start_seconds, seconds) - 1)
        return self.start_beats[i] + (seconds - self.start_seconds[i]) * self.tempos[i] / 60.0


@dataclass(frozen=True)
class SyncPlan:
    tempo_map: TempoMap
    synced: tuple[float, ...]  # hit times (s) that fall on a beat
    skipped: tuple[float, ...]  # hit times too close to the previous sync point to reach


def _beats_between(seconds: float, tempo: float, beats_per_bar: int) -> int | None:
    """Beats to fit in `seconds`: whole bars if a tempo within MAX_CHANGE allows, else whole beats, else None."""
    lowest, highest = tempo * (1 - MAX_CHANGE), tempo * (1 + MAX_CHANGE)
    ideal = seconds * tempo / 60.0
    for step in (beats_per_bar, 1):
        candidates = [k for k in (step * round(ideal / step), step * int(ideal // step), step * (int(ideal // step) + 1)) if k > 0]
        fitting = [k for k in candidates if lowest <= 60.0 * k / seconds <= highest]
        if fitting:
            return min(fitting, key=lambda k: abs(60.0 * k / seconds - tempo))
    return None


def solve_tempo_map(duration_s: float, hits_s: list[float], tempo: float, beats_per_bar: int) -> SyncPlan:
    """A tempo map over `duration_s` seconds on which every reachable hit lands on a beat (a downbeat when possible)."""
    beats, seconds, tempos = [0.0], [0.0], []
    synced, skipped = [], []
    anchor = 0.0
    for hit in sorted(h for h in hits_s if 0 < h < duration_s):
        if synced and hit - anchor < 1e-9:  # the same instant as the last sync point: already on its beat
            synced.append(hit)
            continue
        k = _beats_between(hit - anchor, tempo, beats_per_bar)
        if k is None:
            skipped.append(hit)
            continue
        tempos.append(60.0 * k / (hit - anchor))
        beats.append(beats[-1] + k)
        seconds.append(hit)
        synced.append(hit)
        anchor = hit
    tempos.append(float(tempo))
    return SyncPlan(TempoMap(tuple(beats), tuple(seconds), tuple(tempos)), tuple(synced), tuple(skipped))


def apply_tempo_map(midi: pretty_midi.PrettyMIDI, tempo_map: TempoMap) -> None:
    """Give `midi` the tempo map, before notes are placed by time. pretty_midi has no public call for
    tempo changes: it writes one set-tempo event per tick scale, and converts note times to ticks
    with a tick-to-time table that must be rebuilt from those scales (past the last change it
    extrapolates at the final tempo), so both are set here."""
    resolution = midi.resolution
    midi._tick_scales = [(round(b * resolution), 60.0 / (t * resolution)) for b, t in zip(tempo_map.start_beats, tempo_map.tempos)]
    midi._update_tick_to_time(midi._tick_scales[-1][0] + 1)
