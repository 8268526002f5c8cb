"""Tempo maps: hit points land on beats (downbeats when a gentle tempo allows), measured in the written MIDI."""

from __future__ import annotations

import math

import pretty_midi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cuecraft.compose.cue_writer import write_cue
from cuecraft.compose.tempo_map import MAX_CHANGE, TempoMap, solve_tempo_map
from cuecraft.project import Mood, MusicSettings


@settings(max_examples=300, deadline=None)
@given(
    duration=st.floats(4, 300),
    hits=st.lists(st.floats(0.01, 0.99), max_size=12),
    tempo=st.floats(40, 200),
    beats_per_bar=st.sampled_from([2, 3, 4, 6]),
)
def test_every_synced_hit_is_on_a_beat_and_tempi_stay_gentle(duration: float, hits: list[float], tempo: float, beats_per_bar: int) -> None:
    hit_times = [h * duration for h in hits]
    plan = solve_tempo_map(duration, hit_times, tempo, beats_per_bar)
    tempo_map = plan.tempo_map
    assert sorted(plan.synced + plan.skipped) == sorted(h for h in hit_times if 0 < h < duration)
    for hit in plan.synced:
        beat = tempo_map.beat_at(hit)
        assert abs(beat - round(beat)) < 1e-6
        assert abs(tempo_map.seconds(round(beat)) - hit) < 1e-6
    assert all(abs(t - tempo) <= tempo * MAX_CHANGE + 1e-9 for t in tempo_map.tempos)
    for skipped in plan.skipped:  # skipped only when no whole number of beats fits at a tempo in range
        span = skipped - max([0.0, *(s for s in plan.synced if s < skipped)])
        low, high = span * tempo * (1 - MAX_CHANGE) / 60, span * tempo * (1 + MAX_CHANGE) / 60
        assert math.floor(high) < max(1.0, low) - 1e-9 or math.floor(high) < math.ceil(low - 1e-9)
    assert tempo_map.tempos[-1] == tempo


def test_a_hit_a_bar_away_becomes_a_downbeat() -> None:
    plan = solve_tempo_map(20.0, [5.2], 90.0, 4)  # 7.8 beats at 90 bpm: 8 beats (two bars) at 92.3 bpm
    assert plan.tempo_map.start_beats == (0.0, 8.0) and abs(plan.tempo_map.tempos[0] - 92.307692) < 1e-4


def test_beats_and_seconds_are_inverse() -> None:
    tempo_map = TempoMap((0.0, 8.0), (0.0, 5.2), (92.3, 90.0))
    for beat in (0.0, 3.5, 8.0, 17.25):
        assert abs(tempo_map.beat_at(tempo_map.seconds(beat)) - beat) < 1e-9


def test_written_cue_hits_the_picture_within_a_millisecond(baseline, tmp_path) -> None:  # noqa: ANN001
    settings_ = MusicSettings(key="D minor", tempo=96, program=48, velocity=80, seed=2, style="orchestral")
    hits = [3.7, 7.95, 13.1]
    midi = write_cue(baseline, settings_, 20.0, None, Mood(valence=-0.3, arousal=0.2, intensity=0.7), hits)
    path = str(tmp_path / "sync.mid")
    midi.write(path)
    written = pretty_midi.PrettyMIDI(path)
    beats = written.get_beats()
    for hit in hits:
        assert min(abs(b - hit) for b in beats) < 0.001, hit
    assert len(written.get_tempo_changes()[0]) == 4
    for made, read in zip(midi.instruments, written.instruments):  # the file holds the notes that were rendered
        ours, theirs = sorted((n.start, n.pitch, n.end) for n in made.notes), sorted((n.start, n.pitch, n.end) for n in read.notes)
        assert len(ours) == len(theirs)
        assert all(abs(a[0] - b[0]) < 0.001 and a[1] == b[1] and abs(a[2] - b[2]) < 0.001 for a, b in zip(ours, theirs)), made.name
    assert 19.0 < written.get_end_time() <= 20.0


def test_a_tempo_map_through_tracked_beats_puts_each_beat_at_its_time() -> None:
    beat_mapped = TempoMap.through_beats([0.02, 0.5, 1.0, 1.6])  # the first beat moved to 0 s, where MIDI starts
    assert beat_mapped.tempos == (120.0, 120.0, 100.0)
    assert [beat_mapped.seconds(b) for b in (0, 1, 2, 3)] == pytest.approx([0.0, 0.5, 1.0, 1.6])
    assert beat_mapped.seconds(3.5) == pytest.approx(1.9)  # after the last beat the last tempo goes on
    assert TempoMap.through_beats([0.3]) == TempoMap.constant(120.0)
